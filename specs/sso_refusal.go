package specs

import (
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ssoconform/ssoconform/harness"
	"github.com/ssoconform/ssoconform/harness/browser"
)

// One spec per fault of the mock's catalogue (harness.IdPFaults): the fault is turned on for the
// tenant's own app, and refapp must refuse the sign-in, show its error page and create no session.
// Faults that can only be observed another way get their own shape (faultShapes).
func (su *Suite) describeSsoRefusal() {
	Describe("Refusing a bad IdP", Browser, func() {
		for _, f := range harness.IdPFaults() {
			protocol, label := "oidc", ProtocolOIDC
			if strings.HasPrefix(f.Name, "saml-") {
				protocol, label = "saml", ProtocolSAML
			}
			id := strings.ToUpper(protocol) + "-NEG-" + strings.ToUpper(strings.TrimPrefix(strings.TrimPrefix(f.Name, "oidc-"), "saml-"))
			shape, special := faultShapes[f.Name]
			if !special {
				shape = (*Suite).refusedSignIn
			}
			kinds := Labels{KindNegative[0], KindSecurity[0]}
			if f.Name == "saml-no-destination" {
				id, kinds = "SAML-POS-NO-DESTINATION", KindPositive
			}
			It(id+": "+f.Name+" is handled as the rule requires: "+f.Rule, label, kinds, func(ctx SpecContext) {
				shape(su, ctx, protocol, f)
			})
		}
	})
}

// faultShape runs one fault's spec.
type faultShape func(su *Suite, ctx SpecContext, protocol string, f harness.IdPFault)

var faultShapes = map[string]faultShape{
	"saml-no-destination":         (*Suite).acceptedSignIn,
	"saml-replay":                 (*Suite).replayedAssertion,
	"saml-cert-expired":           (*Suite).refusedAfterMetadataRefetch,
	"oidc-discovery-issuer-wrong": (*Suite).refusedAtSave,
	"oidc-code-reusable":          (*Suite).singleUseCallback,
}

// faultTenant makes a tenant over protocol with one assigned user, and turns the fault on for its app.
func (su *Suite) faultTenant(ctx SpecContext, protocol string, faults ...string) (*harness.Tenant, string, string) {
	GinkgoHelper()
	tn, err := su.stack.NewTenant(ctx, harness.TenantSpec{Name: "fault", Protocol: protocol})
	Expect(err).NotTo(HaveOccurred())
	u, err := tn.AddOktaUser(ctx, "Fay", "Fault")
	Expect(err).NotTo(HaveOccurred())
	Expect(tn.Assign(ctx, u)).To(Succeed())
	Expect(tn.SetFaults(ctx, faults...)).To(Succeed())
	return tn, u.Login, tn.Password(u)
}

// expectRefused checks that the app ended on its error page and that the browser has no session.
func expectRefused(ctx SpecContext, out harness.Outcome, f harness.IdPFault) {
	GinkgoHelper()
	Expect(out.SignedIn).To(BeFalse(), "refapp must refuse %s (%s); it signed the user in", f.Name, f.Description)
	Expect(out.Error).To(ContainSubstring("Sign-in failed"), "refapp must show its error page, got %q at %s", out.Error, out.URL)
}

func (su *Suite) expectNoSession(ctx SpecContext, page *browser.Page) {
	GinkgoHelper()
	Expect(page.Open(ctx, su.stack.App.URL+"/login")).To(Succeed())
	me := whoAmI(ctx, page)
	Expect(me.status).To(Equal(http.StatusUnauthorized), "no session may exist after a refused sign-in")
}

func (su *Suite) refusedSignIn(ctx SpecContext, protocol string, f harness.IdPFault) {
	tn, login, pw := su.faultTenant(ctx, protocol, f.Name)
	page := su.newPage(ctx)
	out, err := harness.SignInWithOkta(ctx, su.pages(), page, tn.Org, login, pw)
	Expect(err).NotTo(HaveOccurred())
	su.attachScreenshot(ctx, page, "refused")
	expectRefused(ctx, out, f)
	su.expectNoSession(ctx, page)
}

func (su *Suite) acceptedSignIn(ctx SpecContext, protocol string, f harness.IdPFault) {
	tn, login, pw := su.faultTenant(ctx, protocol, f.Name)
	page := su.newPage(ctx)
	out, err := harness.SignInWithOkta(ctx, su.pages(), page, tn.Org, login, pw)
	Expect(err).NotTo(HaveOccurred())
	su.attachScreenshot(ctx, page, "signed-in")
	Expect(out.SignedIn).To(BeTrue(), "%s is not a defect; refapp must sign in, it showed %q", f.Name, out.Error)
	Expect(whoAmI(ctx, page).status).To(Equal(http.StatusOK))
}

