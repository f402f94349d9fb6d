package specs

import (
	"context"
	"net/http"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ssoconform/ssoconform/harness"
)

// describeSCIMGroups: Okta's Push Groups (okta-scim.md a.3 A11-A18, e.7). Membership and rename go by
// PATCH for okta-oin (and rfc with patch), by PUT for okta-aiw (and rfc).
func describeSCIMGroups(s *scimSpec) {
	Context("groups", FeatureLabel(harness.FeatureGroups), func() {
		scimIt("SCIM-GRP-CREATE: creates a group with Okta's body and answers 201 with id and displayName (RFC 7644 §3.3, okta-scim.md a.3 A12)", KindPositive, func(ctx SpecContext) {
			name := s.pfx() + "-grp-" + randToken(8)
			id, r := s.createGroup(ctx, name)
			Expect(r.JSON["displayName"]).To(Equal(name), because("the created group echoes displayName", r))
			Expect(r.JSON["schemas"]).To(ContainElement(schemaGroup), because("RFC 7643 §4.2: the resource lists the core Group schema URN", r))
			Expect(jpath(r.JSON, "meta.resourceType")).To(Equal("Group"), because("RFC 7643 §3.1: meta.resourceType is Group", r))
			got := s.expectGroup(ctx, id)
			Expect(got.JSON["displayName"]).To(Equal(name), because("GET returns the group as created", got))
			Expect(memberIDs(got.JSON)).To(BeEmpty(), because("OIN plan C9317: a group pushed empty stays empty", got))
		})

		scimIt("SCIM-GRP-GET-404: answers an unknown group id with a 404 SCIM error (RFC 7644 §3.12)", KindNegative, func(ctx SpecContext) {
			expectRefusal(s.get(ctx, "/Groups/"+randToken(24)), http.StatusNotFound, "", "RFC 7644 §3.12: an unknown group id answers 404 with a SCIM Error")
		})

		scimIt("SCIM-GRP-FILTER: finds a group with displayName eq, and answers no match with totalResults 0 (okta-scim.md a.3 A13, e.3 F-08)", KindPositive, func(ctx SpecContext) {
			s.requireFilterHonoured(ctx)
			name := s.pfx() + "-grp-Filter-" + randToken(8)
			id, _ := s.createGroup(ctx, name)
			r := s.get(ctx, filterPath("Groups", eqFilter("displayName", name)))
			Expect(ids(readList(r, "Okta looks groups up by displayName eq").Resources)).To(Equal([]string{id}), because("the lookup returns the group", r))
			r = s.get(ctx, filterPath("Groups", eqFilter("displayName", name+"-missing")))
			Expect(readList(r, "a group lookup without match answers 200").Total).To(Equal(0), because("nothing matches", r))
			r = s.get(ctx, filterPath("Groups", eqFilter("displayName", strings.ToUpper(name))))
			l := readList(r, "a group lookup in another case answers 200")
			if s.profile == harness.FlavourRFC {
				Expect(ids(l.Resources)).To(Equal([]string{id}), because("RFC 7643 §4.2: Group displayName is caseExact:false", r))
			}
		})

		scimIt("SCIM-GRP-DELETE: deletes a group: 204, then 404, gone from lookups, its members untouched (RFC 7644 §3.6, okta-scim.md a.3 A18)", KindPositive, func(ctx SpecContext) {
			s.requireFilterHonoured(ctx)
			u := s.newTestUser("grpdel")
			s.createUser(ctx, &u)
			name := s.pfx() + "-grp-del-" + randToken(8)
			id, _ := s.createGroup(ctx, name)
			s.expectMembersSet(s.setMembers(ctx, id, []string{u.ID}, nil))
			r := s.del(ctx, "/Groups/"+id)
			Expect(r.Status).To(Equal(http.StatusNoContent), because("RFC 7644 §3.6: DELETE answers 204", r))
			expectRefusal(s.get(ctx, "/Groups/"+id), http.StatusNotFound, "", "RFC 7644 §3.6: a deleted group answers 404")
			Expect(readList(s.get(ctx, filterPath("Groups", eqFilter("displayName", name))), "lookup after delete").Total).To(Equal(0), "RFC 7644 §3.6: a deleted group is omitted from queries")
			got := s.expectUser(ctx, u.ID)
			Expect(got.JSON["active"]).To(Equal(true), because("okta-scim.md a.3 A18: deleting a group leaves its members' accounts untouched", got))
		})

		scimIt("SCIM-GRP-MEMBER-INVALID: refuses a member value that is no user's id with 400 invalidValue (RFC 7644 §3.12, okta-scim.md e.7 G-13)", KindNegative, func(ctx SpecContext) {
			s.requireUpdatesApply(ctx)
			id, _ := s.createGroup(ctx, s.pfx()+"-grp-inv-"+randToken(8))
			r := s.setMembers(ctx, id, []string{"no-such-user-" + randToken(8)}, nil)
			expectRefusal(r, http.StatusBadRequest, "invalidValue", "RFC 7644 §3.12: a member value naming no user is refused with 400 invalidValue, never 500")
			Expect(memberIDs(s.expectGroup(ctx, id).JSON)).To(BeEmpty(), "the refused member was not added")
		})

		if s.profile != harness.FlavourOktaOIN {
			describeSCIMGroupPut(s)
		}
		if s.profile != harness.FlavourOktaAIW {
			describeSCIMGroupPatch(s)
		}
	})
}

