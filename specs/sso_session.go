package specs

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ssoconform/ssoconform/harness"
)

// One Okta session covers every app of an org, whatever its protocol: a user who signed in to one app
// over SAML is not asked for a password by another app of the same Okta org that signs in over OIDC (on
// Okta an /authorize request with a live session answers at once; with prompt=none it would answer
// instead of login_required). The spec connects two organizations of the app to one mock Okta org, one
// over SAML and one over OIDC, and signs the same user in to both in one browser.
func (su *Suite) describeSsoSession() {
	Describe("One Okta session across protocols", func() {
		It("SSO-SESSION-SAML-THEN-OIDC: after a SAML sign-in, the OIDC sign-in to another organization asks for no password", ProtocolSAML, ProtocolOIDC, KindPositive, func(ctx SpecContext) {
			samlTn, err := su.stack.NewTenant(ctx, harness.TenantSpec{Name: "sessaml", Protocol: "saml"})
			Expect(err).NotTo(HaveOccurred())
			oidcTn, err := su.stack.NewSiblingTenant(ctx, samlTn, harness.TenantSpec{Name: "sesoidc", Protocol: "oidc"})
			Expect(err).NotTo(HaveOccurred())
			u, err := samlTn.AddOktaUser(ctx, "Sam", "Session")
			Expect(err).NotTo(HaveOccurred())
			Expect(samlTn.Assign(ctx, u)).To(Succeed())
			Expect(oidcTn.Assign(ctx, u)).To(Succeed())

			client := harness.HeadlessClient()
			defer client.CloseIdleConnections()
			By("signing in over SAML with the Okta password")
			Expect(harness.HeadlessSignIn(ctx, client, su.stack.App.URL, samlTn.Org, u.Login, samlTn.Password(u))).To(Succeed())
			Expect(su.headlessWhoAmI(ctx, client).Org).To(Equal(samlTn.Org))

			By("signing in to the OIDC-connected organization in the same browser")
			Expect(harness.HeadlessSSO(ctx, client, su.stack.App.URL, oidcTn.Org)).To(Succeed(),
				"Okta's session from the SAML sign-in covers the OIDC app: no second password may be asked")
			me := su.headlessWhoAmI(ctx, client)
			Expect(me.Org).To(Equal(oidcTn.Org), "the OIDC sign-in must end in the second organization")
			Expect(me.Email).To(Equal(u.Login))
		})
	})
}
