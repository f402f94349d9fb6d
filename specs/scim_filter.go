package specs

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ssoconform/ssoconform/harness"
)

// describeSCIMFiltering: Okta's userName lookups and filter robustness (okta-scim.md e.3,
// conformance.md c.2 "Filter handling", RFC 7644 §3.4.2.2).
func describeSCIMFiltering(s *scimSpec) {
	Context("filtering", func() {
		scimIt("SCIM-FLT-EQ: finds a user with Okta's lookup filter=userName eq \"...\"&startIndex=1&count=100 (okta-scim.md a.3 A2)", KindPositive, func(ctx SpecContext) {
			s.requireFilterHonoured(ctx)
			u := s.newTestUser("flteq")
			s.createUser(ctx, &u)
			r := s.get(ctx, filterPath("Users", eqFilter("userName", u.UserName)))
			l := readList(r, "Okta looks every user up by userName eq before creating or linking it")
			Expect(l.Total).To(Equal(1), because("exactly one user has this userName", r))
			Expect(ids(l.Resources)).To(Equal([]string{u.ID}), because("the lookup returns that user", r))
			Expect(l.Resources[0]["userName"]).To(Equal(u.UserName), because("userName round-trips exactly", r))
		})

		scimIt("SCIM-FLT-NOMATCH: answers a lookup without match with 200 and totalResults 0, not 404 (Okta SPEC tests 3 and 5)", KindPositive, func(ctx SpecContext) {
			for _, name := range []string{"abcdefgh-" + randToken(6) + "@atko.com", s.newTestUser("none").UserName} {
				r := s.get(ctx, filterPath("Users", eqFilter("userName", name)))
				l := readList(r, "Okta's SPEC test: a filter matching nothing answers 200 with a ListResponse (a 404 fails it)")
				Expect(l.Total).To(Equal(0), because("nothing matches", r))
				Expect(l.Resources).To(BeEmpty(), because("nothing matches", r))
			}
		})

		scimIt("SCIM-FLT-CASE: compares userName case-insensitively in eq filters (RFC 7643 §4.1.1 caseExact:false, Okta SPEC test 9)", KindPositive, func(ctx SpecContext) {
			s.requireFilterHonoured(ctx)
			u := s.newTestUser("fltcase")
			u.UserName = "Mixed.Case-" + u.UserName
			s.createUser(ctx, &u)
			for _, variant := range []string{strings.ToUpper(u.UserName), strings.ToLower(u.UserName)} {
				r := s.get(ctx, filterPath("Users", eqFilter("userName", variant)))
				l := readList(r, "Okta SPEC test 9: a lookup with the userName in another case answers 200")
				Expect(ids(l.Resources)).To(Equal([]string{u.ID}), because("RFC 7643 §4.1.1: userName is caseExact:false, so eq matches it in any case", r))
			}
		})

		scimIt("SCIM-FLT-ENCODING: reads the filter the same whether spaces are sent as %20 or + (okta-scim.md e.3 F-04)", KindPositive, func(ctx SpecContext) {
			s.requireFilterHonoured(ctx)
			u := s.newTestUser("fltenc")
			s.createUser(ctx, &u)
			plus := "/Users?filter=" + url.QueryEscape(eqFilter("userName", u.UserName)) + "&startIndex=1&count=100"
			r := s.get(ctx, plus)
			Expect(ids(readList(r, "a form-encoded filter (+ for spaces) answers 200").Resources)).To(Equal([]string{u.ID}), because("+ in a query string is a space (HTML form encoding, accepted by URL parsers)", r))
		})

		scimIt("SCIM-FLT-KEYWORD-CASE: reads attribute names and operators case-insensitively (RFC 7644 §3.4.2.2)", KindRobustness, func(ctx SpecContext) {
			s.requireFilterHonoured(ctx)
			u := s.newTestUser("fltkw")
			s.createUser(ctx, &u)
			for _, f := range []string{"USERNAME EQ " + harness.QuoteFilterValue(u.UserName), "username Eq " + harness.QuoteFilterValue(u.UserName)} {
				r := s.get(ctx, filterPath("Users", f))
				Expect(ids(readList(r, "RFC 7644 §3.4.2.2: attribute names and operators are case-insensitive").Resources)).To(Equal([]string{u.ID}), because("the filter finds the user", r))
			}
		})

		scimIt("SCIM-FLT-SPECIAL: finds userNames with quotes, plus, unicode and wildcard characters exactly (okta-scim.md e.3 F-05)", KindRobustness, func(ctx SpecContext) {
			s.requireFilterHonoured(ctx)
			r8 := randToken(8)
			names := []string{
				"o'brien+tag-" + r8 + "@ssoconform.test",
				"zoë.ünïcode-" + r8 + "@例え.test",
				`quote"d\back-` + r8 + "@ssoconform.test",
				"semi;colon&amp=eq-" + r8 + "@ssoconform.test",
				"per%cent_under-" + r8 + "@ssoconform.test",
			}
			for _, name := range names {
				u := s.newTestUser("special")
				u.UserName = name
				s.createUser(ctx, &u)
				r := s.get(ctx, filterPath("Users", eqFilter("userName", name)))
				l := readList(r, "a userName with special characters is found by eq")
				Expect(ids(l.Resources)).To(Equal([]string{u.ID}), because("eq matches exactly this user (filter values are data)", r))
				Expect(l.Resources[0]["userName"]).To(Equal(name), because("userName round-trips exactly", r))
			}
		})

		scimIt("SCIM-FLT-INJECT: treats injection-looking filter values as data, never as query text (conformance.md SCIM-FLT-INJECT)", KindSecurity, func(ctx SpecContext) {
			s.requireFilterHonoured(ctx)
			u := s.newTestUser("inject")
			u.UserName = "wild_card%-" + randToken(8) + "@ssoconform.test"
			s.createUser(ctx, &u)
			values := []string{
				`a" or "1"="1`, `' OR 1=1 --`, `' OR '1'='1`, `*)(uid=*`, `{"$ne":null}`, `%`, `_`, `\`, "nul\x00byte",
				strings.Replace(u.UserName, "_", "X", 1), // a LIKE pattern would match '_' to 'X'
				strings.Replace(u.UserName, "%", "", 1),  // ... and '%' to nothing
			}
			for _, v := range values {
				r := s.get(ctx, filterPath("Users", eqFilter("userName", v)))
				if r.Status == http.StatusBadRequest {
					expectRefusal(r, http.StatusBadRequest, "invalidFilter", "a refused filter value answers 400 invalidFilter")
					continue
				}
				l := readList(r, fmt.Sprintf("filter value %q is data: 200 with no match (or 400 invalidFilter), never a 500", v))
				Expect(l.Total).To(Equal(0), because(fmt.Sprintf("no user is named %q: a filter value never matches as SQL, LDAP or LIKE text", v), r))
			}
		})

		scimIt("SCIM-FLT-INVALID: refuses a malformed filter with 400 invalidFilter instead of ignoring it (RFC 7644 §3.4.2.2, §3.12)", KindNegative, func(ctx SpecContext) {
			s.requireFilterHonoured(ctx)
			for _, f := range []string{`userName eq`, `userName eq "unterminated`, `(userName eq "a"`, `userName xx "a"`, `userName eq "a" and`, `eq "a"`, `userName eq "a" userName`} {
				r := s.get(ctx, filterPath("Users", f))
				expectRefusal(r, http.StatusBadRequest, "invalidFilter", fmt.Sprintf("RFC 7644 §3.4.2.2: the malformed filter %q is refused with 400 invalidFilter, never ignored (ignoring it returns every user)", f))
				expectNoLeak(r)
			}
		})

		scimIt("SCIM-FLT-OPS: evaluates co, sw, pr, and, or, not and eq on id, externalId, emails.value, displayName (RFC 7644 §3.4.2.2)", KindPositive, FeatureLabel(harness.FeatureFilterOps), func(ctx SpecContext) {
			s.requireFilterHonoured(ctx)
			tok := randToken(8)
			a, b := s.newTestUser("ops"), s.newTestUser("ops")
			a.UserName, b.UserName = s.pfx()+"-ops-"+tok+"-a@ssoconform.test", s.pfx()+"-ops-"+tok+"-b@ssoconform.test"
			a.Email, b.Email = a.UserName, b.UserName
			s.createUser(ctx, &a)
			s.createUser(ctx, &b)
			q := harness.QuoteFilterValue
			prefix := q(s.pfx() + "-ops-" + tok)
			cases := []struct {
				filter string
				want   []string
			}{
				{"userName sw " + prefix, []string{a.ID, b.ID}},
				{"userName co " + q("ops-"+tok+"-a"), []string{a.ID}},
				{"id eq " + q(b.ID), []string{b.ID}},
				{"externalId eq " + q(a.ExternalID), []string{a.ID}},
				{"emails.value eq " + q(b.Email), []string{b.ID}},
				{"displayName eq " + q(a.Given+" "+a.Family), []string{a.ID}},
				{"userName sw " + prefix + " and externalId eq " + q(b.ExternalID), []string{b.ID}},
				{"userName eq " + q(a.UserName) + " or userName eq " + q(b.UserName), []string{a.ID, b.ID}},
				{"userName sw " + prefix + " and not (userName eq " + q(a.UserName) + ")", []string{b.ID}},
				{"userName sw " + prefix + " and externalId pr", []string{a.ID, b.ID}},
			}
			for _, c := range cases {
				r := s.get(ctx, filterPath("Users", c.filter))
				l := readList(r, "RFC 7644 §3.4.2.2: the filter "+c.filter+" answers 200")
				Expect(ids(l.Resources)).To(ConsistOf(c.want), because("the filter "+c.filter+" returns exactly the matching users", r))
			}
		})
	})
}
