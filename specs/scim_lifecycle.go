package specs

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ssoconform/ssoconform/harness"
)

// describeSCIMLifecycle: deactivation, reactivation, linking and deletion of users, each the way the
// profile's client does it (okta-scim.md a.3 A3/A5/A8, e.5 U-13..U-16, e.6; Okta's CRUD test).
func describeSCIMLifecycle(s *scimSpec) {
	how := "GET then PUT of the full resource with active changed (Okta AIW apps, RFC 7644 §3.5.1)"
	if s.profile == harness.FlavourOktaOIN {
		how = "Okta's path-less PATCH replace {active} (okta-scim.md a.3 A5)"
	}
	Context("users: lifecycle", func() {
		scimIt("SCIM-USR-DEACTIVATE: deactivates with "+how+" and keeps the user retrievable with active:false (Okta CRUD test 8)", KindPositive, func(ctx SpecContext) {
			u := s.newTestUser("deact")
			s.createUser(ctx, &u)
			s.expectActiveAnswer(s.setActive(ctx, u.ID, false), false)
			got := s.getUser(ctx, u.ID, "Okta CRUD test 8: a deactivated user answers GET with 200 (never 404)")
			Expect(got.JSON["active"]).To(Equal(false), because("Okta CRUD test 8: a deactivated user answers GET with active:false", got))
			found := s.findUsers(ctx, u.UserName)
			Expect(ids(found)).To(Equal([]string{u.ID}), "okta-scim.md e.3 F-06: a deactivated user is still found by userName, so re-assignment links it instead of failing with 409")
			Expect(found[0]["active"]).To(Equal(false), "the lookup shows active:false")
			s.expectActiveAnswer(s.setActive(ctx, u.ID, false), false) // idempotent: Okta may repeat it
		})

		scimIt("SCIM-USR-REACTIVATE: reactivates with "+how+" under the same id (Okta CRUD test 11, OIN plan C9293)", KindPositive, func(ctx SpecContext) {
			u := s.newTestUser("react")
			s.createUser(ctx, &u)
			s.requireActive(ctx, u.ID, false, ownerDeactivate)
			s.expectActiveAnswer(s.setActive(ctx, u.ID, true), true)
			got := s.expectUser(ctx, u.ID)
			Expect(got.JSON["active"]).To(Equal(true), because("the reactivated user is active", got))
			Expect(jpath(got.JSON, "name.givenName")).To(Equal(u.Given), because("reactivation keeps the user's attributes", got))
			found := s.findUsers(ctx, u.UserName)
			Expect(ids(found)).To(Equal([]string{u.ID}), "reactivation restores the same user, never a second one")
		})

		scimIt("SCIM-USR-LIFECYCLE: survives Okta's whole sequence: lookup, create, lookup, read, profile PUT, deactivate, reactivate (conformance.md SCIM-LIFECYCLE)", KindPositive, func(ctx SpecContext) {
			u := s.newTestUser("life")
			// each step is owned by the spec named for it; this spec owns what survives the sequence
			By("looking the user up: no match")
			before := s.get(ctx, filterPath("Users", eqFilter("userName", u.UserName)))
			owned("SCIM-FLT-NOMATCH", before.Status == http.StatusOK && looseInt(before.JSON["totalResults"]) == 0, because("a lookup without match answers 200 with totalResults 0", before))
			By("creating it, then finding it")
			s.createUser(ctx, &u)
			s.requireFound(ctx, u)
			By("pushing a profile change: GET, then PUT with givenName changed")
			body := s.expectUser(ctx, u.ID).JSON
			body["name"].(obj)["givenName"] = "Renamed"
			r := s.put(ctx, "/Users/"+u.ID, body)
			owned("SCIM-USR-PUT", r.Status == http.StatusOK, because("RFC 7644 §3.5.1: the profile PUT answers 200", r))
			put := s.expectUser(ctx, u.ID)
			owned("SCIM-USR-PUT", jpath(put.JSON, "name.givenName") == "Renamed", because("the profile PUT is applied", put))
			By("deactivating and reactivating")
			s.requireActive(ctx, u.ID, false, ownerDeactivate)
			s.requireActive(ctx, u.ID, true, "SCIM-USR-REACTIVATE")
			got := s.expectUser(ctx, u.ID)
			Expect(jpath(got.JSON, "name.givenName")).To(Equal("Renamed"), because("every step kept the profile change", got))
			Expect(got.JSON["active"]).To(Equal(true), because("the user ends active", got))
		})

		scimIt("SCIM-USR-LINK-EXISTING: links a user that already exists: lookup, GET, PUT of Okta's profile, no duplicate (okta-scim.md a.3 A3, OIN plan C9335)", KindPositive, func(ctx SpecContext) {
			u := s.newTestUser("link")
			s.createUser(ctx, &u)
			found := s.findUsers(ctx, u.UserName)
			Expect(found).To(HaveLen(1), "Okta's lookup finds the existing user, so it links instead of creating")
			body := s.expectUser(ctx, u.ID).JSON
			body["name"].(obj)["familyName"] = "Linked"
			body["externalId"] = "00u" + randToken(17)
			r := s.put(ctx, "/Users/"+u.ID, body)
			Expect(r.Status).To(Equal(http.StatusOK), because("the PUT of Okta's merged profile answers 200", r))
			Expect(r.JSON["id"]).To(Equal(u.ID), because("linking keeps the user's id", r))
			found = s.findUsers(ctx, u.UserName)
			Expect(ids(found)).To(Equal([]string{u.ID}), "linking never creates a second user")
		})

		scimIt("SCIM-USR-DELETE: deletes a user: 204, then 404, gone from lookups, the userName free again (RFC 7644 §3.6)", KindPositive, FeatureLabel(harness.FeatureUserDelete), func(ctx SpecContext) {
			u := s.newTestUser("delete")
			s.createUser(ctx, &u)
			r := s.del(ctx, "/Users/"+u.ID)
			Expect(r.Status).To(Equal(http.StatusNoContent), because("RFC 7644 §3.6: DELETE answers 204 No Content", r))
			expectRefusal(s.get(ctx, "/Users/"+u.ID), http.StatusNotFound, "", "RFC 7644 §3.6: a deleted user answers 404")
			expectRefusal(s.del(ctx, "/Users/"+u.ID), http.StatusNotFound, "", "RFC 7644 §3.6: deleting it again answers 404")
			found := s.findUsers(ctx, u.UserName)
			Expect(found).To(BeEmpty(), "RFC 7644 §3.6: a deleted user is omitted from queries")
			again := u
			s.createUser(ctx, &again)
			Expect(again.ID).NotTo(Equal(u.ID), "a new user gets a new id; ids are never reused")
		})
	})
}
