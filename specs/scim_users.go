package specs

import (
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ssoconform/ssoconform/harness"
)

// describeSCIMUsers: create, read and replace users (okta-scim.md e.4, e.5 U-11..U-12, U-21..U-22).
func describeSCIMUsers(s *scimSpec) {
	Context("users: create and read", func() {
		scimIt("SCIM-USR-CREATE-201: answers Okta's create with 201 and the full resource: id, meta, the values sent (RFC 7644 §3.3, okta-scim.md a.3 A2)", KindPositive, func(ctx SpecContext) {
			u := s.newTestUser("create")
			r := s.createUser(ctx, &u)
			for path, want := range map[string]any{"userName": u.UserName, "name.givenName": u.Given, "name.familyName": u.Family,
				"emails[0].value": u.Email, "active": true} {
				Expect(jpath(r.JSON, path)).To(Equal(want), because("Okta SPEC test 6: the created resource echoes "+path+" exactly", r))
			}
			Expect(r.JSON["schemas"]).To(ContainElement(schemaUser), because("RFC 7643 §3: the resource lists the core User schema URN", r))
			Expect(jpath(r.JSON, "meta.resourceType")).To(Equal("User"), because("RFC 7643 §3.1: meta.resourceType is User", r))
			if s.profile == harness.FlavourRFC {
				loc := r.Header.Get("Location")
				Expect(loc).To(HaveSuffix("/Users/"+u.ID), because("RFC 7644 §3.3: the 201 carries a Location header with the resource's URI", r))
				Expect(jpath(r.JSON, "meta.location")).To(Equal(loc), because("RFC 7644 §3.3: meta.location equals the Location header", r))
				Expect(jpath(r.JSON, "meta.created")).NotTo(BeEmpty(), because("RFC 7643 §3.1: meta.created is set", r))
			}
		})

		scimIt("SCIM-USR-PASSWORD-NEVER: never returns the password Okta sends on create (RFC 7643 §4.1.1 returned:never)", KindSecurity, func(ctx SpecContext) {
			u := s.newTestUser("pw")
			body := oktaCreateBody(u)
			pw := body["password"].(string)
			r := s.createUserWith(ctx, &u, body)
			for _, resp := range []harness.SCIMResponse{r, s.get(ctx, "/Users/"+u.ID), s.get(ctx, filterPath("Users", eqFilter("userName", u.UserName)))} {
				Expect(resp.ResponseBody).NotTo(ContainSubstring(pw), because("RFC 7643 §4.1.1: password is returned:never; the placeholder Okta sends never comes back", resp))
				Expect(resp.ResponseBody).NotTo(ContainSubstring(`"password"`), because("RFC 7643 §4.1.1: no password attribute in any answer", resp))
			}
		})

		scimIt("SCIM-USR-EXTRA-ATTRS: accepts Okta's extra and unknown attributes without storing unknown ones (okta-scim.md e.4 U-04, conformance.md SCIM-IN-UNKNOWN-ATTR)", KindRobustness, func(ctx SpecContext) {
			u := s.newTestUser("extra")
			body := oktaCreateBody(u)
			body["schemas"] = []any{schemaUser, schemaEnterprise}
			body[schemaEnterprise] = obj{"department": "R&D", "employeeNumber": "42", "costCenter": "CC1", "organization": "Org",
				"division": "Div", "manager": obj{"value": "00u" + randToken(17), "displayName": "Boss"}}
			for k, v := range map[string]any{"title": "Engineer", "userType": "Employee", "nickName": "Nick", "preferredLanguage": "en-US",
				"timezone": "Europe/Paris", "phoneNumbers": []any{obj{"value": "+1 555 0100", "type": "work", "primary": true}},
				"addresses": []any{obj{"streetAddress": "1 Main St", "locality": "Town", "postalCode": "12345", "country": "US", "type": "work", "primary": true}},
				"isAdmin":   true, "roles": []any{obj{"value": "owner"}}, "ssoconformUnknown": "x"} {
				body[k] = v
			}
			r := s.post(ctx, "/Users", body)
			if s.profile == harness.FlavourRFC && r.Status == http.StatusBadRequest {
				expectRefusal(r, http.StatusBadRequest, "invalidSyntax", "RFC 7644 §3.3: a server may refuse unknown attributes with 400 invalidSyntax")
				return
			}
			Expect(r.Status).To(Equal(http.StatusCreated), because("Okta sends its template's extra attributes and unknown ones; they are accepted (and ignored when not supported), never 400 or 500", r))
			id, _ := r.JSON["id"].(string)
			t := s.T
			DeferCleanup(func(ctx SpecContext) { removeUser(ctx, t, id) })
			for _, got := range []harness.SCIMResponse{r, s.get(ctx, "/Users/"+id)} {
				Expect(got.JSON).NotTo(HaveKey("isAdmin"), because("an unknown attribute is not stored nor echoed (it must never reach privileged fields)", got))
				Expect(got.JSON).NotTo(HaveKey("ssoconformUnknown"), because("an unknown attribute is not stored nor echoed", got))
			}
		})

		scimIt("SCIM-USR-CREATE-409: refuses a second create of the same userName with 409 uniqueness (RFC 7644 §3.3, Okta SPEC test 8)", KindNegative, func(ctx SpecContext) {
			u := s.newTestUser("dup")
			s.createUser(ctx, &u)
			r := s.post(ctx, "/Users", oktaCreateBody(u))
			expectRefusal(r, http.StatusConflict, "uniqueness", "RFC 7644 §3.3: a duplicate userName is refused with 409 and scimType uniqueness")
			found := s.findUsers(ctx, u.UserName)
			Expect(found).To(HaveLen(1), "the refused create must not add a second user")
		})

		scimIt("SCIM-USR-CREATE-409-CASE: refuses a create whose userName differs only in case with 409 (RFC 7643 §4.1.1 caseExact:false, uniqueness:server)", KindNegative, func(ctx SpecContext) {
			u := s.newTestUser("dupcase")
			s.createUser(ctx, &u)
			dup := s.post(ctx, "/Users", oktaCreateBody(u))
			owned("SCIM-USR-CREATE-409", dup.Status == http.StatusConflict, because("an exact duplicate is refused with 409", dup))
			v := u
			v.UserName = strings.ToUpper(u.UserName)
			r := s.post(ctx, "/Users", oktaCreateBody(v))
			expectRefusal(r, http.StatusConflict, "", "RFC 7643 §4.1.1: userName is unique case-insensitively; a case variant is a duplicate (409)")
		})

		scimIt("SCIM-USR-USERNAME-EXACT: returns userName exactly as sent: case, unicode, spaces and punctuation (RFC 7643 §4.1.1, issue 5)", KindPositive, func(ctx SpecContext) {
			r8 := randToken(8)
			for _, name := range []string{"MiXeD.Case-" + r8 + "@Example.TEST", "ünïcödé-ßtraße-" + r8 + "@例え.test",
				"first last " + r8, "<b>html</b>&amp;'\"" + r8 + "@ssoconform.test"} {
				u := s.newTestUser("exact")
				u.UserName = name
				r := s.createUser(ctx, &u)
				Expect(r.JSON["userName"]).To(Equal(name), because("userName round-trips exactly as sent: Okta's later userName eq lookups must find it", r))
				got := s.expectUser(ctx, u.ID)
				Expect(got.JSON["userName"]).To(Equal(name), because("GET returns the userName exactly as created", got))
			}
		})

		scimIt("SCIM-USR-GET: answers GET /Users/{id} with the single resource (Okta SPEC tests 2 and 7, RFC 7644 §3.4.1)", KindPositive, func(ctx SpecContext) {
			u := s.newTestUser("get")
			s.createUser(ctx, &u)
			r := s.expectUser(ctx, u.ID)
			Expect(r.JSON["schemas"]).NotTo(ContainElement(schemaList), because("GET by id answers a User, never a ListResponse (Okta PUTs back what it GETs)", r))
			Expect(r.JSON).NotTo(HaveKey("Resources"), because("GET by id answers a User, never a ListResponse", r))
			Expect(r.JSON["schemas"]).To(ContainElement(schemaUser), because("RFC 7643 §3: the resource lists the core User schema URN", r))
			for path, want := range map[string]any{"userName": u.UserName, "name.givenName": u.Given, "name.familyName": u.Family, "emails[0].value": u.Email, "active": true} {
				Expect(jpath(r.JSON, path)).To(Equal(want), because("Okta SPEC test 7: GET returns "+path+" as created", r))
			}
		})

		scimIt("SCIM-USR-GET-404: answers an unknown user id with 404 and a SCIM error body: Error URN, status as a string, a detail (Okta SPEC tests 4 and 12, RFC 7644 §3.12)", KindNegative, func(ctx SpecContext) {
			for _, id := range []string{"010101001010101011001010101011", "00919288221112222", randToken(32), "1 OR 1=1"} {
				r := s.get(ctx, "/Users/"+strings.ReplaceAll(id, " ", "%20"))
				expectSCIMError(r, http.StatusNotFound, "", "RFC 7644 §3.12 and Okta SPEC test 12: an unknown id answers 404 with a SCIM Error, status \"404\"")
			}
		})
	})

	Context("users: replace (PUT)", func() {
		scimIt("SCIM-USR-PUT: takes Okta's GET-then-PUT of the server's own representation with a changed attribute (RFC 7644 §3.5.1, okta-scim.md a.3 A4)", KindPositive, func(ctx SpecContext) {
			u := s.newTestUser("put")
			s.createUser(ctx, &u)
			body := s.expectUser(ctx, u.ID).JSON
			body["name"].(obj)["givenName"] = "Changed" + randToken(4)
			want := body["name"].(obj)["givenName"]
			r := s.put(ctx, "/Users/"+u.ID, body)
			Expect(r.Status).To(Equal(http.StatusOK), because("RFC 7644 §3.5.1: PUT answers 200 with the resource; readOnly id and meta sent back by Okta are ignored, not refused", r))
			Expect(jpath(r.JSON, "name.givenName")).To(Equal(want), because("the answer shows the new givenName", r))
			got := s.expectUser(ctx, u.ID)
			for path, w := range map[string]any{"name.givenName": want, "name.familyName": u.Family, "userName": u.UserName, "active": true} {
				Expect(jpath(got.JSON, path)).To(Equal(w), because("after the PUT, GET shows "+path+" as sent (and the PUT did not flip active)", got))
			}
		})

		scimIt("SCIM-USR-PUT-EMPTY: takes a PUT that empties or omits optional attributes (okta-scim.md e.5 U-12, OIN plan C9337)", KindRobustness, func(ctx SpecContext) {
			u := s.newTestUser("putempty")
			body := oktaCreateBody(u)
			body["title"] = "Engineer"
			s.createUserWith(ctx, &u, body)
			full := s.expectUser(ctx, u.ID).JSON
			full["title"] = ""
			r := s.put(ctx, "/Users/"+u.ID, full)
			Expect(r.Status).To(Equal(http.StatusOK), because("Okta pushes empty values; a PUT with an emptied optional attribute answers 200", r))
			delete(full, "title")
			delete(full, "displayName")
			r = s.put(ctx, "/Users/"+u.ID, full)
			Expect(r.Status).To(Equal(http.StatusOK), because("RFC 7644 §3.5.1: a PUT omitting optional attributes answers 200 (they may be cleared)", r))
		})

		scimIt("SCIM-USR-PUT-404: answers a PUT to an unknown id with 404 and creates nothing (RFC 7644 §3.5.1)", KindNegative, func(ctx SpecContext) {
			s.requirePutApplies(ctx)
			u := s.newTestUser("put404")
			r := s.put(ctx, "/Users/"+randToken(24), oktaCreateBody(u))
			expectRefusal(r, http.StatusNotFound, "", "RFC 7644 §3.5.1: PUT never creates; an unknown id answers 404")
			found := s.findUsers(ctx, u.UserName)
			Expect(found).To(BeEmpty(), "a PUT to an unknown id must not create the user")
		})

		scimIt("SCIM-USR-PUT-409: refuses a PUT that takes another user's userName with 409 uniqueness (RFC 7644 §3.12)", KindNegative, func(ctx SpecContext) {
			s.requirePutApplies(ctx)
			a, b := s.newTestUser("puta"), s.newTestUser("putb")
			s.createUser(ctx, &a)
			s.createUser(ctx, &b)
			body := s.expectUser(ctx, b.ID).JSON
			body["userName"] = strings.ToUpper(a.UserName)
			r := s.put(ctx, "/Users/"+b.ID, body)
			expectRefusal(r, http.StatusConflict, "uniqueness", "RFC 7644 §3.12: a PUT making userName collide with another user's (in any case) is refused with 409 uniqueness")
			Expect(s.expectUser(ctx, b.ID).JSON["userName"]).To(Equal(b.UserName), "the refused PUT left the user unchanged")
		})

		scimIt("SCIM-USR-READONLY: ignores client-supplied id and meta on create and replace (RFC 7644 §3.3, §3.5.1)", KindSecurity, func(ctx SpecContext) {
			u := s.newTestUser("readonly")
			body := oktaCreateBody(u)
			body["id"] = "client-chosen-" + randToken(6)
			body["meta"] = obj{"created": "2001-01-01T00:00:00Z", "resourceType": "Group"}
			r := s.createUserWith(ctx, &u, body)
			Expect(u.ID).NotTo(Equal(body["id"]), because("RFC 7643 §3.1: id is assigned by the service provider; a client-supplied id is ignored", r))
			full := s.expectUser(ctx, u.ID).JSON
			full["id"] = "other-" + randToken(6)
			r = s.put(ctx, "/Users/"+u.ID, full)
			Expect(r.Status).To(Or(Equal(http.StatusOK), Equal(http.StatusBadRequest)), because("RFC 7644 §3.5.1: readOnly values in a PUT are ignored (200) or refused as a mutability error (400)", r))
			s.expectUser(ctx, u.ID) // still reachable under its own id
			Expect(s.get(ctx, "/Users/"+full["id"].(string)).Status).To(Equal(http.StatusNotFound), "the client-chosen id names no resource")
		})
	})
}
