package specs

import (
	"context"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ssoconform/ssoconform/harness"
)

// The mock Okta's provisioning engine as Okta runs it (issue 10; okta-scim.md a.3, a.6): tasks in a queue
// per app, failures kept with Okta's wording until an admin retries them, 429 waits that park only the
// app that answered 429, and the actions beyond push and deactivate (Test API Credentials, Push Now,
// Force Sync, Import). The hostile specs point a second app integration of the tenant's org at a SCIM
// server that misbehaves on purpose (harness.HostileSCIM); the action specs drive refapp.

func (su *Suite) describeProvisioningActions() {
	Describe("Okta provisioning tasks", ProtocolSCIM, Stack, func() {
		Context("when the app's SCIM server fails a create", func() {
			for _, c := range []struct{ id, behaviour, reason string }{
				{"500", harness.HostilePlain500, "Internal Server Error. Errors reported by remote server: database is down"},
				{"HTML", harness.HostileHTML, "Bad Gateway. Invalid JSON: Unrecognized token '<html><body><h1>502'"},
				{"EMPTY-201", harness.HostileEmpty201, "Create new user returned empty user."},
			} {
				It("PROV-TASK-FAIL-"+c.id+": keeps the failed task in Okta's words and sends it again only on Retry", KindRobustness, func(ctx SpecContext) {
					tn, h, appID := su.hostileTenant(ctx, c.behaviour)
					u := assignTo(ctx, tn, appID)
					tasks := quietTasks(ctx, tn, appID)
					Expect(tasks).To(HaveLen(1))
					Expect(tasks[0].Status).To(BeEquivalentTo("FAILED"), "a %s answer must fail the task (okta-scim.md a.6)", c.id)
					Expect(tasks[0].Message).To(HaveSuffix("Error while creating user "+u.Login+": "+c.reason),
						"the task must say what failed the way Okta's task list does")
					Expect(h.Requests()).To(Equal([]string{"GET /Users", "POST /Users"}), "Okta never retries a failed create by itself")
					_, linked := tn.IdPOrg.ExternalID(appID, u.ID)
					Expect(linked).To(BeFalse(), "a failed create must not link the user")

					By("fixing the server and pressing Retry")
					h.Heal()
					Expect(tn.IdPOrg.RetryTask(ctx, tasks[0].ID)).To(Succeed())
					tasks = quietTasks(ctx, tn, appID)
					Expect(tasks[0].Status).To(BeEquivalentTo("COMPLETED"))
					Expect(tasks[0].Attempts).To(Equal(2))
					Expect(h.Requests()).To(Equal([]string{"GET /Users", "POST /Users", "GET /Users", "POST /Users"}),
						"Retry must run the task again from its lookup")
				})
			}
		})

		It("PROV-TASK-429-RETRY-AFTER: waits Retry-After seconds after a 429 and completes without an admin", KindRobustness, func(ctx SpecContext) {
			tn, h, appID := su.hostileTenant(ctx, harness.HostileRetryAfter)
			before := len(su.stack.SCIMClock.Waits())
			assignTo(ctx, tn, appID)
			tasks := quietTasks(ctx, tn, appID)
			Expect(tasks).To(HaveLen(1))
			Expect(tasks[0].Status).To(BeEquivalentTo("COMPLETED"))
			Expect(tasks[0].RateLimits).To(Equal(1))
			Expect(su.stack.SCIMClock.Waits()[before:]).To(ContainElement(2*time.Second), "Retry-After: 2 means a 2 s wait (okta-scim.md a.6)")
			Expect(h.Requests()).To(Equal([]string{"GET /Users", "POST /Users", "POST /Users"}), "only the throttled request is sent again")
		})

		It("PROV-TASK-429-PARKS-APP: a 429 without Retry-After parks only that app; the console and the other app stay responsive", KindRobustness, Serial, func(ctx SpecContext) {
			tn, h, appID := su.hostileTenant(ctx, harness.HostileRateLimit)
			release := su.stack.SCIMClock.Hold()
			DeferCleanup(release)
			u := assignTo(ctx, tn, appID)
			Eventually(ctx, func() any { return taskStatus(tn, appID) }).Should(BeEquivalentTo("RATE_LIMITED"),
				"the throttled task must show that it waits")
			Expect(su.stack.SCIMClock.Waits()).To(ContainElement(5*time.Minute), "no Retry-After means 5 minutes (okta-scim.md a.6)")

			By("assigning the same user to refapp's app while the other app is parked")
			quick, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			Expect(tn.Assign(quick, u)).To(Succeed(), "refapp's queue must not wait for the parked app")
			_, pushed := tn.SCIMUserID(u)
			Expect(pushed).To(BeTrue())

			By("opening the parked app's page in the admin console")
			status, page, err := tn.ConsoleGet(quick, "/apps/"+appID+"?tab=provisioning")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(http.StatusOK), page)
			Expect(taskStatus(tn, appID)).To(BeEquivalentTo("RATE_LIMITED"))

			release()
			tasks := quietTasks(ctx, tn, appID)
			Expect(tasks[0].Status).To(BeEquivalentTo("COMPLETED"))
			Expect(h.Requests()).To(Equal([]string{"GET /Users", "POST /Users", "POST /Users"}))
		})

		It("PROV-TASK-SLOW: a slow server keeps its task in progress and holds up no other app", KindRobustness, func(ctx SpecContext) {
			tn, h, appID := su.hostileTenant(ctx, harness.HostileSlow)
			u := assignTo(ctx, tn, appID)
			Eventually(ctx, func() any { return taskStatus(tn, appID) }).Should(BeEquivalentTo("IN_PROGRESS"))
			Expect(tn.Assign(ctx, u)).To(Succeed())
			Expect(taskStatus(tn, appID)).To(BeEquivalentTo("IN_PROGRESS"), "the slow create must still be running")
			h.Release() // the other app was pushed while this one waited; no need to sit out the wait
			tasks := quietTasks(ctx, tn, appID)
			Expect(tasks[0].Status).To(BeEquivalentTo("COMPLETED"))
		})
	})
}

