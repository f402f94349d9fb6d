package specs

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ssoconform/ssoconform/harness"
)

// describeSCIMIsolation: two tenants of one server never see nor change each other's resources
// (conformance.md c.2 "Tenant isolation"). The second tenant is SCIMTarget.Second.
func describeSCIMIsolation(s *scimSpec) {
	Context("tenant isolation", FeatureTenants, KindSecurity, func() {
		var b harness.SCIMTarget
		var other testUser
		BeforeEach(func(ctx SpecContext) {
			b = *s.T.Second
			other = s.newTestUser("tenb")
			createUserAt(ctx, b, &other, oktaCreateBody(other))
		})

		scimIt("SCIM-TEN-GET: answers another tenant's user and group ids with 404, as for unknown ids (conformance.md SCIM-TEN-GET)", func(ctx SpecContext) {
			expectRefusal(s.get(ctx, "/Users/"+other.ID), http.StatusNotFound, "", "tenant isolation: another tenant's user id answers 404 (not 403: existence must not leak)")
			if s.T.Has(harness.FeatureGroups) {
				gid := createGroupAt(ctx, b, s.pfx()+"-ten-grp-"+randToken(8))
				expectRefusal(s.get(ctx, "/Groups/"+gid), http.StatusNotFound, "", "tenant isolation: another tenant's group id answers 404")
			}
		})

		scimIt("SCIM-TEN-MUTATE: cannot replace, patch or delete another tenant's user: 404, and the user is unchanged (conformance.md SCIM-TEN-MUTATE)", func(ctx SpecContext) {
			s.requireUpdatesApply(ctx)
			body := oktaCreateBody(other)
			body["name"] = obj{"givenName": "Hijacked", "familyName": "Hijacked"}
			body["active"] = false
			expectRefusal(s.put(ctx, "/Users/"+other.ID, body), http.StatusNotFound, "", "tenant isolation: PUT on another tenant's user answers 404")
			if s.T.Has(harness.FeaturePatch) {
				expectRefusal(s.patch(ctx, "/Users/"+other.ID, op("replace", "", obj{"active": false})), http.StatusNotFound, "", "tenant isolation: PATCH on another tenant's user answers 404")
			}
			r := s.del(ctx, "/Users/"+other.ID)
			if s.T.Has(harness.FeatureUserDelete) {
				expectRefusal(r, http.StatusNotFound, "", "tenant isolation: DELETE of another tenant's user answers 404")
			} else {
				Expect(r.Status).To(BeNumerically(">=", 400), because("tenant isolation: DELETE of another tenant's user is refused", r))
			}
			got, err := b.Do(ctx, http.MethodGet, "/Users/"+other.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(http.StatusOK), because("the other tenant still has its user", got))
			Expect(jpath(got.JSON, "name.givenName")).To(Equal(other.Given), because("the other tenant's user is unchanged", got))
			Expect(got.JSON["active"]).To(Equal(true), because("the other tenant's user is still active", got))
		})

		scimIt("SCIM-TEN-LIST: never lists or finds another tenant's users (conformance.md SCIM-TEN-LIST)", func(ctx SpecContext) {
			s.requireFilterHonoured(ctx)
			r := s.get(ctx, filterPath("Users", eqFilter("userName", other.UserName)))
			Expect(readList(r, "the lookup answers 200").Total).To(Equal(0), because("tenant isolation: a userName lookup never finds another tenant's user", r))
			if s.T.Has(harness.FeatureFilterOps) {
				for _, f := range []string{eqFilter("id", other.ID), eqFilter("externalId", other.ExternalID), "userName sw " + harness.QuoteFilterValue(s.pfx()+"-tenb-"), "userName eq " + harness.QuoteFilterValue(other.UserName) + " or id pr"} {
					r := s.get(ctx, filterPath("Users", f))
					Expect(ids(readList(r, "the filter answers 200").Resources)).NotTo(ContainElement(other.ID), because("tenant isolation: no filter returns another tenant's user", r))
				}
			}
			Expect(s.walkUsers(ctx, 100)).NotTo(ContainElement(other.ID), "tenant isolation: paging through every user never returns another tenant's")
		})

		scimIt("SCIM-TEN-UNIQUE: lets two tenants hold the same userName; uniqueness is per tenant (conformance.md SCIM-TEN-UNIQUE)", func(ctx SpecContext) {
			same := other
			s.createUser(ctx, &same)
			Expect(same.ID).NotTo(Equal(other.ID), "each tenant has its own user")
			dup := s.post(ctx, "/Users", oktaCreateBody(same))
			owned("SCIM-USR-CREATE-409", dup.Status == http.StatusConflict, because("within one tenant the userName is still unique: 409", dup))
		})

		scimIt("SCIM-TEN-GROUP-REF: refuses another tenant's user as a group member (conformance.md SCIM-TEN-GROUP-REF)", FeatureLabel(harness.FeatureGroups), func(ctx SpecContext) {
			s.requireUpdatesApply(ctx)
			gid, _ := s.createGroup(ctx, s.pfx()+"-ten-ref-"+randToken(8))
			r := s.setMembers(ctx, gid, []string{other.ID}, nil)
			Expect(r.Status).To(Or(Equal(http.StatusBadRequest), Equal(http.StatusNotFound)), because("tenant isolation: another tenant's user id is no valid member (400 invalidValue or 404)", r))
			Expect(memberIDs(s.expectGroup(ctx, gid).JSON)).To(BeEmpty(), "the other tenant's user was not linked")
		})
	})
}

