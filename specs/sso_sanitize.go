package specs

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ssoconform/ssoconform/harness"
)

// The seed's Known Issue: special symbols are not supported in a name and are sanitized when the user
// signs in over SSO, "#John Do`e¥" signing in as "John Doe". The rule applies wherever a name reaches a
// member: the displayName Okta pushes over SCIM and the name an IdP sends at sign-in. The SCIM userName
// itself round-trips exactly (Okta finds users by `userName eq`).
func (su *Suite) describeSsoSanitize() {
	Describe("Names with special symbols (the seed's Known Issue)", func() {
		It("SSO-SANITIZE-PUSHED: a user pushed over SCIM as \"#John Do`e¥\" signs in over SSO as \"John Doe\"", ProtocolOIDC, ProtocolSCIM, KindPositive, func(ctx SpecContext) {
			tn, err := su.stack.NewTenant(ctx, harness.TenantSpec{Name: "sanitize"})
			Expect(err).NotTo(HaveOccurred())
			u, err := tn.AddOktaUser(ctx, "#John", "Do`e¥")
			Expect(err).NotTo(HaveOccurred())
			By("assigning the user to the app: Okta pushes displayName \"#John Do`e¥\"")
			Expect(tn.Assign(ctx, u)).To(Succeed())
			found, err := tn.SCIM.FindUsers(ctx, u.Login)
			Expect(err).NotTo(HaveOccurred())
			Expect(found).To(HaveLen(1), "Okta's userName lookup must find the pushed user")
			Expect(found[0]).To(HaveKeyWithValue("userName", u.Login), "the SCIM userName round-trips exactly")

			By("signing in over SSO")
			out, me := su.signIn(ctx, tn, u)
			Expect(out.SignedIn).To(BeTrue(), "the pushed user must sign in; the app showed %q", out.Error)
			Expect(out.Name).To(Equal("John Doe"), "the seed: \"#John Do`e¥\" signs in as \"John Doe\" on the signed-in page")
			Expect(me.status).To(Equal(http.StatusOK))
			Expect(me.Name).To(Equal("John Doe"), "the member's name is the sanitized one")
		})

		It("SSO-SANITIZE-JIT: someone new whose SAML name is \"#John Do`e¥\" joins as \"John Doe\"", ProtocolSAML, KindPositive, func(ctx SpecContext) {
			tn, err := su.stack.NewTenant(ctx, harness.TenantSpec{Name: "sanitizejit", Protocol: "saml"})
			Expect(err).NotTo(HaveOccurred())
			u, err := tn.AddOktaUser(ctx, "#John", "Do`e¥")
			Expect(err).NotTo(HaveOccurred())
			Expect(tn.Assign(ctx, u)).To(Succeed())
			By("deleting the pushed member, so the name comes from the SAML assertion alone")
			found, err := tn.SCIM.FindUsers(ctx, u.Login)
			Expect(err).NotTo(HaveOccurred())
			Expect(found).To(HaveLen(1))
			deleteSCIMUser(ctx, tn, found[0]["id"])

			client := harness.HeadlessClient()
			defer client.CloseIdleConnections()
			Expect(harness.HeadlessSignIn(ctx, client, su.stack.App.URL, tn.Org, u.Login, tn.Password(u))).To(Succeed())
			me := su.headlessWhoAmI(ctx, client)
			Expect(me.Name).To(Equal("John Doe"), "the seed: \"#John Do`e¥\" signs in as \"John Doe\"")
		})
	})
}
