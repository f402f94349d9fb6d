package specs

import (
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ssoconform/ssoconform/harness"
)

// describeSCIMTransport: authentication, media types and headers (okta-scim.md e.1, conformance.md c.2
// "Authentication", SCIM-IN-CTYPE).
func describeSCIMTransport(s *scimSpec) {
	Context("authentication", func() {
		scimIt("SCIM-AUTH-NONE: refuses a request without credentials with 401 and a SCIM error (RFC 7644 §2, §3.12)", KindSecurity, func(ctx SpecContext) {
			none := ""
			for _, path := range []string{"/Users", "/Users?" + harness.Query("startIndex", "1", "count", "2"), "/Users/" + randToken(12)} {
				r := s.send(ctx, harness.SCIMRequest{Method: http.MethodGet, Path: path, Authorization: &none})
				expectRefusal(r, http.StatusUnauthorized, "", "RFC 7644 §3.12 / §2: a request without credentials is refused with 401")
			}
			r := s.send(ctx, harness.SCIMRequest{Method: http.MethodPost, Path: "/Users", Body: oktaCreateBody(s.newTestUser("noauth")), Authorization: &none})
			expectRefusal(r, http.StatusUnauthorized, "", "RFC 7644 §2: an unauthenticated create is refused with 401 and creates nothing")
		})

		scimIt("SCIM-AUTH-BAD: refuses a wrong or malformed credential with 401 and a SCIM error (Okta SPEC test 11, RFC 7644 §3.12)", KindSecurity, func(ctx SpecContext) {
			truncated := s.T.Authorization[:max(0, len(s.T.Authorization)-1)]
			for _, auth := range []string{"non-token", "Bearer " + randToken(40), "Bearer ", "Bearer", truncated} {
				r := s.send(ctx, harness.SCIMRequest{Method: http.MethodGet, Path: filterPath("Users", eqFilter("userName", "nobody@ssoconform.test")), Authorization: &auth})
				expectRefusal(r, http.StatusUnauthorized, "", "RFC 7644 §3.12 and Okta SPEC test 11: a wrong, empty or truncated credential is refused with 401")
			}
		})

		scimIt("SCIM-AUTH-CHALLENGE: names its authentication scheme in WWW-Authenticate on every 401 (RFC 7235 §3.1, RFC 6750 §3)", KindSecurity, func(ctx SpecContext) {
			none, wrong := "", "Bearer "+randToken(40)
			for _, auth := range []*string{&none, &wrong} {
				r := s.send(ctx, harness.SCIMRequest{Method: http.MethodGet, Path: "/Users?" + harness.Query("startIndex", "1", "count", "1"), Authorization: auth})
				if r.Status != http.StatusUnauthorized {
					Skip(blockedBy("SCIM-AUTH-NONE", "a refused credential is not answered 401"))
				}
				Expect(r.Header.Get("WWW-Authenticate")).NotTo(BeEmpty(), because("RFC 7235 §3.1 (and RFC 6750 §3 for Bearer): a 401 carries WWW-Authenticate", r))
			}
		})

		scimIt("SCIM-AUTH-QUERY: does not accept the credential in the URL (RFC 7644 §7.5.2, RFC 6750 §2.3)", KindSecurity, func(ctx SpecContext) {
			none := ""
			bare := s.send(ctx, harness.SCIMRequest{Method: http.MethodGet, Path: "/Users?" + harness.Query("startIndex", "1", "count", "1"), Authorization: &none})
			owned(ownerAuth, bare.Status == http.StatusUnauthorized, because("a request without credentials is refused with 401", bare))
			token := strings.TrimSpace(strings.TrimPrefix(s.T.Authorization, "Bearer"))
			r := s.send(ctx, harness.SCIMRequest{Method: http.MethodGet, Path: "/Users?" + harness.Query("access_token", token, "startIndex", "1", "count", "1"), Authorization: &none})
			expectRefusal(r, http.StatusUnauthorized, "", "RFC 7644 §7.5.2: credentials in URLs leak into logs; a token in the query must not authenticate")
		})
	})

	Context("media types and headers", func() {
		scimIt("SCIM-HDR-OKTA: answers Okta's real request headers (gzip, Connection: close, its User-Agent) (okta-scim.md a.2)", KindPositive, func(ctx SpecContext) {
			r := s.send(ctx, harness.SCIMRequest{Method: http.MethodGet, Path: "/Users?" + harness.Query("startIndex", "1", "count", "2"), Close: true,
				Header: map[string]string{"Accept-Encoding": "gzip,deflate", "User-Agent": harness.OktaUserAgent}})
			readList(r, "Okta sends Accept-Encoding gzip,deflate, Connection: close and its User-Agent on every request; the server answers 200, never 406/415")
		})

		scimIt("SCIM-CT-JSON: takes application/json bodies like application/scim+json (Okta SPEC test 6, RFC 7644 §3.1)", KindPositive, func(ctx SpecContext) {
			u := s.newTestUser("ctjson")
			r := s.send(ctx, harness.SCIMRequest{Method: http.MethodPost, Path: "/Users", Body: oktaCreateBody(u),
				Header: map[string]string{"Content-Type": "application/json", "Accept": "application/scim+json; charset=utf-8"}})
			Expect(r.Status).To(Equal(http.StatusCreated), because("Okta's SPEC test creates users with Content-Type application/json; it must be taken like application/scim+json", r))
			if id, _ := r.JSON["id"].(string); id != "" { // the id's presence is SCIM-USR-CREATE-201's rule
				t := s.T
				DeferCleanup(func(ctx SpecContext) { removeUser(ctx, t, id) })
			}
		})

		scimIt("SCIM-CT-415: refuses a body in another media type with 415 and creates nothing (RFC 7644 §3.1, RFC 9110 §15.5.16)", KindNegative, func(ctx SpecContext) {
			u := s.newTestUser("ct415")
			for _, ct := range []string{"text/plain", "application/xml", "application/x-www-form-urlencoded"} {
				r := s.send(ctx, harness.SCIMRequest{Method: http.MethodPost, Path: "/Users", Body: oktaCreateBody(u), Header: map[string]string{"Content-Type": ct}})
				expectRefusal(r, http.StatusUnsupportedMediaType, "", "RFC 7644 §3.1: SCIM bodies are application/scim+json (or application/json); another media type is refused with 415")
			}
			found := s.findUsers(ctx, u.UserName)
			Expect(found).To(BeEmpty(), "a refused create must not create the user")
		})

		scimIt("SCIM-CT-RESPONSE: answers JSON with a SCIM media type, on success and on error (RFC 7644 §3.1, §8.1)", KindPositive, func(ctx SpecContext) {
			for _, path := range []string{"/Users?" + harness.Query("startIndex", "1", "count", "1"), "/Users/" + randToken(20)} {
				r := s.get(ctx, path)
				ct := strings.ToLower(r.Header.Get("Content-Type"))
				allowed := []string{"application/scim+json"}
				if s.profile != harness.FlavourRFC {
					allowed = append(allowed, "application/json") // Okta tolerates it (okta-scim.md e.1 T-06)
				}
				Expect(allowed).To(ContainElement(strings.TrimSpace(strings.Split(ct, ";")[0])),
					because("RFC 7644 §8.1: responses are application/scim+json ("+strings.Join(allowed, " or ")+" in this profile)", r))
				Expect(r.JSON).NotTo(BeNil(), because("every answer is a JSON object", r))
			}
		})

		scimIt("SCIM-ERR-UNKNOWN-ENDPOINT: answers an unknown endpoint with 404, not a success or a server error (RFC 7644 §3.12)", KindRobustness, func(ctx SpecContext) {
			r := s.get(ctx, "/NoSuchResource"+randToken(4))
			expectRefusal(r, http.StatusNotFound, "", "RFC 7644 §3.12: an unknown endpoint answers 404")
		})
	})
}
