package specs

import (
	"context"
	"fmt"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ssoconform/ssoconform/harness"
)

// The provisioning features of the seed ("Enabling SCIM Provisioning between Okta and NeuraLegion"):
// Push New Users, Push Profile Updates, Push User Deactivation (deactivating the user in Okta, or
// disabling the user's access to the app), Reactivate Users and Push Groups (push, membership changes,
// deprovisioning by unlink). Each runs once per Okta integration flavour, since Okta's requests differ
// (okta-scim.md a.1, a.3): an OIN app PATCHes status and groups, an AIW app GETs then PUTs everything.
// The mock Okta drives the app end to end; each spec asserts the app's resulting state over SCIM and in
// the browser, and that the mock sent exactly Okta's sequence for the flavour. On failure the mock's
// transcript goes to the report.

// provFlavour is one Okta integration flavour the specs run for.
type provFlavour struct {
	id      string // in spec IDs: OIN or AIW
	name    string // mock setting: harness.ProvisioningOIN or ProvisioningAIW
	profile harness.SCIMFlavour
}

var provFlavours = []provFlavour{
	{id: "OIN", name: harness.ProvisioningOIN, profile: harness.FlavourOktaOIN},
	{id: "AIW", name: harness.ProvisioningAIW, profile: harness.FlavourOktaAIW},
}

func (su *Suite) describeProvisioning() {
	Describe("Okta SCIM provisioning to the app", ProtocolSCIM, Stack, func() {
		for _, fl := range provFlavours {
			Context("with an "+fl.id+" app integration ("+string(fl.profile)+")", ProfileLabel(fl.profile), func() {
				su.describePushUsers(fl)
				su.describeDeactivation(fl)
				su.describePushGroups(fl)
				su.describeGroupLifecycle(fl)
			})
		}
	})
}

// provTenant makes a tenant whose app integration has the flavour, and attaches the mock's SCIM
// transcript to the report when the spec fails.
func (su *Suite) provTenant(ctx context.Context, fl provFlavour, name string) *harness.Tenant {
	GinkgoHelper()
	return su.provTenantWith(ctx, fl, harness.TenantSpec{Name: name})
}

// provTenantWith is provTenant for a tenant described by spec (a Default Role, SAML, ...).
func (su *Suite) provTenantWith(ctx context.Context, fl provFlavour, spec harness.TenantSpec) *harness.Tenant {
	GinkgoHelper()
	if su.stack == nil {
		Skip("needs the reference stack (mock Okta and the app); `ssoconform scim` runs against a SCIM server only")
	}
	tn, err := su.stack.NewTenant(ctx, spec)
	Expect(err).NotTo(HaveOccurred())
	Expect(tn.SetFlavour(ctx, fl.name)).To(Succeed())
	DeferCleanup(func() {
		if CurrentSpecReport().Failed() {
			AddReportEntry(exchangesEntry, tn.SCIMTranscript(0), ReportEntryVisibilityFailureOrVerbose)
		}
	})
	return tn
}

// okta is one flavour's expected requests: OIN's or AIW's.
func (fl provFlavour) okta(oin, aiw []string) []string {
	if fl.name == harness.ProvisioningAIW {
		return aiw
	}
	return oin
}

// statusChange is Okta's deactivation or reactivation of the server's user id (A5, A8).
func (fl provFlavour) statusChange(id string) []string {
	return fl.okta([]string{"PATCH /Users/" + id}, []string{"GET /Users/" + id, "PUT /Users/" + id})
}

// groupUpdate is Okta's membership or rename update of a pushed group (A14, A16).
func (fl provFlavour) groupUpdate(id string) []string {
	return fl.okta([]string{"PATCH /Groups/" + id}, []string{"GET /Groups/" + id, "PUT /Groups/" + id})
}

func filterUser(login string) string {
	return fmt.Sprintf(`GET /Users?filter=userName eq "%s"&startIndex=1&count=100`, login)
}

// expectSequence checks the mock's requests since mark against Okta's sequence.
func expectSequence(tn *harness.Tenant, mark int, want []string, what string) {
	GinkgoHelper()
	Expect(tn.SCIMRequests(mark)).To(Equal(want),
		"the mock must send Okta's sequence for %s (okta-scim.md a.3); the transcript:\n%s", what, tn.SCIMTranscript(mark))
}

