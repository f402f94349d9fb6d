package specs

import (
	"context"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ssoconform/ssoconform/harness"
)

// oktaUser is a user of the tenant's mock Okta org.
type oktaUser = harness.OktaUser

// pushedGroup makes an Okta group with two members assigned to the app, pushes it and returns it with
// the members and the group's id in the app, checking Okta's push sequence (A12).
func pushedGroup(ctx context.Context, fl provFlavour, tn *harness.Tenant) (harness.OktaGroup, [2]oktaUser, string) {
	GinkgoHelper()
	var members [2]oktaUser
	for i, name := range []string{"Ann", "Bob"} {
		u, err := tn.AddOktaUser(ctx, name, "Member")
		Expect(err).NotTo(HaveOccurred())
		members[i] = u
	}
	By("assigning the group Engineering to the app, then pushing it in the Push Groups tab")
	g, err := tn.AddGroup(ctx, "Engineering", members[0], members[1])
	Expect(err).NotTo(HaveOccurred())
	mark := tn.SCIMMark()
	Expect(tn.PushGroup(ctx, g)).To(Succeed())
	gid, ok := tn.SCIMGroupID(g)
	Expect(ok).To(BeTrue(), "the mock must keep the id the app returned for the group")
	expectSequence(tn, mark, fl.okta([]string{"POST /Groups", "PATCH /Groups/" + gid},
		[]string{`GET /Groups?filter=displayName eq "Engineering"&startIndex=1&count=100`, "POST /Groups",
			"GET /Groups/" + gid, "PUT /Groups/" + gid}), "Push Groups (A12)")
	return g, members, gid
}

// scimGroup GETs the group the app's server knows as id.
func scimGroup(ctx context.Context, tn *harness.Tenant, id string) harness.SCIMResponse {
	GinkgoHelper()
	r, err := tn.SCIM.Do(ctx, http.MethodGet, "/Groups/"+id, nil)
	Expect(err).NotTo(HaveOccurred())
	return r
}

func userIDs(tn *harness.Tenant, users ...oktaUser) []string {
	GinkgoHelper()
	var out []string
	for _, u := range users {
		id, ok := tn.SCIMUserID(u)
		Expect(ok).To(BeTrue(), "%s must have been pushed", u.Login)
		out = append(out, id)
	}
	return out
}

func (su *Suite) describePushGroups(fl provFlavour) {
	groups := FeatureLabel(harness.FeatureGroups)
	It("PROV-"+fl.id+"-PUSH-GROUP: Push Groups: a pushed group appears in the app with its members, and membership changes follow", KindPositive, groups, func(ctx SpecContext) {
		tn := su.provTenant(ctx, fl, "pushgroup")
		g, m, gid := pushedGroup(ctx, fl, tn)
		r := scimGroup(ctx, tn, gid)
		Expect(r.Status).To(Equal(http.StatusOK), r.Transcript())
		Expect(r.JSON).To(HaveKeyWithValue("displayName", "Engineering"))
		Expect(memberIDs(r.JSON)).To(ConsistOf(userIDs(tn, m[0], m[1])), "the team must hold the group's members")

		By("adding a new Okta user to the group: the user is pushed, then added to the team")
		cat, err := tn.AddOktaUser(ctx, "Cat", "Member")
		Expect(err).NotTo(HaveOccurred())
		mark := tn.SCIMMark()
		Expect(tn.AddToGroup(ctx, g, cat)).To(Succeed())
		expectSequence(tn, mark, append([]string{filterUser(cat.Login), "POST /Users"}, fl.groupUpdate(gid)...),
			"a new member of a pushed group (A2, A14)")

		By("removing Ann from the group: she loses the app (deactivated) and leaves the team")
		mark = tn.SCIMMark()
		Expect(tn.RemoveFromGroup(ctx, g, m[0])).To(Succeed())
		annID := userIDs(tn, m[0])[0]
		expectSequence(tn, mark, append(fl.statusChange(annID), fl.groupUpdate(gid)...),
			"a member removed from a pushed group that assigned the app (A20, A14)")
		r = scimGroup(ctx, tn, gid)
		Expect(memberIDs(r.JSON)).To(ConsistOf(userIDs(tn, m[1], cat)), "the team must follow the Okta group's membership")
	})

	It("PROV-"+fl.id+"-UNLINK-DELETE: unlinking a pushed group with \"Delete the group in the target app\" removes the team, not its members", KindPositive, groups, func(ctx SpecContext) {
		tn := su.provTenant(ctx, fl, "unlinkdel")
		g, m, gid := pushedGroup(ctx, fl, tn)
		mark := tn.SCIMMark()
		Expect(tn.UnlinkGroup(ctx, g, true)).To(Succeed())
		expectSequence(tn, mark, []string{"DELETE /Groups/" + gid}, "unlink with delete (A18)")
		r := scimGroup(ctx, tn, gid)
		Expect(r.Status).To(Equal(http.StatusNotFound), "the team must be gone, got:\n%s", r.Transcript())
		for _, id := range userIDs(tn, m[0], m[1]) {
			expectActive(ctx, tn, id)
		}
	})

	It("PROV-"+fl.id+"-UNLINK-LEAVE: unlinking a pushed group with \"Leave the group in the target app\" sends nothing and the team stays", KindPositive, groups, func(ctx SpecContext) {
		tn := su.provTenant(ctx, fl, "unlinkleave")
		g, m, gid := pushedGroup(ctx, fl, tn)
		mark := tn.SCIMMark()
		Expect(tn.UnlinkGroup(ctx, g, false)).To(Succeed())
		Expect(tn.SCIMRequests(mark)).To(BeEmpty(), "leaving the group sends nothing (A19)")
		r := scimGroup(ctx, tn, gid)
		Expect(r.Status).To(Equal(http.StatusOK), r.Transcript())
		Expect(memberIDs(r.JSON)).To(ConsistOf(userIDs(tn, m[0], m[1])), "the team keeps its members")
	})
}
