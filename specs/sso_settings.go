package specs

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ssoconform/ssoconform/harness"
	"github.com/ssoconform/ssoconform/harness/browser"
)

// The organization settings of the reference app: the OKTA AUTHENTICATION page, account-linking emails,
// "Require your organization members to use SSO", the support reset, plans and members.
func (su *Suite) describeSsoSettings() {
	Describe("Organization settings", Browser, FeatureSettings, func() {
		// adminPage signs the tenant's admin in with their password and returns the page.
		adminPage := func(ctx SpecContext, tn *harness.Tenant) *browser.Page {
			GinkgoHelper()
			p := su.newPage(ctx)
			out, err := harness.PasswordSignIn(ctx, p, su.stack.App.URL, tn.AdminEmail, tn.AdminPassword)
			Expect(err).NotTo(HaveOccurred())
			Expect(out.SignedIn).To(BeTrue(), "the admin must sign in with their password; the app said %q", out.Error)
			return p
		}

		Context("when an admin connects Okta on the OKTA AUTHENTICATION page", func() {
			It("SSO-SETTINGS-SAVE: saves the settings, shows what to copy into Okta and never renders the client secret", ProtocolOIDC, KindPositive, SpecTimeout(2*time.Minute), func(ctx SpecContext) {
				tn, err := su.stack.NewTenant(ctx, harness.TenantSpec{Name: "settings"})
				Expect(err).NotTo(HaveOccurred())
				p := adminPage(ctx, tn)

				By("Organization, Single sign on (SSO) Authentication: Okta, Connect")
				Expect(harness.OpenOktaSettings(ctx, p, su.stack.App.URL)).To(Succeed())
				su.attachScreenshot(ctx, p, "okta-page")

				By("entering the Client ID, Client Secret and Metadata URL and clicking Save settings")
				saved, msg, err := harness.SaveOktaSettings(ctx, p, harness.OktaForm{OIDC: true, ClientID: tn.OIDCApp.ClientID,
					ClientSecret: tn.OIDCApp.ClientSecret, MetadataURL: tn.IdPOrg.DiscoveryURL()})
				Expect(err).NotTo(HaveOccurred())
				su.attachScreenshot(ctx, p, "saved")
				Expect(saved).To(BeTrue(), "saving valid settings must succeed; the page said %q", msg)

				By("reading the page back: the redirect URI is shown, the secret never is")
				status, html, err := p.Fetch(ctx, "/settings/sso/okta")
				Expect(err).NotTo(HaveOccurred())
				Expect(status).To(Equal(http.StatusOK))
				Expect(html).To(ContainSubstring(su.stack.App.URL+"/sso/oidc/callback"), "the page must show the redirect URI to enter in Okta")
				Expect(html).NotTo(ContainSubstring(tn.OIDCApp.ClientSecret), "the client secret is write-only")
			})

			It("SSO-SETTINGS-BAD-METADATA: refuses unreachable metadata with a clear message and keeps the previous settings", ProtocolOIDC, KindNegative, SpecTimeout(2*time.Minute), func(ctx SpecContext) {
				tn, err := su.stack.NewTenant(ctx, harness.TenantSpec{Name: "badmeta"})
				Expect(err).NotTo(HaveOccurred())
				p := adminPage(ctx, tn)
				Expect(harness.OpenOktaSettings(ctx, p, su.stack.App.URL)).To(Succeed())
				saved, msg, err := harness.SaveOktaSettings(ctx, p, harness.OktaForm{OIDC: true,
					MetadataURL: "http://127.0.0.1:1/.well-known/openid-configuration"})
				Expect(err).NotTo(HaveOccurred())
				su.attachScreenshot(ctx, p, "refused")
				Expect(saved).To(BeFalse(), "unreachable metadata must be refused")
				Expect(msg).To(ContainSubstring("previous settings are unchanged"))

				info, err := su.stack.App.SSOShow(ctx, tn.Org)
				Expect(err).NotTo(HaveOccurred())
				Expect(info.MetadataURL).To(Equal(tn.IdPOrg.DiscoveryURL()), "the previous working configuration must be kept")
			})
		})

		Context("when SSO is saved", func() {
			It("SSO-LINK-EMAIL: emails every member a single-use link that links their Okta identity", ProtocolOIDC, KindPositive, SpecTimeout(3*time.Minute), func(ctx SpecContext) {
				tn, err := su.stack.NewTenant(ctx, harness.TenantSpec{Name: "linkmail"})
				Expect(err).NotTo(HaveOccurred())
				// connecting the tenant already invited the admin; a new save replaces that link, so the spec
				// waits for the first mail before saving and then reads only what the save sent
				_, err = harness.LinkFromMail(ctx, su.stack.Mail, tn.AdminEmail, time.Time{})
				Expect(err).NotTo(HaveOccurred(), "connecting SSO from the CLI must invite the members too")
				By("adding two more members, each with an Okta account of the same email")
				users := map[string]oktaUser{}
				for _, first := range []string{"admin", "bea", "cy"} { // admin@ORG.test is the refapp admin
					u, err := tn.AddOktaUser(ctx, first, "Linker")
					Expect(err).NotTo(HaveOccurred())
					if first != "admin" {
						Expect(su.stack.App.AddMember(ctx, tn.Org, u.Login, "member")).To(Succeed())
					}
					Expect(tn.Assign(ctx, u)).To(Succeed())
					users[u.Login] = u
				}
				p := adminPage(ctx, tn)
				Expect(harness.OpenOktaSettings(ctx, p, su.stack.App.URL)).To(Succeed())
				before := time.Now()
				saved, msg, err := harness.SaveOktaSettings(ctx, p, harness.OktaForm{OIDC: true})
				Expect(err).NotTo(HaveOccurred())
				Expect(saved).To(BeTrue(), msg)

				By("reading one account-linking email per member in the mail sink")
				links := map[string]string{}
				for email := range users {
					wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
					link, err := harness.LinkFromMail(wctx, su.stack.Mail, email, before)
					cancel()
					Expect(err).NotTo(HaveOccurred(), "saving SSO must mail every member, %s too", email)
					links[email] = link
				}
				Expect(links).To(HaveLen(3))
				Expect(slices.Compact(slices.Sorted(maps.Values(links)))).To(HaveLen(3), "each member gets a link of their own")

				By("the admin follows their link through Okta sign-in in the browser")
				q := su.newPage(ctx)
				Expect(q.Open(ctx, links[tn.AdminEmail])).To(Succeed())
				su.attachScreenshot(ctx, q, "link-page")
				Expect(q.Click(ctx, "#link-confirm")).To(Succeed())
				admin := users[tn.AdminEmail]
				Expect(harness.OktaSignIn(ctx, q, admin.Login, tn.Password(admin))).To(Succeed())
				out, err := su.pages().Outcome(ctx, q)
				Expect(err).NotTo(HaveOccurred())
				su.attachScreenshot(ctx, q, "linked")
				Expect(out.SignedIn).To(BeTrue(), "following the link through Okta must sign in and link; the app said %q", out.Error)

				By("the two other members follow theirs, each signing in as themselves")
				for email, u := range users {
					if email == tn.AdminEmail {
						continue
					}
					client := harness.HeadlessClient()
					Expect(harness.HeadlessFollowLink(ctx, client, su.stack.App.URL, links[email], u.Login, tn.Password(u))).To(Succeed())
					Expect(su.headlessWhoAmI(ctx, client).Email).To(Equal(email), "a member's link signs in as that member")
					client.CloseIdleConnections()
				}

				By("the audit log records the links")
				_, audit, err := p.Fetch(ctx, "/settings/audit")
				Expect(err).NotTo(HaveOccurred())
				Expect(strings.Count(audit, `data-action="sso.link"`)).To(Equal(3), "linking each Okta identity must be audited once")

				By("using the admin's link a second time")
				r := su.newPage(ctx)
				Expect(r.Open(ctx, links[tn.AdminEmail])).To(Succeed())
				text, err := r.Text(ctx, "#error")
				Expect(err).NotTo(HaveOccurred())
				Expect(text).To(ContainSubstring("already used"), "a link works once")
			})
		})

		Context(`when "Require your organization members to use SSO" is on`, func() {
			It("SSO-ENFORCE-PASSWORD: refuses password sign-in with a clear message", ProtocolOIDC, KindNegative, SpecTimeout(2*time.Minute), func(ctx SpecContext) {
				tn, err := su.stack.NewTenant(ctx, harness.TenantSpec{Name: "enforce"})
				Expect(err).NotTo(HaveOccurred())
				p := adminPage(ctx, tn)
				Expect(harness.OpenOktaSettings(ctx, p, su.stack.App.URL)).To(Succeed())
				saved, msg, err := harness.SaveOktaSettings(ctx, p, harness.OktaForm{OIDC: true, ToggleEnforce: true})
				Expect(err).NotTo(HaveOccurred())
				Expect(saved).To(BeTrue(), msg)

				q := su.newPage(ctx)
				out, err := harness.PasswordSignIn(ctx, q, su.stack.App.URL, tn.AdminEmail, tn.AdminPassword)
				Expect(err).NotTo(HaveOccurred())
				su.attachScreenshot(ctx, q, "refused")
				Expect(out.SignedIn).To(BeFalse(), "password sign-in must be refused when the org requires SSO")
				Expect(out.Error).To(ContainSubstring("Your organization requires Okta SSO"))
				Expect(whoAmI(ctx, q).status).To(Equal(http.StatusUnauthorized))
			})

			It("SSO-RESET: `refapp sso reset` lifts enforcement and the audit log shows it", KindPositive, SpecTimeout(2*time.Minute), func(ctx SpecContext) {
				tn, err := su.stack.NewTenant(ctx, harness.TenantSpec{Name: "reset"})
				Expect(err).NotTo(HaveOccurred())
				_, err = su.stack.App.CLI(ctx, tn.OIDCApp.ClientSecret, "sso", "set", "--org", tn.Org, "--protocol", "oidc",
					"--metadata-url", tn.IdPOrg.DiscoveryURL(), "--client-id", tn.OIDCApp.ClientID, "--client-secret-file", "-",
					"--default-role", "member", "--sync", "--enforce")
				Expect(err).NotTo(HaveOccurred())
				p := su.newPage(ctx)
				out, err := harness.PasswordSignIn(ctx, p, su.stack.App.URL, tn.AdminEmail, tn.AdminPassword)
				Expect(err).NotTo(HaveOccurred())
				Expect(out.SignedIn).To(BeFalse(), "enforcement is on")

				By("support runs refapp sso reset --org NAME")
				_, err = su.stack.App.CLI(ctx, "", "sso", "reset", "--org", tn.Org)
				Expect(err).NotTo(HaveOccurred())
				p = adminPage(ctx, tn)
				Expect(p.Open(ctx, su.stack.App.URL+"/settings/audit")).To(Succeed())
				text, err := p.Text(ctx, "#audit-log")
				Expect(err).NotTo(HaveOccurred())
				su.attachScreenshot(ctx, p, "audit")
				Expect(text).To(ContainSubstring("sso.reset"))
				Expect(text).To(ContainSubstring("support"))
				Expect(text).To(ContainSubstring("password.refused"))
			})
		})

		Context("when the organization is on the free plan", func() {
			It("ORG-FREE-PLAN: an organization with SSO and sync on that moves to the free plan shows an upgrade message, and SCIM answers 403 because of the plan", ProtocolSCIM, KindNegative, SpecTimeout(2*time.Minute), func(ctx SpecContext) {
				tn, err := su.stack.NewTenant(ctx, harness.TenantSpec{Name: "free"})
				Expect(err).NotTo(HaveOccurred())
				r, err := tn.SCIM.Do(ctx, http.MethodGet, "/Users?count=1", nil)
				Expect(err).NotTo(HaveOccurred())
				Expect(r.Status).To(Equal(http.StatusOK), "on the pro plan, with SSO and sync on, the key works:\n%s", r.Transcript())

				By("support moves the organization to the free plan; its SSO settings, sync and key stay")
				Expect(su.stack.App.SetPlan(ctx, tn.Org, "free")).To(Succeed())
				r, err = tn.SCIM.Do(ctx, http.MethodGet, "/Users?count=1", nil)
				Expect(err).NotTo(HaveOccurred())
				Expect(r.Status).To(Equal(http.StatusForbidden), "SCIM is for pro and enterprise only:\n%s", r.Transcript())
				Expect(r.JSON).To(HaveKeyWithValue("detail", ContainSubstring("plan")), "the refusal must come from the plan:\n%s", r.Transcript())

				p := adminPage(ctx, tn)
				Expect(p.Open(ctx, su.stack.App.URL+"/settings/organization")).To(Succeed())
				text, err := p.Text(ctx, "#upgrade")
				Expect(err).NotTo(HaveOccurred())
				su.attachScreenshot(ctx, p, "upgrade")
				Expect(text).To(ContainSubstring("Pro and Enterprise"))
				status, _, err := p.Fetch(ctx, "/settings/sso/okta")
				Expect(err).NotTo(HaveOccurred())
				Expect(status).To(Equal(http.StatusForbidden), "the Okta page of a free org must answer 403")
			})
		})

		Context("when an admin manages members", func() {
			It("MEMBERS-LAST-ADMIN: refuses to remove the last admin", KindNegative, SpecTimeout(2*time.Minute), func(ctx SpecContext) {
				tn, err := su.stack.NewTenant(ctx, harness.TenantSpec{Name: "lastadmin"})
				Expect(err).NotTo(HaveOccurred())
				p := adminPage(ctx, tn)
				Expect(p.Open(ctx, su.stack.App.URL+"/settings/members")).To(Succeed())
				Expect(p.Click(ctx, `tr[data-email="`+tn.AdminEmail+`"] button.danger`)).To(Succeed())
				text, err := p.Text(ctx, "#page-error")
				Expect(err).NotTo(HaveOccurred())
				su.attachScreenshot(ctx, p, "refused")
				Expect(text).To(ContainSubstring("always keeps an admin"))
				Expect(whoAmI(ctx, p).status).To(Equal(http.StatusOK), "the admin is still a member")
			})
		})
	})
}
