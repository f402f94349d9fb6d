package sqlstore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/refapp/internal/procstat"
	"github.com/ssoconform/ssoconform/refapp/store"
	"github.com/ssoconform/ssoconform/refapp/store/storetest"
)

// BenchmarkStoreFilterLookup100k measures the store's own part of Okta's userName lookup (no HTTP, no
// client in the same process competing for the CPU) against an org of 100,000 SCIM users: a hit returns
// the user, a miss (a push's lookup) returns nothing. It reports p50/p99 per lookup and the process's
// peak RSS with the 100,000 users loaded. The targets are p99 <= 1 ms and RSS <= 150 MB.
func BenchmarkStoreFilterLookup100k(b *testing.B) {
	ctx := context.Background()
	st := open(b, filepath.Join(b.TempDir(), "bench.db"))
	storetest.Must(b, st.CreateOrg(ctx, store.Org{ID: "acme", Name: "acme", Plan: store.PlanPro, CreatedAt: time.Now()}))
	const n, chunk = 100000, 10000
	now := time.Now()
	for start := 0; start < n; start += chunk {
		ms := make([]store.Member, 0, chunk)
		for i := start; i < start+chunk; i++ {
			name := fmt.Sprintf("Seed%06d@Acme.test", i) // mixed case: the lookup ignores it
			ms = append(ms, store.Member{ID: fmt.Sprintf("%032x", i), OrgID: "acme", Email: name, DisplayName: "Seed User",
				Role: store.RoleMember, Active: true, SCIMUserName: name, ExternalID: fmt.Sprintf("00u%06d", i),
				Emails: []store.Email{{Value: name, Type: "work", Primary: true}}, CreatedAt: now, UpdatedAt: now})
		}
		storetest.Must(b, st.ImportMembers(ctx, ms))
	}
	for _, kind := range []string{"hit", "miss"} {
		b.Run(kind, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				name, want := fmt.Sprintf("seed%06d@acme.test", (i*7919)%n), 1
				if kind == "miss" {
					name, want = fmt.Sprintf("absent%06d@acme.test", i), 0
				}
				q := store.Query{Filter: &store.Cond{Op: store.CondEq, Attr: store.AttrUserName, Value: name}, Limit: 100}
				t0 := time.Now()
				ms, total, err := st.ListSCIMMembers(ctx, "acme", q)
				lat = append(lat, time.Since(t0))
				if err != nil || total != want || len(ms) != want {
					b.Fatalf("lookup %s: %d members, total %d, err %v; want %d", name, len(ms), total, err, want)
				}
			}
			b.StopTimer()
			slices.Sort(lat)
			pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))]) / float64(time.Millisecond) }
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
			procstat.ReportPeakRSS(b)
		})
	}
}
