package specs

import (
	"context"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ssoconform/ssoconform/harness"
)

// describeSCIMUserPatch: PATCH on users (RFC 7644 §3.5.2; okta-scim.md e.5 U-17..U-23). Registered for
// okta-oin (Okta's OIN apps PATCH) and rfc; okta-aiw apps never send PATCH.
func describeSCIMUserPatch(s *scimSpec) {
	if s.profile == harness.FlavourOktaAIW {
		return
	}
	patchOK := func(r harness.SCIMResponse, rule string) {
		GinkgoHelper()
		Expect(r.Status).To(Or(Equal(http.StatusOK), Equal(http.StatusNoContent)), because(rule+" (RFC 7644 §3.5.2: 200 with the resource, or 204)", r))
	}
	Context("users: PATCH", FeatureLabel(harness.FeaturePatch), func() {
		scimIt("SCIM-USR-PATCH-PROFILE: applies a path-less replace of name.givenName and keeps the other sub-attributes (RFC 7644 §3.5.2.3, okta-scim.md a.3 A4')", KindPositive, func(ctx SpecContext) {
			u := s.newTestUser("patchprof")
			s.createUser(ctx, &u)
			r := s.patch(ctx, "/Users/"+u.ID, op("replace", "", obj{"name": obj{"givenName": "Patched"}}))
			patchOK(r, "a path-less replace with a value object is applied")
			got := s.expectUser(ctx, u.ID)
			Expect(jpath(got.JSON, "name.givenName")).To(Equal("Patched"), because("the replaced sub-attribute has its new value", got))
			Expect(jpath(got.JSON, "name.familyName")).To(Equal(u.Family), because("RFC 7644 §3.5.2.3: replacing a complex attribute leaves sub-attributes not in the value unchanged", got))
		})

		scimIt("SCIM-USR-PATCH-PATHS: applies add, replace and remove with attribute paths (RFC 7644 §3.5.2.1-3)", KindPositive, func(ctx SpecContext) {
			u := s.newTestUser("patchpath")
			s.createUser(ctx, &u)
			s.requirePatchApplies(ctx, &u)
			ext := "00u" + randToken(17)
			r := s.patch(ctx, "/Users/"+u.ID,
				op("replace", "name.familyName", "Pathed"),
				op("add", "displayName", "Display Pathed"),
				op("replace", "externalId", ext))
			patchOK(r, "pathed add and replace are applied")
			got := s.expectUser(ctx, u.ID)
			for path, want := range map[string]any{"name.familyName": "Pathed", "name.givenName": u.Given, "displayName": "Display Pathed", "externalId": ext} {
				Expect(jpath(got.JSON, path)).To(Equal(want), because("after the PATCH, "+path+" has its expected value", got))
			}
			r = s.patch(ctx, "/Users/"+u.ID, op("remove", "externalId", nil))
			patchOK(r, "RFC 7644 §3.5.2.2: remove with a path is applied")
			got = s.expectUser(ctx, u.ID)
			Expect(got.JSON["externalId"]).To(Or(BeNil(), BeEmpty()), because("RFC 7644 §3.5.2.2: the removed attribute is gone", got))
		})

		scimIt("SCIM-USR-PATCH-ACTIVE-PATH: deactivates and reactivates with replace path active (RFC 7644 §3.5.2.3, okta-scim.md e.5 U-17)", KindPositive, func(ctx SpecContext) {
			u := s.newTestUser("patchactive")
			s.createUser(ctx, &u)
			s.requirePatchApplies(ctx, &u)
			for _, active := range []bool{false, true} {
				patchOK(s.patch(ctx, "/Users/"+u.ID, op("replace", "active", active)), "replace path active is applied")
				got := s.expectUser(ctx, u.ID)
				Expect(got.JSON["active"]).To(Equal(active), because("GET shows the new active value", got))
			}
		})

		scimIt("SCIM-USR-PATCH-ATOMIC: refuses a PATCH with one invalid operation with 400 and applies none of it (RFC 7644 §3.5.2)", KindNegative, func(ctx SpecContext) {
			u := s.newTestUser("patchatomic")
			s.createUser(ctx, &u)
			s.requirePatchApplies(ctx, &u)
			r := s.patch(ctx, "/Users/"+u.ID, op("replace", "name.givenName", "MustNotStick"), op("frobnicate", "displayName", "x"))
			expectRefusal(r, http.StatusBadRequest, "", "RFC 7644 §3.5.2: an invalid operation fails the whole PATCH with 400")
			got := s.expectUser(ctx, u.ID)
			Expect(jpath(got.JSON, "name.givenName")).To(Equal(u.Given), because("RFC 7644 §3.5.2: PATCH is atomic; the valid operation before the invalid one is not applied", got))
		})

		scimIt("SCIM-USR-PATCH-ERRORS: refuses malformed PATCH requests with 400 noTarget, invalidPath or mutability, and unknown ids with 404 (RFC 7644 §3.5.2, §3.12)", KindNegative, func(ctx SpecContext) {
			u := s.newTestUser("patcherr")
			s.createUser(ctx, &u)
			s.requirePatchApplies(ctx, &u)
			path := "/Users/" + u.ID
			expectRefusal(s.patch(ctx, path, op("remove", "", nil)), http.StatusBadRequest, "noTarget", "RFC 7644 §3.5.2.2: remove without a path is refused with 400 noTarget")
			expectRefusal(s.patch(ctx, path, op("replace", "name[[givenName", "x")), http.StatusBadRequest, "invalidPath", "RFC 7644 §3.5.2: a malformed path is refused with 400 invalidPath")
			expectRefusal(s.patch(ctx, path, op("replace", "id", "other-"+randToken(6))), http.StatusBadRequest, "mutability", "RFC 7644 §3.5.2: replacing the readOnly id is refused with 400 mutability")
			expectRefusal(s.send(ctx, harness.SCIMRequest{Method: http.MethodPatch, Path: path, Body: obj{"schemas": []any{schemaPatchOp}, "Operations": []any{}}}),
				http.StatusBadRequest, "", "RFC 7644 §3.5.2: a PATCH without operations is refused with 400")
			expectRefusal(s.send(ctx, harness.SCIMRequest{Method: http.MethodPatch, Path: path, Body: obj{"Operations": []any{op("replace", "active", false)}}}),
				http.StatusBadRequest, "", "RFC 7644 §3.5.2: a PATCH body without the PatchOp schema is refused with 400")
			expectRefusal(s.patch(ctx, "/Users/"+randToken(24), op("replace", "", obj{"active": false})), http.StatusNotFound, "", "RFC 7644 §3.12: PATCH of an unknown id answers 404")
			Expect(s.expectUser(ctx, u.ID).JSON["active"]).To(Equal(true), "none of the refused PATCH requests changed the user")
		})

		if s.profile == harness.FlavourRFC {
			scimIt("SCIM-USR-PATCH-ENTRA: takes Entra's PATCH dialect: capitalised ops and \"False\" strings (okta-scim.md c.2, e.5 U-18)", KindRobustness, FeatureLabel(harness.FeatureEntraCompat), func(ctx SpecContext) {
				u := s.newTestUser("entra")
				s.createUser(ctx, &u)
				s.requirePatchApplies(ctx, &u)
				patchOK(s.patch(ctx, "/Users/"+u.ID, op("Replace", "active", "False")), "Entra sends op Replace with the string \"False\"")
				got := s.expectUser(ctx, u.ID)
				Expect(got.JSON["active"]).To(Equal(false), because("\"False\" is read as false", got))
				patchOK(s.patch(ctx, "/Users/"+u.ID, op("Add", "displayName", "Entra Added"), op("Replace", "active", "True")), "Entra sends op Add / Replace")
				got = s.expectUser(ctx, u.ID)
				Expect(got.JSON["active"]).To(Equal(true), because("\"True\" is read as true", got))
				Expect(got.JSON["displayName"]).To(Equal("Entra Added"), because("op Add is add", got))
			})
		}
	})
}