// replayedAssertion: the first response is normal and signs in; the next carries the same assertion.
func (su *Suite) replayedAssertion(ctx SpecContext, protocol string, f harness.IdPFault) {
	tn, login, pw := su.faultTenant(ctx, protocol, f.Name)
	first := su.newPage(ctx)
	out, err := harness.SignInWithOkta(ctx, su.pages(), first, tn.Org, login, pw)
	Expect(err).NotTo(HaveOccurred())
	Expect(out.SignedIn).To(BeTrue(), "the first response is a normal one, got %q", out.Error)

	By("signing in again in another browser: the mock replays the assertion")
	page := su.newPage(ctx)
	out, err = harness.SignInWithOkta(ctx, su.pages(), page, tn.Org, login, pw)
	Expect(err).NotTo(HaveOccurred())
	su.attachScreenshot(ctx, page, "refused")
	expectRefused(ctx, out, f)
	su.expectNoSession(ctx, page)
}

// refusedAfterMetadataRefetch: the fault changes the published certificate; refapp re-reads the
// metadata (an admin saving the settings again) and must then refuse the sign-in.
func (su *Suite) refusedAfterMetadataRefetch(ctx SpecContext, protocol string, f harness.IdPFault) {
	tn, login, pw := su.faultTenant(ctx, protocol, f.Name)
	if err := tn.ReconnectSAML(ctx, su.stack.App); err != nil {
		AddReportEntry("sso set refused the metadata", err.Error()) // refusing at save time is fine too
	}
	page := su.newPage(ctx)
	out, err := harness.SignInWithOkta(ctx, su.pages(), page, tn.Org, login, pw)
	Expect(err).NotTo(HaveOccurred())
	su.attachScreenshot(ctx, page, "refused")
	expectRefused(ctx, out, f)
	su.expectNoSession(ctx, page)
}

// refusedAtSave: the app-specific discovery document names another issuer; `sso set` must refuse it
// and keep the previous working settings.
func (su *Suite) refusedAtSave(ctx SpecContext, protocol string, f harness.IdPFault) {
	tn, login, pw := su.faultTenant(ctx, protocol, f.Name)
	err := tn.ReconnectOIDC(ctx, su.stack.App, tn.AppDiscoveryURL())
	Expect(err).To(HaveOccurred(), "refapp must refuse a discovery document naming another issuer")
	Expect(err.Error()).To(ContainSubstring("issuer"))

	By("signing in with the previous, untouched settings")
	page := su.newPage(ctx)
	out, err := harness.SignInWithOkta(ctx, su.pages(), page, tn.Org, login, pw)
	Expect(err).NotTo(HaveOccurred())
	su.attachScreenshot(ctx, page, "previous-settings-kept")
	Expect(out.SignedIn).To(BeTrue(), "the previous settings must be kept, got %q", out.Error)
}

// singleUseCallback: the provider accepts a code twice, so only the app can stop a replayed callback.
// The spec signs in, then sends the very callback URL (code and state) again from the same client, with
// its cookies: the app must refuse it (its state is consumed once and its browser binding ends with
// the callback; RFC 6749 §10.5, OIDC Core 3.1.2.7) instead of redeeming the code a second time. An app
// with neither defence answers the replay with a new session (checked by breaking both in refapp).
func (su *Suite) singleUseCallback(ctx SpecContext, protocol string, f harness.IdPFault) {
	tn, login, pw := su.faultTenant(ctx, protocol, f.Name)
	client := harness.HeadlessClient()
	defer client.CloseIdleConnections()
	callbacks := harness.RecordRedirects(client, "/sso/oidc/callback")
	Expect(harness.HeadlessSignIn(ctx, client, su.stack.App.URL, tn.Org, login, pw)).To(Succeed(),
		"a first sign-in with a fresh code must work")
	Expect(callbacks()).To(HaveLen(1), "the sign-in passes the app's callback once")
	status, err := harness.Replay(ctx, client, callbacks()[0])
	Expect(err).NotTo(HaveOccurred())
	Expect(status).To(BeNumerically(">=", 400),
		"a replayed callback (same code and state) must be refused; the app answered %d", status)
}
