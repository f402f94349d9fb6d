package scimserver_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/refapp/auth"
	"github.com/ssoconform/ssoconform/refapp/internal/procstat"
	"github.com/ssoconform/ssoconform/refapp/scimserver"
	"github.com/ssoconform/ssoconform/refapp/store"
	"github.com/ssoconform/ssoconform/refapp/store/pgstore"
	"github.com/ssoconform/ssoconform/refapp/store/sqlstore"
)

// benchTarget is the SCIM server over loopback HTTP on the real SQLite store in a temp file, or, when
// REFAPP_BENCH_POSTGRES_DSN names a PostgreSQL database (a postgres:// URL), on a fresh schema there.
type benchTarget struct {
	url, key string
	st       *sqlstore.Store
	client   *http.Client
}

func newBenchTarget(b *testing.B) *benchTarget {
	b.Helper()
	ctx := context.Background()
	st, err := openBenchStore(ctx, b)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	if err := st.CreateOrg(ctx, store.Org{ID: "acme", Name: "acme", Plan: store.PlanPro, CreatedAt: time.Now()}); err != nil {
		b.Fatal(err)
	}
	if err := st.PutSSOConnection(ctx, store.SSOConnection{OrgID: "acme", Protocol: "oidc", MetadataURL: "https://idp/x",
		Issuer: "https://idp", ClientID: "c", ClientSecret: "s", DefaultRole: store.RoleMember, SyncEnabled: true,
		UpdatedAt: time.Now()}); err != nil {
		b.Fatal(err)
	}
	key, rec, err := auth.NewAPIKey(rand.Reader, "acme", []string{"scim"}, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	if err := st.CreateAPIKey(ctx, rec); err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)
	s, err := scimserver.New(scimserver.Config{Store: st, BaseURL: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	s.Mount(mux)
	tr := &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64}
	b.Cleanup(tr.CloseIdleConnections)
	return &benchTarget{url: srv.URL + scimserver.Prefix, key: key, st: st, client: &http.Client{Transport: tr}}
}

func openBenchStore(ctx context.Context, b *testing.B) (*sqlstore.Store, error) {
	dsn := os.Getenv("REFAPP_BENCH_POSTGRES_DSN")
	if dsn == "" {
		return sqlstore.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, fmt.Errorf("REFAPP_BENCH_POSTGRES_DSN: %w", err)
	}
	q := u.Query()
	q.Set("schema", fmt.Sprintf("bench_%d", time.Now().UnixNano()))
	u.RawQuery = q.Encode()
	return pgstore.Open(ctx, u.String()) // the same store type: one SQL implementation
}

func (bt *benchTarget) call(method, path string, body []byte, want int) ([]byte, error) {
	req, err := http.NewRequest(method, bt.url+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+bt.key)
	req.Header.Set("Accept", "application/scim+json")
	if body != nil {
		req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
	}
	resp, err := bt.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		return nil, fmt.Errorf("%s %s = %d, want %d: %s", method, path, resp.StatusCode, want, out)
	}
	return out, nil
}

// push does what Okta does for a newly assigned user: a userName lookup, then a create.
func (bt *benchTarget) push(userName string) error {
	list, err := bt.call("GET", "/Users?filter="+url.QueryEscape(`userName eq "`+userName+`"`)+"&startIndex=1&count=100", nil, 200)
	if err != nil {
		return err
	}
	if !bytes.Contains(list, []byte(`"totalResults":0`)) {
		return fmt.Errorf("lookup of new user %s found something: %s", userName, list)
	}
	body, err := json.Marshal(map[string]any{
		"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": userName,
		"name":   map[string]any{"givenName": "Bench", "familyName": "User"},
		"emails": []any{map[string]any{"primary": true, "value": userName, "type": "work"}}, "displayName": "Bench User",
		"locale": "en-US", "externalId": "00u" + userName[:8], "groups": []any{}, "password": "pLaCeHoLdEr1!", "active": true,
	})
	if err != nil {
		return err
	}
	_, err = bt.call("POST", "/Users", body, 201)
	return err
}