// describeSCIMGroupPut: membership and rename by PUT, as Okta AIW apps push groups (okta-scim.md a.3
// A12 AIW, A14 AIW, A16 AIW).
func describeSCIMGroupPut(s *scimSpec) {
	scimIt("SCIM-GRP-PUT-MEMBERS: sets membership with AIW's lookup, POST, GET, PUT of the full member list (okta-scim.md a.3 A12/A14 AIW)", KindPositive, func(ctx SpecContext) {
		a, b := s.newTestUser("gputa"), s.newTestUser("gputb")
		s.createUser(ctx, &a)
		s.createUser(ctx, &b)
		name := s.pfx() + "-grp-put-" + randToken(8)
		Expect(readList(s.get(ctx, filterPath("Groups", eqFilter("displayName", name))), "AIW looks the group up first").Total).To(Equal(0))
		id, _ := s.createGroup(ctx, name)
		for _, want := range [][]string{{a.ID, b.ID}, {b.ID}, {}} {
			body := s.expectGroup(ctx, id).JSON
			body["members"] = memberList(want...)
			r := s.put(ctx, "/Groups/"+id, body)
			Expect(r.Status).To(Equal(http.StatusOK), because("RFC 7644 §3.5.1: the group PUT answers 200", r))
			got := s.expectGroup(ctx, id)
			Expect(memberIDs(got.JSON)).To(ConsistOf(want), because("RFC 7644 §3.5.1: PUT replaces the member list with exactly the one sent", got))
		}
	})

	scimIt("SCIM-GRP-PUT-RENAME: renames a group by PUT and keeps its members (okta-scim.md a.3 A16 AIW)", KindPositive, func(ctx SpecContext) {
		s.requirePutApplies(ctx)
		u := s.newTestUser("grename")
		s.createUser(ctx, &u)
		old := s.pfx() + "-grp-old-" + randToken(8)
		id, _ := s.createGroup(ctx, old)
		renamed := s.pfx() + "-grp-new-" + randToken(8)
		r := s.put(ctx, "/Groups/"+id, obj{"schemas": []any{schemaGroup}, "displayName": renamed, "members": memberList(u.ID)})
		Expect(r.Status).To(Equal(http.StatusOK), because("RFC 7644 §3.5.1: the group PUT answers 200", r))
		got := s.expectGroup(ctx, id)
		Expect(got.JSON["displayName"]).To(Equal(renamed), because("the group has its new name", got))
		Expect(memberIDs(got.JSON)).To(ConsistOf(u.ID), because("the members sent with the rename are kept", got))
		Expect(readList(s.get(ctx, filterPath("Groups", eqFilter("displayName", old))), "lookup by the old name").Total).To(Equal(0), "the old name finds nothing")
	})
}