// hostileTenant makes a tenant plus a second app integration provisioned to a hostile SCIM server.
func (su *Suite) hostileTenant(ctx context.Context, behaviour string) (*harness.Tenant, *harness.HostileSCIM, string) {
	GinkgoHelper()
	tn := su.provTenant(ctx, provFlavours[0], "tasks")
	h, err := harness.StartHostileSCIM(behaviour)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(h.Close)
	appID, err := tn.AddApp(ctx, "hostile", h.URL)
	Expect(err).NotTo(HaveOccurred())
	return tn, h, appID
}

// assignTo assigns a new Okta user to the app without waiting for its queue.
func assignTo(ctx context.Context, tn *harness.Tenant, appID string) oktaUser {
	GinkgoHelper()
	u, err := tn.AddOktaUser(ctx, "Tess", "Task")
	Expect(err).NotTo(HaveOccurred())
	Expect(tn.IdPOrg.AssignUser(ctx, appID, u.ID)).To(Succeed())
	return u
}

// quietTasks waits for the app's queue and returns its tasks.
func quietTasks(ctx context.Context, tn *harness.Tenant, appID string) []harness.ProvisioningTask {
	GinkgoHelper()
	Expect(tn.IdPOrg.WaitQuiet(ctx, appID)).To(Succeed())
	return tn.IdPOrg.Tasks(appID)
}

// taskStatus is the status of the app's first task ("" when none): the create of the spec's user (a
// later change of the same user queues a second task behind it).
func taskStatus(tn *harness.Tenant, appID string) string {
	tasks := tn.IdPOrg.Tasks(appID)
	if len(tasks) == 0 {
		return ""
	}
	return string(tasks[0].Status)
}