// run calls fn(i) for i in [0,n) on conc goroutines and returns each call's duration.
func run(b *testing.B, n, conc int, fn func(i int) error) []time.Duration {
	b.Helper()
	lat := make([]time.Duration, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	var firstErr error
	var once sync.Once
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				t0 := time.Now()
				if err := fn(i); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		b.Fatal(firstErr)
	}
	return lat
}

func reportLatency(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))]) / float64(time.Millisecond) }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	procstat.ReportPeakRSS(b)
}

// cpuTime is the CPU time (user + system) the process has used: on a shared
// machine it says more about the server's cost than wall-clock rates do.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Logf("rusage unavailable: %v", err)
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

const pushUsers = 10000

// BenchmarkOktaPush pushes 10,000 new users per iteration the way Okta does
// (filter lookup, then POST), at concurrency 1 and 8. users/s is the
// throughput; p50/p99 are per user (lookup + create).
func BenchmarkOktaPush(b *testing.B) {
	for _, conc := range []int{1, 8} {
		b.Run(fmt.Sprintf("conc=%d", conc), func(b *testing.B) {
			bt := newBenchTarget(b)
			var all []time.Duration
			cpu0 := cpuTime(b)
			b.ResetTimer()
			for it := range b.N {
				all = append(all, run(b, pushUsers, conc, func(i int) error {
					return bt.push(fmt.Sprintf("%08d-%d@push.test", i, it))
				})...)
			}
			b.StopTimer()
			b.ReportMetric(float64(pushUsers*b.N)/b.Elapsed().Seconds(), "users/s")
			b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(time.Microsecond)/float64(pushUsers*b.N), "cpu-µs/user")
			reportLatency(b, all)
		})
	}
}

const seedUsers = 100000

// seed adds n SCIM users to acme through the store (not HTTP), 10,000 per
// transaction, and returns their userNames.
func (bt *benchTarget) seed(b *testing.B, n int) []string {
	b.Helper()
	const chunk = 10000
	names := make([]string, n)
	now := time.Now()
	for start := 0; start < n; start += chunk {
		members := make([]store.Member, 0, chunk)
		for i := start; i < min(n, start+chunk); i++ {
			names[i] = fmt.Sprintf("seed%06d@acme.test", i)
			members = append(members, store.Member{ID: fmt.Sprintf("%032x", i), OrgID: "acme", Email: names[i],
				DisplayName: "Seed User", Role: store.RoleMember, Active: true, SCIMUserName: names[i],
				ExternalID: fmt.Sprintf("00u%06d", i), GivenName: "Seed", FamilyName: "User",
				Emails: []store.Email{{Value: names[i], Type: "work", Primary: true}}, CreatedAt: now, UpdatedAt: now})
		}
		if err := bt.st.ImportMembers(context.Background(), members); err != nil {
			b.Fatal(err)
		}
	}
	return names
}

// BenchmarkFilterLookup100k measures Okta's userName lookup against an org of
// 100,000 users: hits (the user exists and is returned) and misses (a push's lookup).
func BenchmarkFilterLookup100k(b *testing.B) {
	bt := newBenchTarget(b)
	names := bt.seed(b, seedUsers)
	for _, kind := range []string{"hit", "miss"} {
		b.Run(kind, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				userName := names[(i*7919)%len(names)]
				want := `"totalResults":1`
				if kind == "miss" {
					userName, want = fmt.Sprintf("absent%06d@acme.test", i), `"totalResults":0`
				}
				t0 := time.Now()
				body, err := bt.call("GET", "/Users?filter="+url.QueryEscape(`userName eq "`+userName+`"`)+"&startIndex=1&count=100", nil, 200)
				lat = append(lat, time.Since(t0))
				if err != nil || !bytes.Contains(body, []byte(want)) {
					b.Fatalf("lookup %s: %v %s", userName, err, body)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
			reportLatency(b, lat)
		})
	}
}
