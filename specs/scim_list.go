package specs

import (
	"context"
	"strconv"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ssoconform/ssoconform/harness"
)

// maxWalk caps how many users the pagination spec walks on a large tenant.
const maxWalk = 2000

// describeSCIMListing: list responses and pagination (okta-scim.md e.2, RFC 7644 §3.4.2).
func describeSCIMListing(s *scimSpec) {
	Context("listing and pagination", func() {
		scimIt("SCIM-LIST-CONNECTOR: answers Okta's connector test GET /Users?startIndex=1&count=2 with a ListResponse (okta-scim.md a.3 A1)", KindPositive, func(ctx SpecContext) {
			l := readList(s.get(ctx, "/Users?"+harness.Query("startIndex", "1", "count", "2")), "Okta's Test API Credentials call answers 200 with a ListResponse")
			Expect(l.StartIndex).To(Equal(1), "RFC 7644 §3.4.2: startIndex echoes the 1-based index of the first result")
			Expect(len(l.Resources)).To(BeNumerically("<=", 2), "RFC 7644 §3.4.2.4: count is the maximum number of results per page")
		})

		scimIt("SCIM-LIST-SHAPE: lists users with integer counts and Okta's required attributes (Okta SPEC test 1, RFC 7644 §3.4.2)", KindPositive, func(ctx SpecContext) {
			u := s.newTestUser("shape")
			s.createUser(ctx, &u)
			r := s.get(ctx, "/Users?"+harness.Query("count", "1", "startIndex", "1"))
			l := expectList(r, "GET /Users?count=1&startIndex=1 answers 200 with a ListResponse")
			Expect(l.Resources).To(HaveLen(1), because("with at least one user, count=1 returns exactly one", r))
			for _, p := range []string{"id", "userName", "name.givenName", "name.familyName", "emails[0].value"} {
				Expect(jpath(l.Resources[0], p)).NotTo(BeEmpty(), because("Okta SPEC test 1: each listed user has a non-empty "+p, r))
			}
			Expect(l.Resources[0]["active"]).To(BeAssignableToTypeOf(true), because("Okta SPEC test 1: each listed user has a boolean active", r))
		})

		scimIt("SCIM-LIST-PAGES: pages through every user once, in a stable order for any page size (okta-scim.md a.3 A10, RFC 7644 §3.4.2.4)", KindPositive, func(ctx SpecContext) {
			var mine []string
			for range 3 {
				u := s.newTestUser("page")
				s.createUser(ctx, &u)
				mine = append(mine, u.ID)
			}
			all := s.walkUsers(ctx, 100)
			Expect(all).To(HaveLen(len(uniq(all))), "RFC 7644 §3.4.2.4: paging with startIndex += count returns no user twice")
			if len(all) < maxWalk {
				Expect(all).To(ContainElements(mine), "paging through every page returns every user (Okta imports this way)")
			}
			again := s.walkUsers(ctx, 100)
			Expect(again).To(Equal(all), "the order is stable from one walk to the next (Okta imports page by page)")
			small := s.walkUsersUpTo(ctx, 3, min(len(all), 12))
			Expect(small).To(Equal(all[:len(small)]), "the order does not depend on the page size (count=3 vs count=100)")
		})

		scimIt("SCIM-LIST-PAST-END: answers a startIndex past the end with an empty page, itemsPerPage 0 and the same totalResults (RFC 7644 §3.4.2.4, okta-scim.md e.2 L-03)", KindPositive, func(ctx SpecContext) {
			for range 2 {
				u := s.newTestUser("end")
				s.createUser(ctx, &u)
			}
			total := readList(s.get(ctx, "/Users?"+harness.Query("startIndex", "1", "count", "1")), "GET /Users answers a ListResponse").Total
			r := s.get(ctx, "/Users?"+harness.Query("startIndex", strconv.Itoa(total+1), "count", "100"))
			l := readList(r, "RFC 7644 §3.4.2.4: a startIndex past the end answers 200 with no resources, not an error")
			Expect(l.Resources).To(BeEmpty(), because("no resources past the end", r))
			Expect(l.ItemsPerPage).To(Equal(0), because("okta-scim.md e.2 L-03, RFC 7644 §3.4.2: itemsPerPage is the number of resources returned (0 here), not the count asked for", r))
			Expect(l.Total).To(Equal(total), because("totalResults does not change with startIndex", r))
			r = s.get(ctx, "/Users?"+harness.Query("startIndex", strconv.Itoa(total), "count", "100"))
			l = readList(r, "the last page answers 200")
			Expect(l.Resources).To(HaveLen(1), because("startIndex=totalResults returns exactly the last user, and itemsPerPage says 1", r))
		})

		scimIt("SCIM-LIST-BOUNDS: reads startIndex < 1 as 1 and a negative count as 0 (RFC 7644 §3.4.2.4)", KindRobustness, func(ctx SpecContext) {
			u := s.newTestUser("bounds")
			s.createUser(ctx, &u)
			first := readList(s.get(ctx, "/Users?"+harness.Query("startIndex", "1", "count", "2")), "GET /Users answers a ListResponse")
			r := s.get(ctx, "/Users?"+harness.Query("startIndex", "0", "count", "2"))
			l := readList(r, "RFC 7644 §3.4.2.4: startIndex=0 is read as 1, not refused")
			Expect(ids(l.Resources)).To(Equal(ids(first.Resources)), because("startIndex=0 returns the same page as startIndex=1", r))
			for _, count := range []string{"0", "-1"} {
				r = s.get(ctx, "/Users?"+harness.Query("startIndex", "1", "count", count))
				l = readList(r, "RFC 7644 §3.4.2.4: count="+count+" answers 200")
				Expect(l.Resources).To(BeEmpty(), because("RFC 7644 §3.4.2.4: count=0 returns no resources (a negative count is read as 0), only totalResults", r))
				Expect(l.Total).To(BeNumerically(">=", 1), because("totalResults still counts the matches", r))
			}
		})

		scimIt("SCIM-LIST-GROUPS: lists groups with and without paging parameters (Okta SPEC test 10, okta-scim.md a.3 A11)", KindPositive, FeatureLabel(harness.FeatureGroups), func(ctx SpecContext) {
			s.createGroup(ctx, s.pfx()+"-list-"+randToken(8))
			readList(s.get(ctx, "/Groups"), "GET /Groups answers 200 with a ListResponse")
			l := readList(s.get(ctx, "/Groups?"+harness.Query("startIndex", "1", "count", "100")), "GET /Groups?startIndex=1&count=100 answers 200 with a ListResponse")
			Expect(l.Total).To(BeNumerically(">=", 1), "the group just created is counted")
		})
	})
}