// describeSCIMGroupPatch: membership and rename by PATCH, as Okta OIN apps push groups (okta-scim.md
// a.3 A14-A16).
func describeSCIMGroupPatch(s *scimSpec) {
	Context("by PATCH", FeatureLabel(harness.FeaturePatch), func() {
		var g string
		var u [3]testUser
		BeforeEach(func(ctx SpecContext) {
			for i := range u {
				u[i] = s.newTestUser("gpatch")
				s.createUser(ctx, &u[i])
			}
			g, _ = s.createGroup(ctx, s.pfx()+"-grp-patch-"+randToken(8))
		})
		members := func(ctx SpecContext) []string {
			GinkgoHelper()
			return memberIDs(s.expectGroup(ctx, g).JSON)
		}
		// addTwo is the first step of the specs below; SCIM-GRP-PATCH-ADD owns it.
		addTwo := func(ctx SpecContext) {
			GinkgoHelper()
			r := s.patch(ctx, "/Groups/"+g, op("add", "members", memberList(u[0].ID, u[1].ID)))
			owned("SCIM-GRP-PATCH-ADD", r.Status == http.StatusOK || r.Status == http.StatusNoContent, because("PATCH add members answers 200 or 204", r))
			got := s.expectGroup(ctx, g)
			owned("SCIM-GRP-PATCH-ADD", slices.Equal(sorted(memberIDs(got.JSON)), sorted([]string{u[0].ID, u[1].ID})), because("the added members are listed", got))
		}

		scimIt("SCIM-GRP-PATCH-ADD: adds members with op add path members [{value, display}] (okta-scim.md a.3 A14)", KindPositive, func(ctx SpecContext) {
			s.expectMembersSet(s.patch(ctx, "/Groups/"+g, op("add", "members", memberList(u[0].ID, u[1].ID))))
			Expect(members(ctx)).To(ConsistOf(u[0].ID, u[1].ID), "both members were added")
		})

		scimIt("SCIM-GRP-PATCH-REMOVE: removes one member with path members[value eq \"id\"] and keeps the others (okta-scim.md a.3 A14)", KindPositive, func(ctx SpecContext) {
			addTwo(ctx)
			s.expectMembersSet(s.patch(ctx, "/Groups/"+g, op("remove", `members[value eq "`+u[0].ID+`"]`, nil)))
			Expect(members(ctx)).To(ConsistOf(u[1].ID), "only the filtered member was removed")
		})

		scimIt("SCIM-GRP-PATCH-REMOVE-ADD: applies a remove and an add in one request, in order (okta-scim.md a.3 A14)", KindPositive, func(ctx SpecContext) {
			addTwo(ctx)
			s.expectMembersSet(s.patch(ctx, "/Groups/"+g, op("remove", `members[value eq "`+u[0].ID+`"]`, nil), op("add", "members", memberList(u[2].ID))))
			Expect(members(ctx)).To(ConsistOf(u[1].ID, u[2].ID), "both operations were applied")
		})

		scimIt("SCIM-GRP-PATCH-REPLACE: replaces the whole member list with op replace path members (Push Now, okta-scim.md a.3 A15)", KindPositive, func(ctx SpecContext) {
			addTwo(ctx)
			s.expectMembersSet(s.patch(ctx, "/Groups/"+g, op("replace", "members", memberList(u[2].ID))))
			Expect(members(ctx)).To(ConsistOf(u[2].ID), "membership is exactly the list sent")
		})

		scimIt("SCIM-GRP-PATCH-RENAME: renames with Okta's path-less replace whose value holds the group's own id (okta-scim.md a.3 A16)", KindPositive, func(ctx SpecContext) {
			addTwo(ctx) // a group whose PATCH requests are applied at all
			renamed := s.pfx() + "-grp-renamed-" + randToken(8)
			s.expectMembersSet(s.patch(ctx, "/Groups/"+g, op("replace", "", obj{"id": g, "displayName": renamed})))
			got := s.expectGroup(ctx, g)
			Expect(got.JSON["displayName"]).To(Equal(renamed), because("the group has its new name; the id inside the value (same id) is tolerated", got))
		})

		scimIt("SCIM-GRP-PATCH-IDEMPOTENT: adding a member twice or removing a non-member is no error and makes no duplicate (okta-scim.md e.7 G-11)", KindRobustness, func(ctx SpecContext) {
			r := s.patch(ctx, "/Groups/"+g, op("add", "members", memberList(u[0].ID)))
			owned("SCIM-GRP-PATCH-ADD", (r.Status == http.StatusOK || r.Status == http.StatusNoContent) && slices.Equal(members(ctx), []string{u[0].ID}),
				because("a first PATCH add of a member is applied", r))
			s.expectMembersSet(s.patch(ctx, "/Groups/"+g, op("add", "members", memberList(u[0].ID))))
			s.expectMembersSet(s.patch(ctx, "/Groups/"+g, op("remove", `members[value eq "`+u[1].ID+`"]`, nil)))
			Expect(members(ctx)).To(Equal([]string{u[0].ID}), "one membership, no duplicate")
		})
	})
}

