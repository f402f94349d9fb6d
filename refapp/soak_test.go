package refapp_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// soakDuration is how long BenchmarkSoak runs; REFAPP_SOAK_DURATION (a Go duration) changes it.
const soakDuration = 5 * time.Minute

// BenchmarkSoak is the mixed-load soak: for five minutes, on one app and its SQLite store, SCIM pushes
// (lookup then create, as Okta does), SCIM filter lookups of existing users, headless OIDC sign-ins
// against a test OP, and an admin's settings page reads all run at once over loopback. It reports the
// errors (must be 0), the p99 of each operation (within 5%), and the resident set at the start (after
// a warm-up of a fifth of the run, at most a minute) and at the end (must not grow by more than 20%). Run it with `make bench BENCH=Soak`.
func BenchmarkSoak(b *testing.B) {
	d := soakDuration
	if v := os.Getenv("REFAPP_SOAK_DURATION"); v != "" {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			b.Fatalf("REFAPP_SOAK_DURATION: %v", err)
		}
	}
	for range b.N {
		soak(b, d)
	}
}

// soakOp is one kind of operation: a worker count and a function that does it once.
type soakOp struct {
	name    string
	workers int
	do      func(worker, i int) error
	lat     latencies
	errs    atomic.Int64
	first   atomic.Value // the first error, for the report
}

func soak(b *testing.B, d time.Duration) {
	s := newStack(b)
	ctx := context.Background()
	key, err := s.adm.CreateAPIKey(ctx, "acme", []string{"scim"})
	if err != nil {
		b.Fatal(err)
	}
	admin := browser(b)
	if err := signInPassword(admin, s.app.URL, "boss@acme.test", "correct horse"); err != nil {
		b.Fatal(err)
	}
	scim := &http.Client{Timeout: 30 * time.Second}
	var pushed atomic.Int64
	ops := []*soakOp{
		{name: "scim-push", workers: 2, do: func(w, i int) error {
			if err := scimPush(scim, s.app.URL, key, fmt.Sprintf("soak-%d-%07d@acme.test", w, i)); err != nil {
				return err
			}
			pushed.Add(1)
			return nil
		}},
		{name: "scim-filter", workers: 2, do: func(w, i int) error {
			n := pushed.Load()
			if n == 0 {
				return scimFind(scim, s.app.URL, key, "nobody@acme.test", 0)
			}
			return scimFind(scim, s.app.URL, key, fmt.Sprintf("soak-%d-%07d@acme.test", w, (i*7919)%int(n/2+1)), -1)
		}},
		{name: "sso-signin", workers: 1, do: func(_, i int) error {
			return signInSSO(browser(b), s, fmt.Sprintf("sso-%d@acme.test", i%50))
		}},
		{name: "settings-read", workers: 1, do: func(_, _ int) error {
			return expect(admin, s.app.URL+"/settings/organization", http.StatusOK, "ORGANIZATION SETTINGS")
		}},
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, op := range ops {
		for w := range op.workers {
			wg.Go(func() { op.run(w, stop) })
		}
	}
	warm := min(d/5, time.Minute) // connections, page caches and the heap settle first
	time.Sleep(warm)
	rssStart := rssMB()
	b.ResetTimer()
	time.Sleep(d - warm)
	close(stop)
	wg.Wait()
	b.StopTimer()
	rssEnd := rssMB()
	report(b, ops, d, rssStart, rssEnd)
}

func (op *soakOp) run(w int, stop <-chan struct{}) {
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		t0 := time.Now()
		err := op.do(w, i)
		el := time.Since(t0)
		if err != nil {
			if op.errs.Add(1) == 1 {
				op.first.Store(err)
			}
			continue
		}
		op.lat.add(el)
	}
}

func report(b *testing.B, ops []*soakOp, d time.Duration, rssStart, rssEnd float64) {
	var errs int64
	for _, op := range ops {
		errs += op.errs.Load()
		if op.errs.Load() > 0 {
			b.Errorf("%s: %d errors; the first: %v", op.name, op.errs.Load(), op.first.Load())
		}
		n, p99 := op.lat.p99()
		if n == 0 {
			b.Errorf("%s never succeeded", op.name)
			continue
		}
		b.ReportMetric(float64(p99)/float64(time.Millisecond), op.name+"-p99-ms")
		b.ReportMetric(float64(n)/d.Seconds(), op.name+"/s")
	}
	b.ReportMetric(float64(errs), "errors")
	b.ReportMetric(rssStart, "rss-start-MB")
	b.ReportMetric(rssEnd, "rss-end-MB")
	if rssEnd > 1.2*rssStart {
		b.Errorf("resident set grew from %.1f MB to %.1f MB, more than 20%%", rssStart, rssEnd)
	}
}

