package specs

import (
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ssoconform/ssoconform/harness"
)

// The seed's provisioning set-up: "Sync the group & users from your SSO provider" in ORGANIZATION
// SETTINGS, and "an organization API key or a personal API key with the scim scope" as Okta's token.
func (su *Suite) describeSsoKeys() {
	Describe("SCIM set-up in the organization settings", ProtocolSCIM, FeatureSettings, func() {
		It("APIKEY-SCIM-SCOPE: SCIM takes organization and personal API keys with the scim scope and refuses a key without it", KindNegative, func(ctx SpecContext) {
			tn, err := su.stack.NewTenant(ctx, harness.TenantSpec{Name: "keys"})
			Expect(err).NotTo(HaveOccurred())
			personal, err := su.stack.App.CreatePersonalAPIKey(ctx, tn.Org, tn.AdminEmail, "scim")
			Expect(err).NotTo(HaveOccurred())
			noScope, err := su.stack.App.CreateAPIKey(ctx, tn.Org, "org:read")
			Expect(err).NotTo(HaveOccurred())
			for _, k := range []struct {
				what, key string
				want      int
			}{
				{"the organization key with the scim scope", tn.SCIM.Authorization, http.StatusOK},
				{"the admin's personal key with the scim scope", "Bearer " + personal, http.StatusOK},
				{"an organization key without the scim scope", "Bearer " + noScope, http.StatusForbidden},
			} {
				target := tn.SCIM
				target.Authorization = k.key
				r, err := target.Do(ctx, http.MethodGet, "/Users?count=1", nil)
				Expect(err).NotTo(HaveOccurred())
				Expect(r.Status).To(Equal(k.want), "%s:\n%s", k.what, r.Transcript())
				if k.want == http.StatusForbidden {
					Expect(r.JSON).To(HaveKeyWithValue("detail", ContainSubstring("scim scope")), r.Transcript())
				}
			}
		})

		It("SSO-SYNC-TOGGLE: turning \"Sync the group & users\" off on the settings page stops SCIM, turning it on again restores it", Browser, KindNegative, SpecTimeout(2*time.Minute), func(ctx SpecContext) {
			tn, err := su.stack.NewTenant(ctx, harness.TenantSpec{Name: "synctoggle"}) // sync on
			Expect(err).NotTo(HaveOccurred())
			scimStatus := func() int {
				GinkgoHelper()
				r, err := tn.SCIM.Do(ctx, http.MethodGet, "/Users?count=1", nil)
				Expect(err).NotTo(HaveOccurred())
				return r.Status
			}
			Expect(scimStatus()).To(Equal(http.StatusOK), "with sync on, Okta's key works")
			p := su.newPage(ctx)
			out, err := harness.PasswordSignIn(ctx, p, su.stack.App.URL, tn.AdminEmail, tn.AdminPassword)
			Expect(err).NotTo(HaveOccurred())
			Expect(out.SignedIn).To(BeTrue(), out.Error)
			for _, want := range []int{http.StatusForbidden, http.StatusOK} {
				Expect(harness.OpenOktaSettings(ctx, p, su.stack.App.URL)).To(Succeed())
				saved, msg, err := harness.SaveOktaSettings(ctx, p, harness.OktaForm{OIDC: true, ToggleSync: true})
				Expect(err).NotTo(HaveOccurred())
				Expect(saved).To(BeTrue(), msg)
				Expect(scimStatus()).To(Equal(want), "after toggling sync, SCIM must answer %d", want)
			}
			su.attachScreenshot(ctx, p, "sync-on-again")
		})
	})
}