// scimUser GETs the user the app's server knows as id.
func scimUser(ctx context.Context, tn *harness.Tenant, id string) harness.SCIMResponse {
	GinkgoHelper()
	r, err := tn.SCIM.Do(ctx, http.MethodGet, "/Users/"+id, nil)
	Expect(err).NotTo(HaveOccurred())
	return r
}

// pushedUser assigns a new Okta user to the app and returns it with its id in the app.
func pushedUser(ctx context.Context, tn *harness.Tenant, first, last string) (u oktaUser, id string) {
	GinkgoHelper()
	u, err := tn.AddOktaUser(ctx, first, last)
	Expect(err).NotTo(HaveOccurred())
	Expect(tn.Assign(ctx, u)).To(Succeed())
	id, ok := tn.SCIMUserID(u)
	Expect(ok).To(BeTrue(), "the mock must keep the id the app returned for %s", u.Login)
	return u, id
}

// signIn runs refapp's SP-initiated sign-in headless, in a fresh client (what is checked here is who
// gets in, with which role and name, not how the page looks), and returns how it ended, read from the
// page as the browser driver reads it, and who /api/v1/me names for the client's session.
func (su *Suite) signIn(ctx SpecContext, tn *harness.Tenant, u oktaUser) (harness.Outcome, member) {
	GinkgoHelper()
	land, s, err := su.signInAs(ctx, su.refApp, harness.AppTenant{Org: tn.Org, Protocol: tn.Protocol}, u.Login, tn.Password(u))
	Expect(err).NotTo(HaveOccurred())
	out, err := su.refApp.Outcome(land)
	Expect(err).NotTo(HaveOccurred())
	return out, headlessMember(ctx, s.client, su.stack.App.URL)
}

func (su *Suite) describePushUsers(fl provFlavour) {
	It("PROV-"+fl.id+"-PUSH-NEW: Push New Users: an Okta user assigned to the app becomes a member with the Default Role (admin here, not the usual member)", KindPositive, func(ctx SpecContext) {
		tn := su.provTenantWith(ctx, fl, harness.TenantSpec{Name: "pushnew", DefaultRole: "admin"})
		u, err := tn.AddOktaUser(ctx, "Nina", "Novak")
		Expect(err).NotTo(HaveOccurred())
		By("assigning the user to the app in Okta")
		Expect(tn.Assign(ctx, u)).To(Succeed())
		expectSequence(tn, 0, []string{filterUser(u.Login), "POST /Users"}, "Push New Users (A2)")

		found, err := tn.SCIM.FindUsers(ctx, u.Login)
		Expect(err).NotTo(HaveOccurred())
		Expect(found).To(HaveLen(1), "the app must hold the pushed user")
		Expect(found[0]).To(HaveKeyWithValue("active", true))

		By("signing in through SSO: the member has the organization's default role")
		out, me := su.signIn(ctx, tn, u)
		Expect(out.SignedIn).To(BeTrue(), "the pushed user must be able to sign in; the app showed %q", out.Error)
		Expect(me.Role).To(Equal("admin"), "a pushed user joins with the organization's Default Role")
		Expect(me.Org).To(Equal(tn.Org))
	})

	It("PROV-"+fl.id+"-PROFILE: Push Profile Updates: a name changed in Okta reaches the app", KindPositive, func(ctx SpecContext) {
		tn := su.provTenant(ctx, fl, "profile")
		u, id := pushedUser(ctx, tn, "Paul", "Petrov")
		mark := tn.SCIMMark()
		By("changing the user's name in Okta")
		_, err := tn.UpdateName(ctx, u, "Pavel", "Peterson")
		Expect(err).NotTo(HaveOccurred())
		expectSequence(tn, mark, []string{"GET /Users/" + id, "PUT /Users/" + id}, "Push Profile Updates (A4)")

		r := scimUser(ctx, tn, id)
		Expect(r.Status).To(Equal(http.StatusOK))
		Expect(r.JSON).To(HaveKeyWithValue("name", SatisfyAll(HaveKeyWithValue("givenName", "Pavel"),
			HaveKeyWithValue("familyName", "Peterson"))), "GET /Users/{id} must show the pushed name")

		By("signing in: the app shows the new name")
		out, _ := su.signIn(ctx, tn, u)
		Expect(out.SignedIn).To(BeTrue(), "the app showed %q", out.Error)
		Expect(out.Name).To(Equal("Pavel Peterson"), "the app must show the name Okta pushed")
	})
}

