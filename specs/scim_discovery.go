package specs

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ssoconform/ssoconform/harness"
)

// describeSCIMDiscovery: /ServiceProviderConfig, /ResourceTypes and /Schemas (RFC 7644 §4, RFC 7643
// §5-7; okta-scim.md e.9). Okta calls them only for entitlements and schema discovery, so they are an
// optional feature; when present they must describe what the server does.
func describeSCIMDiscovery(s *scimSpec) {
	Context("discovery", FeatureLabel(harness.FeatureDiscovery), func() {
		scimIt("SCIM-DISC-SPC: describes its capabilities at /ServiceProviderConfig, consistently with what it declares (RFC 7643 §5, RFC 7644 §4)", KindPositive, func(ctx SpecContext) {
			r := s.get(ctx, "/ServiceProviderConfig")
			Expect(r.Status).To(Equal(200), because("RFC 7644 §4: GET /ServiceProviderConfig answers 200", r))
			Expect(r.JSON["schemas"]).To(ContainElement(schemaSPC), because("RFC 7643 §5: the ServiceProviderConfig schema URN is listed", r))
			for _, f := range []string{"patch", "bulk", "filter", "changePassword", "sort", "etag"} {
				Expect(jpath(r.JSON, f+".supported")).To(BeAssignableToTypeOf(true), because("RFC 7643 §5: "+f+".supported is a boolean", r))
			}
			Expect(jpath(r.JSON, "filter.supported")).To(Equal(true), because("userName eq filters are required (Okta), so filter.supported is true", r))
			Expect(jpath(r.JSON, "filter.maxResults")).To(BeAssignableToTypeOf(float64(0)), because("RFC 7643 §5: filter.maxResults is an integer", r))
			if s.T.Has(harness.FeaturePatch) {
				Expect(jpath(r.JSON, "patch.supported")).To(Equal(true), because("the target takes PATCH, so patch.supported is true", r))
			}
			schemes, _ := r.JSON["authenticationSchemes"].([]any)
			Expect(schemes).NotTo(BeEmpty(), because("RFC 7643 §5: authenticationSchemes lists how to authenticate", r))
		})

		scimIt("SCIM-DISC-RESOURCETYPES: lists User (and Group when groups are declared) at /ResourceTypes (RFC 7643 §6, RFC 7644 §4)", KindPositive, func(ctx SpecContext) {
			r := s.get(ctx, "/ResourceTypes")
			l := readList(r, "RFC 7644 §4: GET /ResourceTypes answers 200 with a ListResponse")
			byName := map[string]obj{}
			for _, rt := range l.Resources {
				name, _ := rt["name"].(string)
				byName[name] = rt
				Expect(rt["schemas"]).To(ContainElement(schemaResourceType), because("RFC 7643 §6: each resource type lists the ResourceType schema URN", r))
			}
			want := map[string][2]string{"User": {"/Users", schemaUser}}
			if s.T.Has(harness.FeatureGroups) {
				want["Group"] = [2]string{"/Groups", schemaGroup}
			}
			for name, w := range want {
				Expect(byName).To(HaveKey(name), because("the "+name+" resource type is listed", r))
				Expect(byName[name]["endpoint"]).To(Equal(w[0]), because("RFC 7643 §6: the "+name+" endpoint is "+w[0], r))
				Expect(byName[name]["schema"]).To(Equal(w[1]), because("RFC 7643 §6: the "+name+" schema is "+w[1], r))
			}
		})

		scimIt("SCIM-DISC-SCHEMAS: describes the User schema at /Schemas and /Schemas/{urn}, userName unique and case-insensitive (RFC 7643 §7, §8.7.1)", KindPositive, func(ctx SpecContext) {
			r := s.get(ctx, "/Schemas")
			l := readList(r, "RFC 7644 §4: GET /Schemas answers 200 with a ListResponse")
			Expect(ids(l.Resources)).To(ContainElement(schemaUser), because("the core User schema is listed", r))
			if s.T.Has(harness.FeatureGroups) {
				Expect(ids(l.Resources)).To(ContainElement(schemaGroup), because("the core Group schema is listed", r))
			}
			one := s.get(ctx, "/Schemas/"+schemaUser)
			Expect(one.Status).To(Equal(200), because("RFC 7644 §4: a schema is retrieved at /Schemas/{id}", one))
			Expect(one.JSON["id"]).To(Equal(schemaUser), because("the schema answered is the one asked for", one))
			Expect(one.JSON["schemas"]).To(ContainElement(schemaSchema), because("RFC 7643 §7: a schema resource lists the Schema schema URN", one))
			var userName obj
			attrs, _ := one.JSON["attributes"].([]any)
			for _, a := range attrs {
				if ao, ok := a.(obj); ok && ao["name"] == "userName" {
					userName = ao
				}
			}
			Expect(userName).NotTo(BeNil(), because("the User schema describes userName", one))
			Expect(userName["caseExact"]).To(Equal(false), because("RFC 7643 §8.7.1: userName is caseExact:false", one))
			Expect(userName["uniqueness"]).To(Equal("server"), because("RFC 7643 §8.7.1: userName uniqueness is server", one))
			Expect(userName["required"]).To(Equal(true), because("RFC 7643 §8.7.1: userName is required", one))
		})
	})
}
