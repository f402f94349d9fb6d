package specs

import (
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ssoconform/ssoconform/harness"
	"github.com/ssoconform/ssoconform/harness/browser"
)

// The organization settings of the reference app: the OKTA AUTHENTICATION page, account-linking emails,
// "Require your organization members to use SSO", the support reset, plans and members.
var _ = Describe("Organization settings", Browser, FeatureSettings, func() {
	// adminPage signs the tenant's admin in with their password and returns the page.
	adminPage := func(ctx SpecContext, tn *harness.Tenant) *browser.Page {
		GinkgoHelper()
		p := newPage(ctx)
		out, err := harness.PasswordSignIn(ctx, p, stack.App.URL, tn.AdminEmail, tn.AdminPassword)
		Expect(err).NotTo(HaveOccurred())
		Expect(out.SignedIn).To(BeTrue(), "the admin must sign in with their password; the app said %q", out.Error)
		return p
	}

	Context("when an admin connects Okta on the OKTA AUTHENTICATION page", func() {
		It("SSO-SETTINGS-SAVE: saves the settings, shows what to copy into Okta and never renders the client secret", ProtocolOIDC, KindPositive, SpecTimeout(2*time.Minute), func(ctx SpecContext) {
			tn, err := stack.NewTenant(ctx, harness.TenantSpec{Name: "settings"})
			Expect(err).NotTo(HaveOccurred())
			p := adminPage(ctx, tn)

			By("Organization, Single sign on (SSO) Authentication: Okta, Connect")
			Expect(harness.OpenOktaSettings(ctx, p, stack.App.URL)).To(Succeed())
			attachScreenshot(ctx, p, "okta-page")

			By("entering the Client ID, Client Secret and Metadata URL and clicking Save settings")
			saved, msg, err := harness.SaveOktaSettings(ctx, p, harness.OktaForm{OIDC: true, ClientID: tn.OIDCApp.ClientID,
				ClientSecret: tn.OIDCApp.ClientSecret, MetadataURL: tn.IdPOrg.DiscoveryURL()})
			Expect(err).NotTo(HaveOccurred())
			attachScreenshot(ctx, p, "saved")
			Expect(saved).To(BeTrue(), "saving valid settings must succeed; the page said %q", msg)

			By("reading the page back: the redirect URI is shown, the secret never is")
			status, html, err := p.Fetch(ctx, "/settings/sso/okta")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(http.StatusOK))
			Expect(html).To(ContainSubstring(stack.App.URL+"/sso/oidc/callback"), "the page must show the redirect URI to enter in Okta")
			Expect(html).NotTo(ContainSubstring(tn.OIDCApp.ClientSecret), "the client secret is write-only")
		})

		It("SSO-SETTINGS-BAD-METADATA: refuses unreachable metadata with a clear message and keeps the previous settings", ProtocolOIDC, KindNegative, SpecTimeout(2*time.Minute), func(ctx SpecContext) {
			tn, err := stack.NewTenant(ctx, harness.TenantSpec{Name: "badmeta"})
			Expect(err).NotTo(HaveOccurred())
			p := adminPage(ctx, tn)
			Expect(harness.OpenOktaSettings(ctx, p, stack.App.URL)).To(Succeed())
			saved, msg, err := harness.SaveOktaSettings(ctx, p, harness.OktaForm{OIDC: true,
				MetadataURL: "http://127.0.0.1:1/.well-known/openid-configuration"})
			Expect(err).NotTo(HaveOccurred())
			attachScreenshot(ctx, p, "refused")
			Expect(saved).To(BeFalse(), "unreachable metadata must be refused")
			Expect(msg).To(ContainSubstring("previous settings are unchanged"))

			info, err := stack.App.SSOShow(ctx, tn.Org)
			Expect(err).NotTo(HaveOccurred())
			Expect(info.MetadataURL).To(Equal(tn.IdPOrg.DiscoveryURL()), "the previous working configuration must be kept")
		})
	})

	Context("when SSO is saved", func() {
		It("SSO-LINK-EMAIL: emails every member a single-use link that links their Okta identity", ProtocolOIDC, KindPositive, SpecTimeout(2*time.Minute), func(ctx SpecContext) {
			tn, err := stack.NewTenant(ctx, harness.TenantSpec{Name: "linkmail"})
			Expect(err).NotTo(HaveOccurred())
			u, err := tn.AddOktaUser(ctx, "admin", "Owner") // admin@ORG.test: the refapp admin's email
			Expect(err).NotTo(HaveOccurred())
			Expect(tn.Assign(ctx, u)).To(Succeed())
			// connecting the tenant already invited the admin; a new save replaces that link, so the spec
			// waits for the first mail before saving and then reads only what the save sent
			_, err = harness.LinkFromMail(ctx, stack.Mail, tn.AdminEmail, time.Time{})
			Expect(err).NotTo(HaveOccurred(), "connecting SSO from the CLI must invite the members too")
			p := adminPage(ctx, tn)
			Expect(harness.OpenOktaSettings(ctx, p, stack.App.URL)).To(Succeed())
			before := time.Now()
			saved, msg, err := harness.SaveOktaSettings(ctx, p, harness.OktaForm{OIDC: true})
			Expect(err).NotTo(HaveOccurred())
			Expect(saved).To(BeTrue(), msg)

			By("reading the account-linking email in the mail sink")
			link, err := harness.LinkFromMail(ctx, stack.Mail, tn.AdminEmail, before)
			Expect(err).NotTo(HaveOccurred())

			By("following the link through Okta sign-in")
			q := newPage(ctx)
			Expect(q.Open(ctx, link)).To(Succeed())
			attachScreenshot(ctx, q, "link-page")
			Expect(q.Click(ctx, "#link-confirm")).To(Succeed())
			Expect(harness.OktaSignIn(ctx, q, u.Login, tn.Password(u))).To(Succeed())
			out, err := stack.Driver.Outcome(ctx, q)
			Expect(err).NotTo(HaveOccurred())
			attachScreenshot(ctx, q, "linked")
			Expect(out.SignedIn).To(BeTrue(), "following the link through Okta must sign in and link; the app said %q", out.Error)

			By("the audit log records the link")
			_, audit, err := p.Fetch(ctx, "/settings/audit")
			Expect(err).NotTo(HaveOccurred())
			Expect(audit).To(ContainSubstring("sso.link"), "linking the Okta identity must be audited")

			By("using the link a second time")
			r := newPage(ctx)
			Expect(r.Open(ctx, link)).To(Succeed())
			text, err := r.Text(ctx, "#error")
			Expect(err).NotTo(HaveOccurred())
			Expect(text).To(ContainSubstring("already used"), "a link works once")
		})
	})

	Context(`when "Require your organization members to use SSO" is on`, func() {
		It("SSO-ENFORCE-PASSWORD: refuses password sign-in with a clear message", ProtocolOIDC, KindNegative, SpecTimeout(2*time.Minute), func(ctx SpecContext) {
			tn, err := stack.NewTenant(ctx, harness.TenantSpec{Name: "enforce"})
			Expect(err).NotTo(HaveOccurred())
			p := adminPage(ctx, tn)
			Expect(harness.OpenOktaSettings(ctx, p, stack.App.URL)).To(Succeed())
			saved, msg, err := harness.SaveOktaSettings(ctx, p, harness.OktaForm{OIDC: true, ToggleEnforce: true})
			Expect(err).NotTo(HaveOccurred())
			Expect(saved).To(BeTrue(), msg)

			q := newPage(ctx)
			out, err := harness.PasswordSignIn(ctx, q, stack.App.URL, tn.AdminEmail, tn.AdminPassword)
			Expect(err).NotTo(HaveOccurred())
			attachScreenshot(ctx, q, "refused")
			Expect(out.SignedIn).To(BeFalse(), "password sign-in must be refused when the org requires SSO")
			Expect(out.Error).To(ContainSubstring("Your organization requires Okta SSO"))
			Expect(whoAmI(ctx, q).status).To(Equal(http.StatusUnauthorized))
		})

		It("SSO-RESET: `refapp sso reset` lifts enforcement and the audit log shows it", KindPositive, SpecTimeout(2*time.Minute), func(ctx SpecContext) {
			tn, err := stack.NewTenant(ctx, harness.TenantSpec{Name: "reset"})
			Expect(err).NotTo(HaveOccurred())
			_, err = stack.App.CLI(ctx, tn.OIDCApp.ClientSecret, "sso", "set", "--org", tn.Org, "--protocol", "oidc",
				"--metadata-url", tn.IdPOrg.DiscoveryURL(), "--client-id", tn.OIDCApp.ClientID, "--client-secret-file", "-",
				"--default-role", "member", "--sync", "--enforce")
			Expect(err).NotTo(HaveOccurred())
			p := newPage(ctx)
			out, err := harness.PasswordSignIn(ctx, p, stack.App.URL, tn.AdminEmail, tn.AdminPassword)
			Expect(err).NotTo(HaveOccurred())
			Expect(out.SignedIn).To(BeFalse(), "enforcement is on")

			By("support runs refapp sso reset --org NAME")
			_, err = stack.App.CLI(ctx, "", "sso", "reset", "--org", tn.Org)
			Expect(err).NotTo(HaveOccurred())
			p = adminPage(ctx, tn)
			Expect(p.Open(ctx, stack.App.URL+"/settings/audit")).To(Succeed())
			text, err := p.Text(ctx, "#audit-log")
			Expect(err).NotTo(HaveOccurred())
			attachScreenshot(ctx, p, "audit")
			Expect(text).To(ContainSubstring("sso.reset"))
			Expect(text).To(ContainSubstring("support"))
			Expect(text).To(ContainSubstring("password.refused"))
		})
	})

	Context("when the organization is on the free plan", func() {
		It("ORG-FREE-PLAN: shows an upgrade message and SCIM answers 403", ProtocolSCIM, KindNegative, SpecTimeout(2*time.Minute), func(ctx SpecContext) {
			name := "free-" + strings.ToLower(strings.ReplaceAll(time.Now().Format("150405.000000"), ".", ""))
			email, pw := "admin@"+name+".test", "free plan password"
			Expect(stack.App.CreateOrg(ctx, harness.OrgSpec{Name: name, Plan: "free", AdminEmail: email, AdminPassword: pw})).To(Succeed())
			key, err := stack.App.CreateAPIKey(ctx, name, "scim")
			Expect(err).NotTo(HaveOccurred())
			p := newPage(ctx)
			out, err := harness.PasswordSignIn(ctx, p, stack.App.URL, email, pw)
			Expect(err).NotTo(HaveOccurred())
			Expect(out.SignedIn).To(BeTrue(), out.Error)
			Expect(p.Open(ctx, stack.App.URL+"/settings/organization")).To(Succeed())
			text, err := p.Text(ctx, "#upgrade")
			Expect(err).NotTo(HaveOccurred())
			attachScreenshot(ctx, p, "upgrade")
			Expect(text).To(ContainSubstring("Pro and Enterprise"))
			status, _, err := p.Fetch(ctx, "/settings/sso/okta")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(http.StatusForbidden), "the Okta page of a free org must answer 403")

			req, err := http.NewRequestWithContext(ctx, http.MethodGet, stack.App.LocalURL+"/scim/v2/Users", nil)
			Expect(err).NotTo(HaveOccurred())
			req.Header.Set("Authorization", "Bearer "+key)
			resp, err := http.DefaultClient.Do(req)
			Expect(err).NotTo(HaveOccurred())
			resp.Body.Close()
			Expect(resp.StatusCode).To(Equal(http.StatusForbidden), "SCIM is for pro and enterprise only")
		})
	})

	Context("when an admin manages members", func() {
		It("MEMBERS-LAST-ADMIN: refuses to remove the last admin", KindNegative, SpecTimeout(2*time.Minute), func(ctx SpecContext) {
			tn, err := stack.NewTenant(ctx, harness.TenantSpec{Name: "lastadmin"})
			Expect(err).NotTo(HaveOccurred())
			p := adminPage(ctx, tn)
			Expect(p.Open(ctx, stack.App.URL+"/settings/members")).To(Succeed())
			Expect(p.Click(ctx, `tr[data-email="`+tn.AdminEmail+`"] button.danger`)).To(Succeed())
			text, err := p.Text(ctx, "#page-error")
			Expect(err).NotTo(HaveOccurred())
			attachScreenshot(ctx, p, "refused")
			Expect(text).To(ContainSubstring("always keeps an admin"))
			Expect(whoAmI(ctx, p).status).To(Equal(http.StatusOK), "the admin is still a member")
		})
	})
})
