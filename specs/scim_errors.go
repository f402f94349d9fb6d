package specs

import (
	"bytes"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ssoconform/ssoconform/harness"
)

// describeSCIMErrors: malformed and oversized input (okta-scim.md e.8 E-02/E-04, conformance.md c.2
// "Malformed input", "Size and volume"). Client input never causes a 500.
func describeSCIMErrors(s *scimSpec) {
	Context("malformed input", func() {
		scimIt("SCIM-ERR-MALFORMED: refuses malformed JSON with 400 invalidSyntax and creates nothing (RFC 7644 §3.12)", KindRobustness, func(ctx SpecContext) {
			u := s.newTestUser("malformed")
			for _, body := range []string{`{"schemas":["` + schemaUser + `"],"userName":"` + u.UserName, `[]`, `not json`,
				`{"schemas":["` + schemaUser + `"],"userName":"` + u.UserName + `"} trailing`, "\xff\xfe{}"} {
				r := s.send(ctx, harness.SCIMRequest{Method: http.MethodPost, Path: "/Users", RawBody: []byte(body)})
				expectRefusal(r, http.StatusBadRequest, "invalidSyntax", "RFC 7644 §3.12: a body that is not one JSON object is refused with 400 invalidSyntax, never 500")
				expectNoLeak(r)
			}
			found := s.findUsers(ctx, u.UserName)
			Expect(found).To(BeEmpty(), "no refused request created the user")
		})

		scimIt("SCIM-ERR-USERNAME: refuses a user without a usable userName with 400 invalidValue (RFC 7643 §4.1.1 required, RFC 7644 §3.12)", KindNegative, func(ctx SpecContext) {
			for _, userName := range []any{nil, ""} {
				body := oktaCreateBody(s.newTestUser("nouser"))
				if userName == nil {
					delete(body, "userName")
				} else {
					body["userName"] = userName
				}
				r := s.post(ctx, "/Users", body)
				expectRefusal(r, http.StatusBadRequest, "invalidValue", "RFC 7644 §3.12: a missing or empty required userName is refused with 400 invalidValue")
			}
		})

		scimIt("SCIM-ERR-TYPES: refuses attributes of the wrong JSON type with 400, never 500 (RFC 7643 §2.3, RFC 7644 §3.12)", KindRobustness, func(ctx SpecContext) {
			for attr, v := range map[string]any{"userName": 123, "emails": "x", "name": []any{}, "active": "yes"} {
				body := oktaCreateBody(s.newTestUser("types"))
				body[attr] = v
				r := s.post(ctx, "/Users", body)
				Expect(r.Status).To(Equal(http.StatusBadRequest), because("RFC 7644 §3.12: "+attr+" of the wrong type is refused with 400 (invalidValue or invalidSyntax)", r))
				owned("SCIM-USR-GET-404", r.JSON != nil, because("RFC 7644 §3.12: an error answers a JSON body", r))
				Expect(r.JSON["scimType"]).To(BeElementOf("invalidValue", "invalidSyntax"), because("RFC 7644 §3.12: scimType invalidValue or invalidSyntax", r))
			}
		})

		scimIt("SCIM-ERR-413: refuses a 16 MiB body with 413 (RFC 7644 §3.12, issue 5 body cap)", KindRobustness, func(ctx SpecContext) {
			u := s.newTestUser("huge")
			body := oktaCreateBody(u)
			body["displayName"] = string(bytes.Repeat([]byte("x"), 16<<20))
			r := s.post(ctx, "/Users", body)
			expectRefusal(r, http.StatusRequestEntityTooLarge, "", "RFC 7644 §3.12: a body past the server's cap is refused with 413")
			found := s.findUsers(ctx, u.UserName)
			Expect(found).To(BeEmpty(), "the refused create made no user")
		})
	})
}
