package specs

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ssoconform/ssoconform/harness"
	"github.com/ssoconform/ssoconform/harness/browser"
)

func (su *Suite) describeSsoSaml() {
	Describe("Okta SSO over SAML and just-in-time members", func() {
		It("SAML-SSO-PUSH-SIGNIN: a user pushed by SCIM signs in over SAML and is linked on first use", ProtocolSAML, KindPositive, Browser, func(ctx SpecContext) {
			tn, err := su.stack.NewTenant(ctx, harness.TenantSpec{Name: "saml", Protocol: "saml"})
			Expect(err).NotTo(HaveOccurred())
			u, err := tn.AddOktaUser(ctx, "Sam", "Sanders")
			Expect(err).NotTo(HaveOccurred())
			Expect(tn.Assign(ctx, u)).To(Succeed())

			page := su.newPage(ctx)
			out, err := harness.SignInWithOkta(ctx, su.pages(), page, tn.Org, u.Login, tn.Password(u))
			Expect(err).NotTo(HaveOccurred())
			su.attachScreenshot(ctx, page, "signed-in")
			Expect(out.SignedIn).To(BeTrue(), "the app must sign the user in; it showed %q at %s", out.Error, out.URL)
			Expect(out.Name).To(Equal("Sam Sanders"))
			me := whoAmI(ctx, page)
			Expect(me.status).To(Equal(http.StatusOK))
			Expect(me.Email).To(Equal(u.Login))
			Expect(me.Org).To(Equal(tn.Org))
		})

		DescribeTable("someone new joins with the Default Role (just in time)",
			func(ctx SpecContext, protocol string) {
				tn, err := su.stack.NewTenant(ctx, harness.TenantSpec{Name: "jit", Protocol: protocol, DefaultRole: "viewer"})
				Expect(err).NotTo(HaveOccurred())
				u, err := tn.AddOktaUser(ctx, "Jit", "Joiner")
				Expect(err).NotTo(HaveOccurred())
				Expect(tn.Assign(ctx, u)).To(Succeed())
				By("deleting the pushed member from the app, so the Okta user is new to it")
				found, err := tn.SCIM.FindUsers(ctx, u.Login)
				Expect(err).NotTo(HaveOccurred())
				Expect(found).To(HaveLen(1))
				deleteSCIMUser(ctx, tn, found[0]["id"])

				out, me := su.signIn(ctx, tn, u)
				Expect(out.SignedIn).To(BeTrue(), "a new user joins just in time; the app showed %q", out.Error)
				Expect(me.status).To(Equal(http.StatusOK))
				Expect(me.Role).To(Equal("viewer"), "a just-in-time member gets the Default Role")
			},
			Entry("OIDC-SSO-JIT: over OIDC", ProtocolOIDC, KindPositive, "oidc"),
			Entry("SAML-SSO-JIT: over SAML", ProtocolSAML, KindPositive, "saml"),
		)

		DescribeTable("SSO-UNASSIGNED: a user Okta refuses (not assigned to the app) gets no session", Browser,
			func(ctx SpecContext, protocol, errorSelector string) {
				tn, err := su.stack.NewTenant(ctx, harness.TenantSpec{Name: "unassigned", Protocol: protocol})
				Expect(err).NotTo(HaveOccurred())
				u, err := tn.AddOktaUser(ctx, "Una", "Assigned")
				Expect(err).NotTo(HaveOccurred())

				page := su.newPage(ctx)
				Expect(su.pages().StartSSO(ctx, page, tn.Org)).To(Succeed())
				Expect(harness.OktaSignIn(ctx, page, u.Login, tn.Password(u))).To(Succeed())
				which, err := page.WaitAny(ctx, "#member-name", errorSelector)
				Expect(err).NotTo(HaveOccurred())
				su.attachScreenshot(ctx, page, "refused")
				Expect(which).To(Equal(errorSelector))
				if protocol == "oidc" {
					text, err := page.Text(ctx, errorSelector)
					Expect(err).NotTo(HaveOccurred())
					Expect(text).To(ContainSubstring("access_denied"), "refapp must show Okta's error")
				}
				su.expectNoSession(ctx, page)
			},
			Entry("SSO-UNASSIGNED-OIDC: refapp shows Okta's access_denied", ProtocolOIDC, KindNegative, "oidc", "#error"),
			Entry("SSO-UNASSIGNED-SAML: Okta's 403 page, no SAMLResponse", ProtocolSAML, KindNegative, "saml", "#error-description"),
		)

		It("SSO-ENFORCE-REFUSES-NEWCOMER: with SSO required, someone who is not a member is refused", ProtocolOIDC, KindNegative, func(ctx SpecContext) {
			tn, err := su.stack.NewTenant(ctx, harness.TenantSpec{Name: "enforce", Enforce: true})
			Expect(err).NotTo(HaveOccurred())
			u, err := tn.AddOktaUser(ctx, "Nina", "Newcomer")
			Expect(err).NotTo(HaveOccurred())
			Expect(tn.Assign(ctx, u)).To(Succeed())
			found, err := tn.SCIM.FindUsers(ctx, u.Login)
			Expect(err).NotTo(HaveOccurred())
			Expect(found).To(HaveLen(1))
			deleteSCIMUser(ctx, tn, found[0]["id"])

			out, me := su.signIn(ctx, tn, u)
			Expect(out.SignedIn).To(BeFalse())
			Expect(out.Error).To(ContainSubstring("requires SSO"))
			Expect(me.status).To(Equal(http.StatusUnauthorized), "no session may exist after a refused sign-in")
		})
	})
}

// The other half of "Require your organization members to use SSO": only outsiders are refused.
func (su *Suite) describeSsoSaml2() {
	Describe("Require SSO lets members in", func() {
		It("SSO-ENFORCE-MEMBER-IN: with SSO required, a member Okta provisioned still signs in over SSO", ProtocolOIDC, KindPositive, func(ctx SpecContext) {
			tn, err := su.stack.NewTenant(ctx, harness.TenantSpec{Name: "enforcein", Enforce: true})
			Expect(err).NotTo(HaveOccurred())
			u, err := tn.AddOktaUser(ctx, "Mia", "Member")
			Expect(err).NotTo(HaveOccurred())
			Expect(tn.Assign(ctx, u)).To(Succeed())
			client := harness.HeadlessClient()
			defer client.CloseIdleConnections()
			Expect(harness.HeadlessSignIn(ctx, client, su.stack.App.URL, tn.Org, u.Login, tn.Password(u))).To(Succeed(),
				"requiring SSO must still let a current member with an Okta account in")
			Expect(su.headlessWhoAmI(ctx, client).Email).To(Equal(u.Login))
		})
	})
}

// deleteSCIMUser deletes a member from refapp through its SCIM server, leaving the Okta user assigned.
func deleteSCIMUser(ctx SpecContext, tn *harness.Tenant, id any) {
	GinkgoHelper()
	s, ok := id.(string)
	Expect(ok).To(BeTrue(), "SCIM id %v", id)
	resp, err := tn.SCIM.Do(ctx, http.MethodDelete, "/Users/"+s, nil)
	Expect(err).NotTo(HaveOccurred())
	Expect(resp.Status).To(Equal(http.StatusNoContent))
}

// expectNoSession checks that the browser has no session with refapp.
func (su *Suite) expectNoSession(ctx SpecContext, page *browser.Page) {
	GinkgoHelper()
	Expect(page.Open(ctx, su.stack.App.URL+"/login")).To(Succeed())
	me := whoAmI(ctx, page)
	Expect(me.status).To(Equal(http.StatusUnauthorized), "no session may exist after a refused sign-in")
}
