package specs

import (
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ssoconform/ssoconform/harness"
	"github.com/ssoconform/ssoconform/harness/browser"
)

// The seed's OKTA AUTHENTICATION steps done in the browser for what the other settings specs leave out:
// "Select the SAML protocol. Enter the Metadata URL" and "Select the Default Role the new members will be
// assigned to". Each spec saves the page, reads the saved values back, and then has a user sign in
// through the mock Okta (headless: the page being judged is the settings page, not the sign-in).
func (su *Suite) describeSeedSettings() {
	Describe("The OKTA AUTHENTICATION page, step by step", Browser, FeatureSettings, func() {
		It("SSO-SETTINGS-SAML: an admin selects SAML and enters the Identity Provider Metadata URL; the settings are saved and a user then signs in over SAML", ProtocolSAML, KindPositive, SpecTimeout(3*time.Minute), func(ctx SpecContext) {
			tn, err := su.stack.NewTenant(ctx, harness.TenantSpec{Name: "samlpage"})
			Expect(err).NotTo(HaveOccurred())
			By("adding a SAML 2.0 app integration for the app in Okta (the app is still connected over OIDC)")
			Expect(tn.UseSAMLApp(ctx, su.stack.App)).To(Succeed())

			p := su.settingsAdminPage(ctx, tn)
			Expect(harness.OpenOktaSettings(ctx, p, su.stack.App.URL)).To(Succeed())
			saved, msg, err := harness.SaveOktaSettings(ctx, p, harness.OktaForm{IdPMetadataURL: tn.SAMLApp.MetadataURL})
			Expect(err).NotTo(HaveOccurred())
			su.attachScreenshot(ctx, p, "saved")
			Expect(saved).To(BeTrue(), "saving SAML settings must succeed; the page said %q", msg)

			By("reading the saved settings back, from the app and from the page")
			info, err := su.stack.App.SSOShow(ctx, tn.Org)
			Expect(err).NotTo(HaveOccurred())
			Expect(info.Protocol).To(Equal("saml"), "the page must save the SAML protocol the admin selected")
			Expect(info.MetadataURL).To(Equal(tn.SAMLApp.MetadataURL), "the page must save the Identity Provider Metadata URL")
			status, html, err := p.Fetch(ctx, "/settings/sso/okta")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(http.StatusOK))
			Expect(html).To(ContainSubstring(`value="saml" checked`), "the page must show SAML selected")
			Expect(html).To(ContainSubstring(tn.SAMLApp.MetadataURL), "the page must show the saved metadata URL")

			By("a user assigned to the SAML app only signs in through the mock Okta (over OIDC Okta would refuse them)")
			u, err := tn.AddOktaUser(ctx, "Sara", "Samlpage")
			Expect(err).NotTo(HaveOccurred())
			Expect(tn.Assign(ctx, u)).To(Succeed())
			me := su.headlessSignedIn(ctx, tn, u)
			Expect(me.Email).To(Equal(u.Login))
			Expect(me.Org).To(Equal(tn.Org))
		})

		It("SSO-SETTINGS-DEFAULT-ROLE: an admin chooses viewer in the Default Role drop-down; the role is saved and a user Okta pushes next joins as viewer", ProtocolOIDC, KindPositive, SpecTimeout(3*time.Minute), func(ctx SpecContext) {
			tn, err := su.stack.NewTenant(ctx, harness.TenantSpec{Name: "rolepage"}) // Default Role: member
			Expect(err).NotTo(HaveOccurred())
			p := su.settingsAdminPage(ctx, tn)
			Expect(harness.OpenOktaSettings(ctx, p, su.stack.App.URL)).To(Succeed())
			saved, msg, err := harness.SaveOktaSettings(ctx, p, harness.OktaForm{OIDC: true, DefaultRole: "viewer"})
			Expect(err).NotTo(HaveOccurred())
			su.attachScreenshot(ctx, p, "saved")
			Expect(saved).To(BeTrue(), "saving the Default Role must succeed; the page said %q", msg)

			By("reading the saved role back, from the app and from the page")
			info, err := su.stack.App.SSOShow(ctx, tn.Org)
			Expect(err).NotTo(HaveOccurred())
			Expect(info.DefaultRole).To(Equal("viewer"), "the page must save the role chosen in the drop-down")
			_, html, err := p.Fetch(ctx, "/settings/sso/okta")
			Expect(err).NotTo(HaveOccurred())
			Expect(html).To(ContainSubstring(`<option value="viewer" selected>`), "the drop-down must show the saved role")

			By("Okta pushing a new user, who then signs in")
			u, err := tn.AddOktaUser(ctx, "Vera", "Rolepage")
			Expect(err).NotTo(HaveOccurred())
			Expect(tn.Assign(ctx, u)).To(Succeed())
			me := su.headlessSignedIn(ctx, tn, u)
			Expect(me.Role).To(Equal("viewer"), "a new member gets the Default Role chosen on the page, not the usual member")
		})
	})
}

// settingsAdminPage signs the tenant's admin in with their password in a new page.
func (su *Suite) settingsAdminPage(ctx SpecContext, tn *harness.Tenant) *browser.Page {
	GinkgoHelper()
	p := su.newPage(ctx)
	out, err := harness.PasswordSignIn(ctx, p, su.stack.App.URL, tn.AdminEmail, tn.AdminPassword)
	Expect(err).NotTo(HaveOccurred())
	Expect(out.SignedIn).To(BeTrue(), "the admin must sign in with their password; the app said %q", out.Error)
	return p
}

// headlessSignedIn signs the Okta user in through the mock Okta without a browser and returns who the
// app says is signed in.
func (su *Suite) headlessSignedIn(ctx SpecContext, tn *harness.Tenant, u oktaUser) member {
	GinkgoHelper()
	client := harness.HeadlessClient()
	DeferCleanup(client.CloseIdleConnections)
	Expect(harness.HeadlessSignIn(ctx, client, su.stack.App.URL, tn.Org, u.Login, tn.Password(u))).To(Succeed(),
		"the user must sign in through Okta")
	return su.headlessWhoAmI(ctx, client)
}
