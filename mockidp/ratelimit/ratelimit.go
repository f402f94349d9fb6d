// Package ratelimit is a mock Okta org's rate limiter: per-endpoint buckets counted per minute, Okta's
// X-Rate-Limit-Limit / -Remaining / -Reset headers on every answer of a limited endpoint, and a 429
// with errorCode E0000047 when a bucket is empty or when a test forces it, so a client's retry logic
// (okta-sdk-golang waits until X-Rate-Limit-Reset, measured against the response's Date header) meets
// what Okta sends. It follows Okta's "Rate limits" pages: limits apply per endpoint group and per
// minute, the reset header is the UTC epoch second when the current window ends.
//
// Buckets are named by the endpoint they limit: "/api/v1/users", "/api/v1/groups", "/api/v1/apps",
// "/api/v1/logs" (the first two path segments after /api/v1), "/oauth2/v1/token",
// "/oauth2/v1/authorize" and the other OAuth endpoints (custom authorization servers share the org's
// bucket of the same endpoint, "/oauth2/{id}/v1/x" counting as "/oauth2/v1/x"), and "/app/sso/saml" for
// SAML sign-ins. Other paths (console, sign-in pages, metadata, discovery) are not limited.
//
// Departures from Okta: one fixed window per minute per bucket, no concurrency limits, no per-client
// ("client-based") limits, and generous default limits (Config.Default) so that suites never trip them
// unless they ask to.
//
//	lim := ratelimit.New(ratelimit.Config{Limits: map[string]int{"/api/v1/logs": 60}})
//	handler := lim.Wrap(mux)
//	lim.Force("/api/v1/users", 1) // the next request to /api/v1/users gets a 429
package ratelimit

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrorCode is Okta's error code for a request refused by a rate limit.
const ErrorCode = "E0000047"

// Config configures a Limiter.
type Config struct {
	// Limits are requests per minute by bucket name (see the package comment). Default: Default for
	// every bucket.
	Limits map[string]int
	// Default is the per-minute limit of buckets without an entry in Limits. Default: 10000.
	Default int
	// Now is the clock. Default: time.Now.
	Now func() time.Time
	// ErrorID draws the errorId of 429 bodies. Default: "oae" and 22 random characters.
	ErrorID func() string
}

func (c Config) withDefaults() Config {
	if c.Default <= 0 {
		c.Default = 10000
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.ErrorID == nil {
		c.ErrorID = func() string { return "oae" + rand.Text()[:22] }
	}
	return c
}

// Limiter counts requests per bucket. It is safe for concurrent use.
type Limiter struct {
	cfg     Config
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	windowEnd time.Time
	used      int
	forced    int // how many of the next requests get a 429 regardless of the count
}

// New returns a Limiter.
func New(cfg Config) *Limiter {
	return &Limiter{cfg: cfg.withDefaults(), buckets: map[string]*bucket{}}
}

// Force makes the next n requests to the bucket fail with 429 E0000047 and an X-Rate-Limit-Reset one
// second ahead (a fault for testing a client's retry logic); n <= 0 clears it. It breaks no rule: Okta
// may refuse any request this way.
func (l *Limiter) Force(name string, n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.bucketLocked(name, l.cfg.Now()).forced = max(n, 0)
}

// SetLimit changes a bucket's per-minute limit.
func (l *Limiter) SetLimit(name string, perMinute int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cfg.Limits == nil {
		l.cfg.Limits = map[string]int{}
	}
	l.cfg.Limits[name] = perMinute
}

func (l *Limiter) limit(name string) int {
	if n, ok := l.cfg.Limits[name]; ok {
		return n
	}
	return l.cfg.Default
}

func (l *Limiter) bucketLocked(name string, now time.Time) *bucket {
	b, ok := l.buckets[name]
	if !ok {
		b = &bucket{}
		l.buckets[name] = b
	}
	if !now.Before(b.windowEnd) {
		b.windowEnd, b.used = now.Truncate(time.Minute).Add(time.Minute), 0
	}
	return b
}

// take counts one request and reports the headers' values and whether it may proceed.
func (l *Limiter) take(name string) (limit, remaining int, reset time.Time, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucketLocked(name, l.cfg.Now())
	limit = l.limit(name)
	if b.forced > 0 {
		// A forced refusal says the window ends at the next whole second, so a client that honours
		// X-Rate-Limit-Reset retries within about two seconds instead of waiting out the minute.
		b.forced--
		return limit, 0, l.cfg.Now().Truncate(time.Second).Add(time.Second), false
	}
	if b.used >= limit {
		return limit, 0, b.windowEnd, false
	}
	b.used++
	return limit, limit - b.used, b.windowEnd, true
}

// Wrap limits next's requests.
func (l *Limiter) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := Bucket(r.URL.Path)
		if name == "" {
			next.ServeHTTP(w, r)
			return
		}
		limit, remaining, reset, ok := l.take(name)
		h := w.Header()
		h.Set("X-Rate-Limit-Limit", strconv.Itoa(limit))
		h.Set("X-Rate-Limit-Remaining", strconv.Itoa(remaining))
		h.Set("X-Rate-Limit-Reset", strconv.FormatInt(reset.Unix(), 10))
		if ok {
			next.ServeHTTP(w, r)
			return
		}
		l.refuse(w)
	})
}

// refuse writes Okta's 429 body.
func (l *Limiter) refuse(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusTooManyRequests)
	_ = json.NewEncoder(w).Encode(map[string]any{"errorCode": ErrorCode,
		"errorSummary": "API call exceeded rate limit due to too many requests.", "errorLink": ErrorCode,
		"errorId": l.cfg.ErrorID(), "errorCauses": []any{}})
}

// Bucket names the bucket of a path relative to the org base URL, or "" when it is not limited.
func Bucket(path string) string {
	seg := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(seg) >= 3 && seg[0] == "api" && seg[1] == "v1":
		return "/api/v1/" + seg[2]
	case len(seg) == 3 && seg[0] == "oauth2" && seg[1] == "v1":
		return "/oauth2/v1/" + seg[2]
	case len(seg) == 4 && seg[0] == "oauth2" && seg[2] == "v1":
		return "/oauth2/v1/" + seg[3]
	case len(seg) == 5 && seg[0] == "app" && seg[3] == "sso" && seg[4] == "saml":
		return "/app/sso/saml"
	}
	return ""
}