func (su *Suite) describeProvisioningActions2() {
	Describe("Okta provisioning actions against the app", ProtocolSCIM, Stack, func() {
		It("PROV-A1-TEST-CREDENTIALS: Test API Credentials reads one page of users and fails on a wrong token", KindPositive, func(ctx SpecContext) {
			tn := su.provTenant(ctx, provFlavours[0], "testapi")
			mark := tn.SCIMMark()
			Expect(tn.TestAPICredentials(ctx)).To(Succeed(), "refapp must answer Okta's credential test with a ListResponse")
			expectSequence(tn, mark, []string{"GET /Users?startIndex=1&count=2"}, "Test API Credentials (A1)")

			p, _ := tn.IdPOrg.Provisioning(tn.AppID())
			good := p
			p.Token = "wrong-" + randToken(20)
			Expect(tn.IdPOrg.SetProvisioning(ctx, tn.AppID(), p)).To(Succeed())
			DeferCleanup(func(ctx SpecContext) { Expect(tn.IdPOrg.SetProvisioning(ctx, tn.AppID(), good)).To(Succeed()) })
			err := tn.TestAPICredentials(ctx)
			Expect(err).To(MatchError(HavePrefix("Error authenticating: Unauthorized")), "a wrong token must fail the test")
		})

		for _, fl := range provFlavours {
			It("PROV-"+fl.id+"-A15-PUSH-NOW: Push Now of a linked group makes the app's members exactly Okta's", KindPositive, FeatureLabel(harness.FeatureGroups), func(ctx SpecContext) {
				tn := su.provTenant(ctx, fl, "pushnow")
				g, m, gid := pushedGroup(ctx, fl, tn)
				annID := userIDs(tn, m[0])[0]
				By("removing Ann from the team in the app behind Okta's back")
				r, err := tn.SCIM.Do(ctx, http.MethodPatch, "/Groups/"+gid, obj{"schemas": []any{schemaPatchOp},
					"Operations": []any{obj{"op": "remove", "path": `members[value eq "` + annID + `"]`}}})
				Expect(err).NotTo(HaveOccurred())
				Expect(r.Status).To(BeNumerically("<", 300), r.Transcript())

				mark := tn.SCIMMark()
				Expect(tn.PushGroup(ctx, g)).To(Succeed())
				expectSequence(tn, mark, fl.groupUpdate(gid), "Push Now (A15)")
				if fl.name == harness.ProvisioningOIN {
					body := tn.SCIMExchanges(mark)[0].RequestBody
					Expect(body).To(ContainSubstring(`"op":"replace","path":"members"`), "OIN Push Now replaces the members (A15)")
				}
				Expect(memberIDs(scimGroup(ctx, tn, gid).JSON)).To(ConsistOf(userIDs(tn, m[0], m[1])),
					"after Push Now the team must hold exactly the group's members")
			})
		}

		It("PROV-A21-FORCE-SYNC: Force Sync re-pushes provisioned users and creates no backlog user", KindPositive, func(ctx SpecContext) {
			tn := su.provTenant(ctx, provFlavours[0], "forcesync")
			_, id := pushedUser(ctx, tn, "Fern", "Forced")
			backlog, err := tn.AddOktaUser(ctx, "Bea", "Backlog")
			Expect(err).NotTo(HaveOccurred())
			Expect(tn.AssignWithoutProvisioning(ctx, backlog)).To(Succeed())
			mark := tn.SCIMMark()
			Expect(tn.ForceSync(ctx)).To(Succeed())
			expectSequence(tn, mark, []string{"GET /Users/" + id, "PUT /Users/" + id}, "Force Sync (A21)")
			found, err := tn.SCIM.FindUsers(ctx, backlog.Login)
			Expect(err).NotTo(HaveOccurred())
			Expect(found).To(BeEmpty(), "Force Sync must not create users assigned before provisioning was on")
		})

		It("PROV-A10-IMPORT: Import Now links the app's users to Okta users, creating the unknown ones", KindPositive, func(ctx SpecContext) {
			tn := su.provTenant(ctx, provFlavours[0], "import")
			u := su.newTestUser("import")
			r, err := tn.SCIM.Do(ctx, http.MethodPost, "/Users", oktaCreateBody(u))
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Status).To(Equal(http.StatusCreated), r.Transcript())
			serverID, _ := r.JSON["id"].(string)

			mark := tn.SCIMMark()
			Expect(tn.Import(ctx, false)).To(Succeed())
			Expect(tn.SCIMRequests(mark)).To(HaveExactElements(Equal("GET /Users?startIndex=1&count=100")),
				"a small app is read in one page of 100 (A10)")
			ou, ok := tn.IdPOrg.UserByLogin(u.UserName)
			Expect(ok).To(BeTrue(), "an app user without a match must be created in Okta")
			Expect(ou.Status).To(Equal("STAGED"))
			linked, _ := tn.IdPOrg.ExternalID(tn.AppID(), ou.ID)
			Expect(linked).To(Equal(serverID), "the Okta user must be linked to the app's user")
		})
	})
}