// walkUsers pages through /Users with the given count, Okta's import loop, up to maxWalk users, and
// returns the ids in order. Every page must be a valid ListResponse with a stable totalResults.
func (s *scimSpec) walkUsers(ctx context.Context, count int) []string {
	GinkgoHelper()
	return s.walkUsersUpTo(ctx, count, maxWalk)
}

func (s *scimSpec) walkUsersUpTo(ctx context.Context, count, limit int) []string {
	GinkgoHelper()
	var out []string
	total := -1
	for start := 1; len(out) < limit; start += count {
		r := s.get(ctx, "/Users?"+harness.Query("startIndex", strconv.Itoa(start), "count", strconv.Itoa(count)))
		l := readList(r, "every page of GET /Users answers 200 with a ListResponse")
		Expect(l.StartIndex).To(Equal(start), because("RFC 7644 §3.4.2: startIndex echoes the requested index", r))
		if total >= 0 {
			Expect(l.Total).To(Equal(total), because("totalResults stays the same while paging an unchanged list", r))
		}
		total = l.Total
		Expect(len(l.Resources)).To(BeNumerically("<=", count), because("RFC 7644 §3.4.2.4: no more than count resources per page", r))
		if len(l.Resources) == 0 {
			Expect(start).To(BeNumerically(">", total), because("a page before the end is never empty", r))
			break
		}
		out = append(out, ids(l.Resources)...)
		if start+count > total {
			break
		}
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

func uniq(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range list {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
