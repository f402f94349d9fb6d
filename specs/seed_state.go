package specs

import (
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ssoconform/ssoconform/harness"
)

// A sign-in's state belongs to the browser that started it (OIDC Core 3.1.2.7, RFC 6749 §10.12): an
// attacker who starts a sign-in as themselves and gets a victim's browser to open the callback must not
// sign the victim in as the attacker (login CSRF). The spec starts a sign-in in one headless client,
// stops it at the app's callback, and opens that callback from a second client.
func (su *Suite) describeSeedState() {
	Describe("OIDC state bound to the browser", ProtocolOIDC, func() {
		It("OIDC-NEG-STATE-OTHER-BROWSER: a callback opened in another browser than the one that started the sign-in gets no session", KindNegative, KindSecurity, func(ctx SpecContext) {
			tn, err := su.stack.NewTenant(ctx, harness.TenantSpec{Name: "csrf"})
			Expect(err).NotTo(HaveOccurred())
			u, err := tn.AddOktaUser(ctx, "Cass", "Forger")
			Expect(err).NotTo(HaveOccurred())
			Expect(tn.Assign(ctx, u)).To(Succeed())

			By("the attacker signs in at Okta in their own client and keeps the callback URL unopened")
			attacker := harness.HeadlessClient()
			defer attacker.CloseIdleConnections()
			var callback string
			attacker.CheckRedirect = func(req *http.Request, via []*http.Request) error {
				if strings.HasSuffix(req.URL.Path, "/sso/oidc/callback") {
					callback = req.URL.String()
					return http.ErrUseLastResponse
				}
				return nil
			}
			_ = harness.HeadlessSignIn(ctx, attacker, su.stack.App.URL, tn.Org, u.Login, tn.Password(u)) // stops at the callback
			Expect(callback).To(ContainSubstring("state="), "the mock Okta must redirect to the app's callback with a code and state")

			By("the victim's browser opens that callback")
			victim := harness.HeadlessClient()
			defer victim.CloseIdleConnections()
			_, _, err = harness.HeadlessGet(ctx, victim, callback)
			Expect(err).NotTo(HaveOccurred())
			status, body, err := harness.HeadlessGet(ctx, victim, su.stack.App.URL+"/api/v1/me")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(http.StatusUnauthorized),
				"a callback whose sign-in was started in another browser must be refused; the victim is signed in: %s", body)
		})
	})
}
