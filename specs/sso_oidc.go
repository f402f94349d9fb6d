package specs

import (
	"encoding/json"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ssoconform/ssoconform/harness"
	"github.com/ssoconform/ssoconform/harness/browser"
)

func (su *Suite) describeSsoOidc() {
	Describe("Okta SSO over OIDC", ProtocolOIDC, Browser, func() {
		Context("when a user is assigned to the app in Okta", func() {
			It("OIDC-SSO-PUSH-SIGNIN: provisions the user by SCIM and signs them in through the SSO path", KindPositive, ProtocolSCIM, func(ctx SpecContext) {
				tn, err := su.stack.NewTenant(ctx, harness.TenantSpec{Name: "signin"})
				Expect(err).NotTo(HaveOccurred())

				By("assigning a new Okta user to the app, which pushes it to the app by SCIM")
				u, err := tn.AddOktaUser(ctx, "Alice", "Anders")
				Expect(err).NotTo(HaveOccurred())
				Expect(tn.Assign(ctx, u)).To(Succeed())

				By("finding the member with Okta's own lookup, GET /Users?filter=userName eq")
				found, err := tn.SCIM.FindUsers(ctx, u.Login)
				Expect(err).NotTo(HaveOccurred())
				Expect(found).To(HaveLen(1), "the pushed user must be found by userName (Okta looks users up this way)")
				Expect(found[0]).To(HaveKeyWithValue("userName", u.Login))
				Expect(found[0]).To(HaveKeyWithValue("active", true))

				By("signing in: login page, Single Sign On (SSO), organization, Continue, Sign in with Okta, Okta sign-in")
				page := su.newPage(ctx)
				out, err := harness.SignInWithOkta(ctx, su.pages(), page, tn.Org, u.Login, tn.Password(u))
				Expect(err).NotTo(HaveOccurred())
				su.attachScreenshot(ctx, page, "signed-in")
				Expect(out.SignedIn).To(BeTrue(), "the app must sign the user in; it showed: %q at %s", out.Error, out.URL)
				Expect(out.Name).To(Equal("Alice Anders"), "the signed-in page must show the member's name")

				By("asking the app who is signed in, in the browser's own session")
				me := whoAmI(ctx, page)
				Expect(me.status).To(Equal(http.StatusOK))
				Expect(me.Email).To(Equal(u.Login))
				Expect(me.Org).To(Equal(tn.Org))
				Expect(me.Role).To(Equal("member"), "a provisioned user joins with the org's default role")
			})
		})

		Context("when the app holds a wrong client secret", func() {
			It("OIDC-NEG-CLIENT-SECRET: ends on a clear error page and creates no session", KindNegative, func(ctx SpecContext) {
				tn, err := su.stack.NewTenant(ctx, harness.TenantSpec{Name: "badsecret", ClientSecret: "not-the-secret-okta-issued-0123456789"})
				Expect(err).NotTo(HaveOccurred())
				u, err := tn.AddOktaUser(ctx, "Bob", "Brown")
				Expect(err).NotTo(HaveOccurred())
				Expect(tn.Assign(ctx, u)).To(Succeed())

				page := su.newPage(ctx)
				out, err := harness.SignInWithOkta(ctx, su.pages(), page, tn.Org, u.Login, tn.Password(u))
				Expect(err).NotTo(HaveOccurred())
				su.attachScreenshot(ctx, page, "refused")
				Expect(out.SignedIn).To(BeFalse(), "the token request fails with invalid_client, so no one may be signed in")
				Expect(out.Error).To(ContainSubstring("invalid_client"), "the error page must say what went wrong")

				me := whoAmI(ctx, page)
				Expect(me.status).To(Equal(http.StatusUnauthorized), "no session may exist after a refused sign-in")
			})
		})
	})
}

// member is the app's answer to GET /api/v1/me.
type member struct {
	status int
	Email  string `json:"email"`
	Name   string `json:"name"`
	Org    string `json:"org"`
	Role   string `json:"role"`
}

func whoAmI(ctx SpecContext, page *browser.Page) member {
	GinkgoHelper()
	status, body, err := page.Fetch(ctx, "/api/v1/me")
	Expect(err).NotTo(HaveOccurred())
	m := member{status: status}
	if status == http.StatusOK {
		Expect(json.Unmarshal([]byte(body), &m)).To(Succeed(), "GET /api/v1/me must answer JSON, got %q", body)
	}
	return m
}

// headlessWhoAmI asks the app who is signed in for a headless client's session; the session must exist.
func (su *Suite) headlessWhoAmI(ctx SpecContext, client *http.Client) member {
	GinkgoHelper()
	m := headlessMember(ctx, client, su.stack.App.URL)
	Expect(m.status).To(Equal(http.StatusOK), "GET /api/v1/me must answer 200 for a signed-in session, got %d", m.status)
	return m
}

// headlessMember asks the app at appURL who is signed in for a headless client's session: the status,
// and the member when it is 200.
func headlessMember(ctx SpecContext, client *http.Client, appURL string) member {
	GinkgoHelper()
	status, body, err := harness.HeadlessGet(ctx, client, appURL+"/api/v1/me")
	Expect(err).NotTo(HaveOccurred())
	m := member{status: status}
	if status == http.StatusOK {
		Expect(json.Unmarshal([]byte(body), &m)).To(Succeed(), "GET /api/v1/me must answer JSON, got %q", body)
	}
	return m
}