// latencies is a fixed-size histogram (buckets 5% wide from 1 µs), so that measuring a long soak does
// not itself grow the resident set the soak watches.
type latencies struct {
	mu      sync.Mutex
	buckets [400]int64
}

func (l *latencies) add(d time.Duration) {
	i := 0
	if us := float64(d) / float64(time.Microsecond); us > 1 {
		i = min(int(math.Log(us)/math.Log(1.05))+1, len(l.buckets)-1)
	}
	l.mu.Lock()
	l.buckets[i]++
	l.mu.Unlock()
}

// p99 returns the count and the upper bound of the bucket that holds the 99th percentile.
func (l *latencies) p99() (int64, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var n, seen int64
	for _, c := range l.buckets {
		n += c
	}
	for i, c := range l.buckets {
		if seen += c; n > 0 && float64(seen) >= 0.99*float64(n) {
			return n, time.Duration(math.Pow(1.05, float64(i)) * float64(time.Microsecond))
		}
	}
	return n, 0
}

// rssMB is the process's current resident set (VmRSS), in MiB.
func rssMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err == nil {
				return float64(kb) / 1024
			}
		}
	}
	return 0
}

func signInPassword(c *http.Client, base, email, password string) error {
	resp, err := c.PostForm(base+"/login", url.Values{"email": {email}, "password": {password}})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("password sign-in: status %d, want 303", resp.StatusCode)
	}
	return nil
}

// signInSSO runs the OIDC sign-in headless: start, the test OP's code, the callback, then /api/v1/me.
func signInSSO(c *http.Client, s *stack, email string) error {
	resp, err := c.Get(s.app.URL + "/sso/acme/start")
	if err != nil {
		return err
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound {
		return fmt.Errorf("sso start: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	q := loc.Query()
	code := s.op.issueCode(q.Get("code_challenge"), map[string]any{"nonce": q.Get("nonce"), "sub": "00u-" + email, "email": email,
		"email_verified": true, "name": "Soak User"})
	resp, err = c.Get(s.app.URL + "/sso/oidc/callback?" + url.Values{"code": {code}, "state": {q.Get("state")}}.Encode())
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("sso callback: status %d, want 303", resp.StatusCode)
	}
	return expect(c, s.app.URL+"/api/v1/me", http.StatusOK, email)
}

func expect(c *http.Client, u string, status int, fragment string) error {
	resp, err := c.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != status || !strings.Contains(string(body), fragment) {
		return fmt.Errorf("GET %s: status %d, want %d with %q: %.300s", u, resp.StatusCode, status, fragment, body)
	}
	return nil
}

func scimDo(c *http.Client, method, u, key string, body io.Reader) (int, []byte, error) {
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

// scimFind looks a userName up; want is the totalResults expected, or -1 for "0 or 1".
func scimFind(c *http.Client, base, key, userName string, want int) error {
	status, body, err := scimDo(c, http.MethodGet, base+"/scim/v2/Users?filter="+url.QueryEscape(`userName eq "`+userName+`"`), key, nil)
	if err != nil {
		return err
	}
	var list struct{ TotalResults int }
	if status != http.StatusOK || json.Unmarshal(body, &list) != nil {
		return fmt.Errorf("lookup %s: status %d: %.200s", userName, status, body)
	}
	if (want >= 0 && list.TotalResults != want) || list.TotalResults > 1 {
		return fmt.Errorf("lookup %s: %d results, want %d", userName, list.TotalResults, want)
	}
	return nil
}

func scimPush(c *http.Client, base, key, userName string) error {
	if err := scimFind(c, base, key, userName, 0); err != nil {
		return err
	}
	body, err := json.Marshal(map[string]any{
		"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": userName, "active": true,
		"name":   map[string]any{"givenName": "Soak", "familyName": "User"},
		"emails": []any{map[string]any{"primary": true, "value": userName, "type": "work"}},
	})
	if err != nil {
		return err
	}
	status, out, err := scimDo(c, http.MethodPost, base+"/scim/v2/Users", key, strings.NewReader(string(body)))
	if err != nil {
		return err
	}
	if status != http.StatusCreated {
		return errors.New("create " + userName + ": status " + strconv.Itoa(status) + ": " + string(out))
	}
	return nil
}