// requirePutApplies checks, before a spec that relies on PUT, that Okta's GET-then-PUT of a changed
// givenName is applied (SCIM-USR-PUT owns it): a server that ignores PUT fails that spec and blocks these.
func (s *scimSpec) requirePutApplies(ctx context.Context) {
	GinkgoHelper()
	u := s.newTestUser("preput")
	s.createUser(ctx, &u)
	body := s.expectUser(ctx, u.ID).JSON
	given := "Put" + randToken(6)
	if name, ok := body["name"].(obj); ok {
		name["givenName"] = given
	}
	r := s.put(ctx, "/Users/"+u.ID, body)
	got := s.expectUser(ctx, u.ID)
	owned("SCIM-USR-PUT", r.Status == http.StatusOK && jpath(got.JSON, "name.givenName") == given, because("a PUT of a changed givenName is applied", got))
}

// requireUpdatesApply checks that the profile's way of updating a user works: PATCH for okta-oin, PUT
// otherwise (and PUT for okta-oin's profile pushes too).
func (s *scimSpec) requireUpdatesApply(ctx context.Context) {
	GinkgoHelper()
	s.requirePutApplies(ctx)
	if s.T.Has(harness.FeaturePatch) {
		u := s.newTestUser("prepatch")
		s.createUser(ctx, &u)
		s.requirePatchApplies(ctx, &u)
	}
}

// requirePatchApplies checks, before a spec that relies on PATCH, that Okta's path-less replace of
// name.givenName is applied (SCIM-USR-PATCH-PROFILE owns it): a server that ignores PATCH fails that
// spec and blocks these.
func (s *scimSpec) requirePatchApplies(ctx context.Context, u *testUser) {
	GinkgoHelper()
	given, id := "Pre"+randToken(6), u.ID
	r := s.patch(ctx, "/Users/"+id, op("replace", "", obj{"name": obj{"givenName": given}}))
	owned("SCIM-USR-PATCH-PROFILE", r.Status == http.StatusOK || r.Status == http.StatusNoContent, because("a path-less PATCH replace answers 200 or 204", r))
	got := s.expectUser(ctx, id)
	owned("SCIM-USR-PATCH-PROFILE", jpath(got.JSON, "name.givenName") == given, because("a path-less PATCH replace of name.givenName is applied", got))
	u.Given = given
}