// expectGroup checks GET /Groups/{id}: 200 with that group.
func (s *scimSpec) expectGroup(ctx context.Context, id string) harness.SCIMResponse {
	GinkgoHelper()
	r := s.get(ctx, "/Groups/"+id)
	Expect(r.Status).To(Equal(http.StatusOK), because("RFC 7644 §3.4.1: GET /Groups/{id} answers 200", r))
	Expect(r.JSON["id"]).To(Equal(id), because("GET by id answers the group with that id", r))
	return r
}

// setMembers changes a group's members the profile's way: okta-aiw (and rfc without patch) GET the
// group and PUT it with the new list; otherwise PATCH add / remove.
func (s *scimSpec) setMembers(ctx context.Context, gid string, add, remove []string) harness.SCIMResponse {
	GinkgoHelper()
	if s.profile == harness.FlavourOktaAIW || !s.T.Has(harness.FeaturePatch) {
		body := s.expectGroup(ctx, gid).JSON
		var keep []string
		for _, m := range memberIDs(body) {
			if !contains(remove, m) {
				keep = append(keep, m)
			}
		}
		body["members"] = memberList(append(keep, add...)...)
		return s.put(ctx, "/Groups/"+gid, body)
	}
	var ops []obj
	for _, id := range remove {
		ops = append(ops, op("remove", `members[value eq "`+id+`"]`, nil))
	}
	if len(add) > 0 {
		ops = append(ops, op("add", "members", memberList(add...)))
	}
	return s.patch(ctx, "/Groups/"+gid, ops...)
}

// expectMembersSet checks the answer to a membership change: 200 (members may be omitted) or 204.
func (s *scimSpec) expectMembersSet(r harness.SCIMResponse) {
	GinkgoHelper()
	Expect(r.Status).To(Or(Equal(http.StatusOK), Equal(http.StatusNoContent)), because("RFC 7644 §3.5.1/§3.5.2 and okta-scim.md a.5: a group update answers 200 or (PATCH) 204", r))
}

// sorted is a sorted copy.
func sorted(list []string) []string {
	out := slices.Clone(list)
	slices.Sort(out)
	return out
}

// memberList is a members array as Okta sends it: value (the server's user id) and display.
func memberList(ids ...string) []any {
	out := make([]any, 0, len(ids))
	for _, id := range ids {
		out = append(out, obj{"value": id, "display": id})
	}
	return out
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
