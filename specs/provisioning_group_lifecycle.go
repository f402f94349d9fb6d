package specs

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ssoconform/ssoconform/harness"
)

// The rest of the seed's group provisioning, through the mock Okta: a pushed group renamed in Okta,
// "Push Now" making Okta's member list the app's again, and the seed's deprovisioning order ("delete the
// group from the integration application in Okta, and then unlink this group in the Push Groups tab"):
// members who had the app only through the group lose it and are deactivated, the team goes on unlink.
func (su *Suite) describeGroupLifecycle(fl provFlavour) {
	groups := FeatureLabel(harness.FeatureGroups)
	It("PROV-"+fl.id+"-GROUP-RENAME: a pushed group renamed in Okta is renamed in the app, and Push Now restores Okta's members", KindPositive, groups, func(ctx SpecContext) {
		tn := su.provTenant(ctx, fl, "grouprename")
		g, m, gid := pushedGroup(ctx, fl, tn)

		By("renaming the group in Okta")
		_, err := tn.RenameGroup(ctx, g, "Platform")
		Expect(err).NotTo(HaveOccurred())
		r := scimGroup(ctx, tn, gid)
		Expect(r.Status).To(Equal(http.StatusOK), r.Transcript())
		Expect(r.JSON).To(HaveKeyWithValue("displayName", "Platform"), "the app's team must carry the new name:\n%s", r.Transcript())

		By("the app's team losing a member behind Okta's back, then Push Now in the Push Groups tab")
		ids := userIDs(tn, m[0], m[1])
		put, err := tn.SCIM.Do(ctx, http.MethodPut, "/Groups/"+gid, obj{"schemas": []any{schemaGroup},
			"displayName": "Platform", "members": []any{obj{"value": ids[1]}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(put.Status).To(Equal(http.StatusOK), put.Transcript())
		Expect(tn.PushGroup(ctx, g)).To(Succeed())
		r = scimGroup(ctx, tn, gid)
		Expect(memberIDs(r.JSON)).To(ConsistOf(ids), "Push Now makes Okta's member list the team's again")
		Expect(r.JSON).To(HaveKeyWithValue("displayName", "Platform"))
	})

	It("PROV-"+fl.id+"-UNASSIGN-GROUP-UNLINK: unassigning the group deactivates members who had the app only through it; unlinking then deletes the team", KindPositive, groups, func(ctx SpecContext) {
		tn := su.provTenant(ctx, fl, "groupunassign")
		g, m, gid := pushedGroup(ctx, fl, tn)
		direct, directID := pushedUser(ctx, tn, "Dan", "Direct")
		Expect(tn.AddToGroup(ctx, g, direct)).To(Succeed())

		By("deleting the group from the app integration in Okta (unassigning it)")
		Expect(tn.UnassignGroup(ctx, g)).To(Succeed())
		for _, id := range userIDs(tn, m[0], m[1]) {
			expectInactive(ctx, tn, id)
		}
		expectActive(ctx, tn, directID) // assigned on their own too: keeps the app

		By("then unlinking the group in the Push Groups tab, deleting it in the app")
		Expect(tn.UnlinkGroup(ctx, g, true)).To(Succeed())
		r := scimGroup(ctx, tn, gid)
		Expect(r.Status).To(Equal(http.StatusNotFound), "the team must be gone, got:\n%s", r.Transcript())
		for _, id := range userIDs(tn, m[0], m[1]) {
			expectInactive(ctx, tn, id) // deactivated, never deleted
		}
	})
}

// Provisioning does not depend on the SSO protocol: a SAML tenant's app integration provisions too.
func (su *Suite) describeProvisioningGroupLifecycle() {
	Describe("Okta SCIM provisioning on a SAML tenant", ProtocolSCIM, ProtocolSAML, Stack, func() {
		It("PROV-SAML-PUSH-NEW: a user assigned to the SAML app is pushed with the Default Role and signs in over SAML", KindPositive, func(ctx SpecContext) {
			tn := su.provTenantWith(ctx, provFlavours[0], harness.TenantSpec{Name: "samlprov", Protocol: "saml", DefaultRole: "viewer"})
			u, id := pushedUser(ctx, tn, "Sara", "Saml")
			expectActive(ctx, tn, id)
			client := harness.HeadlessClient()
			defer client.CloseIdleConnections()
			Expect(harness.HeadlessSignIn(ctx, client, su.stack.App.URL, tn.Org, u.Login, tn.Password(u))).To(Succeed())
			me := su.headlessWhoAmI(ctx, client)
			Expect(me.Email).To(Equal(u.Login))
			Expect(me.Role).To(Equal("viewer"), "the pushed member has the SAML connection's Default Role")
		})
	})
}
