package specs

import (
	"errors"
	"net/http"
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ssoconform/ssoconform/harness"
)

// Single logout: signing out of the app after a SAML sign-in must end the Okta session too, or the
// next person at the browser is signed straight back in by Okta without a password. The app sends a
// LogoutRequest signed with the certificate uploaded to its Okta app, Okta ends its one session and
// posts a signed LogoutResponse back to the app's Single Logout URL. The spec signs out headless and
// then checks both sides: the app no longer knows the browser, and a new sign-in, which went through
// without a password just before the sign-out, makes Okta ask for the password again.
func (su *Suite) describeSsoSLO() {
	Describe("Single logout", func() {
		It("SSO-SLO-ENDS-BOTH: signing out after a SAML sign-in ends the app's session and the Okta session", ProtocolSAML, KindSecurity, func(ctx SpecContext) {
			tn, err := su.stack.NewTenant(ctx, harness.TenantSpec{Name: "slo", Protocol: "saml"})
			Expect(err).NotTo(HaveOccurred())
			u, err := tn.AddOktaUser(ctx, "Sol", "Logout")
			Expect(err).NotTo(HaveOccurred())
			Expect(tn.Assign(ctx, u)).To(Succeed())
			client := harness.HeadlessClient()
			defer client.CloseIdleConnections()
			Expect(harness.HeadlessSignIn(ctx, client, su.stack.App.URL, tn.Org, u.Login, tn.Password(u))).To(Succeed())
			Expect(su.headlessWhoAmI(ctx, client).Email).To(Equal(u.Login))
			By("Okta's session is live: a new sign-in asks for no password")
			Expect(harness.HeadlessSSO(ctx, client, su.stack.App.URL, tn.Org)).To(Succeed(),
				"before sign-out the Okta session must let a new SAML sign-in through, or the last check proves nothing")

			By("signing out in the app")
			landed, status, err := harness.HeadlessSignOut(ctx, client, su.stack.App.URL)
			Expect(err).NotTo(HaveOccurred())
			end, err := url.Parse(landed)
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(http.StatusOK), "sign-out must end on a page, not an error (landed on %s)", harness.RedactURL(landed))
			Expect(end.Path).To(Equal("/login"), "after single logout the app shows its sign-in page")
			Expect(headlessMember(ctx, client, su.stack.App.URL).status).To(Equal(http.StatusUnauthorized),
				"the app's session must be gone after sign-out")

			By("signing in again: Okta must ask for the password")
			err = harness.HeadlessSSO(ctx, client, su.stack.App.URL, tn.Org)
			Expect(errors.Is(err, harness.ErrAskedForPassword)).To(BeTrue(),
				"the Okta session must end with the app's (single logout): a new sign-in got %v instead of Okta's password form", err)
		})
	})
}
