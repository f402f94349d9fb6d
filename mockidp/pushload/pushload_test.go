package pushload_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/mockidp/pushload"
)

// noopSCIM answers Okta's requests with canned bodies: an empty list for lookups, 201 with an id for
// creates, 204 for PATCH. throttle answers that many requests with 429 first; fail500 answers every
// create of a user whose name contains "000003" with 500.
type noopSCIM struct {
	n        atomic.Int64
	throttle atomic.Int64
}

func (s *noopSCIM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := s.n.Add(1)
	if s.throttle.Add(-1) >= 0 {
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	w.Header().Set("Content-Type", "application/scim+json")
	switch r.Method {
	case http.MethodGet:
		if strings.Contains(r.URL.RawQuery, "user000003") {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}`)
	case http.MethodPost:
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"id":"id-%d"}`, n)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func TestRunReports(t *testing.T) {
	t.Parallel()
	srv := &noopSCIM{}
	srv.throttle.Store(2)
	hs := httptest.NewServer(srv)
	defer hs.Close()
	var waits atomic.Int64
	rep, err := pushload.Run(t.Context(), pushload.Config{URL: hs.URL + "/scim/v2", Token: "t", Users: 20, Groups: 2,
		Concurrency: 4, Prefix: "x-", Sleep: func(context.Context, time.Duration) error { waits.Add(1); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Users != 19 || rep.Groups != 2 || rep.Errors["5xx"] != 1 {
		t.Errorf("report %+v, want 19 users (one 500), 2 groups", rep)
	}
	if rep.RetriesAfter429 != 2 || waits.Load() != 2 {
		t.Errorf("retries after 429 = %d (waits %d), want 2", rep.RetriesAfter429, waits.Load())
	}
	// 19 users: F(u)+POST; one failed lookup; 2 throttled; 2 groups: POST + PATCH members
	if want := 19*2 + 1 + 2 + 2*2; rep.Requests != want {
		t.Errorf("requests = %d, want %d", rep.Requests, want)
	}
	line, _ := json.Marshal(rep)
	for _, k := range []string{`"users":19`, `"users_per_sec"`, `"p50_ms"`, `"p99_ms"`, `"retries_after_429":2`, `"errors":{"5xx":1}`} {
		if !strings.Contains(string(line), k) {
			t.Errorf("JSON line %s lacks %s", line, k)
		}
	}
	if !strings.Contains(rep.Summary(), "errors: 5xx=1") {
		t.Errorf("summary %q", rep.Summary())
	}
}

// BenchmarkPushNoopSCIM measures the mock's push rate against a server that answers at once, at
// concurrency 8: the mock must not be the bottleneck of a partner's load test (>= 5,000 requests/s).
func BenchmarkPushNoopSCIM(b *testing.B) {
	hs := httptest.NewServer(&noopSCIM{})
	defer hs.Close()
	b.ResetTimer()
	start := time.Now()
	rep, err := pushload.Run(b.Context(), pushload.Config{URL: hs.URL + "/scim/v2", Token: "t", Users: b.N, Concurrency: 8,
		Prefix: "b-", HTTPClient: hs.Client()})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(rep.Requests)/time.Since(start).Seconds(), "req/s")
	b.ReportMetric(rep.P99Ms, "p99_ms")
}