func (su *Suite) describeDeactivation(fl provFlavour) {
	It("PROV-"+fl.id+"-DEACTIVATE: Push User Deactivation: deactivating the user in Okta keeps the user in the app as inactive, unable to sign in", KindPositive, func(ctx SpecContext) {
		tn := su.provTenant(ctx, fl, "deact")
		u, id := pushedUser(ctx, tn, "Dora", "Diaz")
		mark := tn.SCIMMark()
		By("deactivating the user in Okta")
		Expect(tn.Deactivate(ctx, u)).To(Succeed())
		expectSequence(tn, mark, fl.statusChange(id), "Push User Deactivation (A5)")
		expectInactive(ctx, tn, id)

		By("letting Okta authenticate the user again without telling the app (Deactivate Users off, user activated)")
		Expect(tn.SetFeatures(ctx, harness.ProvisioningFeatures{Create: true, Update: true, PushGroups: true})).To(Succeed())
		mark = tn.SCIMMark()
		Expect(tn.Reactivate(ctx, u)).To(Succeed())
		Expect(tn.SCIMRequests(mark)).To(BeEmpty(), "with Deactivate Users off Okta sends nothing")
		out, me := su.signIn(ctx, tn, u)
		Expect(out.SignedIn).To(BeFalse(), "the app must refuse SSO for a member it holds as inactive")
		Expect(me.status).To(Equal(http.StatusUnauthorized), "no session may exist after a refused sign-in")
	})

	It("PROV-"+fl.id+"-UNASSIGN: Push User Deactivation: unassigning the user from the app deactivates the user in the app", KindPositive, func(ctx SpecContext) {
		tn := su.provTenant(ctx, fl, "unassign")
		u, id := pushedUser(ctx, tn, "Uma", "Ueda")
		mark := tn.SCIMMark()
		By("removing the user's assignment to the app in Okta")
		Expect(tn.Unassign(ctx, u)).To(Succeed())
		expectSequence(tn, mark, fl.statusChange(id), "deactivation on unassignment (A5)")
		expectInactive(ctx, tn, id)

		out, me := su.signIn(ctx, tn, u)
		Expect(out.SignedIn).To(BeFalse(), "an unassigned user must not get in")
		Expect(me.status).To(Equal(http.StatusUnauthorized), "no session may exist after a refused sign-in")
	})

	It("PROV-"+fl.id+"-REACTIVATE: Reactivate Users: a deactivated user comes back with the same id and signs in again", KindPositive, func(ctx SpecContext) {
		tn := su.provTenant(ctx, fl, "react")
		u, id := pushedUser(ctx, tn, "Rita", "Ruiz")
		By("deactivating, then activating the user in Okta")
		Expect(tn.Deactivate(ctx, u)).To(Succeed())
		mark := tn.SCIMMark()
		Expect(tn.Reactivate(ctx, u)).To(Succeed())
		expectSequence(tn, mark, fl.statusChange(id), "reactivation (A8)")
		expectActive(ctx, tn, id)

		By("unassigning, then assigning the user again (Okta's CRUD test)")
		Expect(tn.Unassign(ctx, u)).To(Succeed())
		mark = tn.SCIMMark()
		Expect(tn.Assign(ctx, u)).To(Succeed())
		expectSequence(tn, mark, fl.statusChange(id), "reactivation on re-assignment (A8)")
		expectActive(ctx, tn, id)
		found, err := tn.SCIM.FindUsers(ctx, u.Login)
		Expect(err).NotTo(HaveOccurred())
		Expect(found).To(HaveLen(1), "reactivation must not create a second account")

		out, me := su.signIn(ctx, tn, u)
		Expect(out.SignedIn).To(BeTrue(), "a reactivated member must sign in again; the app showed %q", out.Error)
		Expect(me.Email).To(Equal(u.Login))
	})
}

func expectInactive(ctx context.Context, tn *harness.Tenant, id string) {
	GinkgoHelper()
	r := scimUser(ctx, tn, id)
	Expect(r.Status).To(Equal(http.StatusOK), "a deactivated user must stay retrievable by id (okta-scim.md a.5), got:\n%s", r.Transcript())
	Expect(r.JSON).To(HaveKeyWithValue("id", id), "the same id")
	Expect(r.JSON).To(HaveKeyWithValue("active", false), "the user must be inactive in the app")
}

func expectActive(ctx context.Context, tn *harness.Tenant, id string) {
	GinkgoHelper()
	r := scimUser(ctx, tn, id)
	Expect(r.Status).To(Equal(http.StatusOK), r.Transcript())
	Expect(r.JSON).To(HaveKeyWithValue("active", true), "the user must be active again under the same id %s", id)
}