// describeSCIMConcurrency: parallel creates of one userName (conformance.md SCIM-CC-CREATE).
func describeSCIMConcurrency(s *scimSpec) {
	Context("concurrency", KindRobustness, func() {
		race := func(ctx SpecContext, names []string) {
			GinkgoHelper()
			first := s.newTestUser("race")
			s.createUser(ctx, &first)
			dup := s.post(ctx, "/Users", oktaCreateBody(first))
			owned("SCIM-USR-CREATE-409", dup.Status == http.StatusConflict, because("a sequential second create of one userName is refused with 409", dup))
			resps := make([]harness.SCIMResponse, len(names))
			errs := make([]error, len(names))
			var wg sync.WaitGroup
			for i, name := range names {
				u := s.newTestUser("race")
				u.UserName = name
				wg.Go(func() { resps[i], errs[i] = s.T.Do(ctx, http.MethodPost, "/Users", oktaCreateBody(u)) })
			}
			wg.Wait()
			created, winner := 0, names[0]
			for i, r := range resps {
				Expect(errs[i]).NotTo(HaveOccurred(), because("every parallel create gets an HTTP answer", r))
				if r.Status == http.StatusCreated {
					created++
					winner = names[i]
					id, _ := r.JSON["id"].(string)
					t := s.T
					DeferCleanup(func(ctx SpecContext) { removeUser(ctx, t, id) })
					continue
				}
				expectRefusal(r, http.StatusConflict, "", "20 parallel creates of one userName: all but one answer 409 (never 500, never a second 201)")
			}
			Expect(created).To(Equal(1), fmt.Sprintf("exactly one of %d parallel creates of one userName answers 201", len(names)))
			found := s.findUsers(ctx, winner)
			Expect(found).To(HaveLen(1), "one user exists afterwards")
		}

		scimIt("SCIM-CC-CREATE: 20 parallel creates of one userName make exactly one user: one 201, nineteen 409 (issue 5, RFC 7644 §3.3)", func(ctx SpecContext) {
			name := s.newTestUser("cc").UserName
			names := make([]string, 20)
			for i := range names {
				names[i] = name
			}
			race(ctx, names)
		})

		scimIt("SCIM-CC-CREATE-CASE: 20 parallel creates of one userName in different cases make exactly one user (RFC 7643 §4.1.1)", func(ctx SpecContext) {
			name := s.newTestUser("cccase").UserName
			names := make([]string, 20)
			for i := range names {
				switch i % 3 {
				case 0:
					names[i] = name
				case 1:
					names[i] = strings.ToUpper(name)
				default:
					names[i] = strings.ToUpper(name[:1]) + name[1:]
				}
			}
			race(ctx, names)
		})
	})
}

// createUserAt creates a user on any target (e.g. the second tenant) and removes it after the spec.
func createUserAt(ctx context.Context, t harness.SCIMTarget, u *testUser, body obj) {
	GinkgoHelper()
	r, err := t.Do(ctx, http.MethodPost, "/Users", body)
	Expect(err).NotTo(HaveOccurred())
	Expect(r.Status).To(Equal(http.StatusCreated), because("RFC 7644 §3.3: POST /Users answers 201 (second tenant)", r))
	u.ID, _ = r.JSON["id"].(string)
	Expect(u.ID).NotTo(BeEmpty(), because("the created user carries its id", r))
	id := u.ID
	DeferCleanup(func(ctx SpecContext) { removeUser(ctx, t, id) })
}

// createGroupAt creates a group on any target and deletes it after the spec.
func createGroupAt(ctx context.Context, t harness.SCIMTarget, name string) string {
	GinkgoHelper()
	r, err := t.Do(ctx, http.MethodPost, "/Groups", obj{"schemas": []any{schemaGroup}, "displayName": name, "members": []any{}})
	Expect(err).NotTo(HaveOccurred())
	Expect(r.Status).To(Equal(http.StatusCreated), because("RFC 7644 §3.3: POST /Groups answers 201 (second tenant)", r))
	id, _ := r.JSON["id"].(string)
	DeferCleanup(func(ctx SpecContext) { _, _ = t.Do(ctx, http.MethodDelete, "/Groups/"+id, nil) })
	return id
}
