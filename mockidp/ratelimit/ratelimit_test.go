package ratelimit

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

func TestBucket(t *testing.T) {
	t.Parallel()
	for path, want := range map[string]string{
		"/api/v1/users":                      "/api/v1/users",
		"/api/v1/users/00u1/lifecycle/x":     "/api/v1/users",
		"/api/v1/logs":                       "/api/v1/logs",
		"/oauth2/v1/token":                   "/oauth2/v1/token",
		"/oauth2/default/v1/token":           "/oauth2/v1/token",
		"/app/acme_app_1/exk123/sso/saml":    "/app/sso/saml",
		"/app/exk123/sso/saml/metadata":      "",
		"/.well-known/openid-configuration":  "",
		"/admin/users":                       "",
		"/oauth2/default/.well-known/x-conf": "",
	} {
		if got := Bucket(path); got != want {
			t.Errorf("Bucket(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestLimiter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 5, 8, 0, 30, 0, time.UTC)
	lim := New(Config{Limits: map[string]int{"/api/v1/users": 2}, Now: func() time.Time { return now }})
	h := lim.Wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))
	call := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec
	}
	minuteEnd := strconv.FormatInt(time.Date(2026, 12, 5, 8, 1, 0, 0, time.UTC).Unix(), 10)
	for i, want := range []struct {
		status    int
		remaining string
	}{{200, "1"}, {200, "0"}, {429, "0"}} {
		rec := call("/api/v1/users")
		if rec.Code != want.status || rec.Header().Get("X-Rate-Limit-Remaining") != want.remaining ||
			rec.Header().Get("X-Rate-Limit-Limit") != "2" || rec.Header().Get("X-Rate-Limit-Reset") != minuteEnd {
			t.Errorf("request %d: %d %v", i+1, rec.Code, rec.Header())
		}
		if rec.Code == 429 {
			var body map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body["errorCode"] != ErrorCode ||
				body["errorSummary"] != "API call exceeded rate limit due to too many requests." {
				t.Errorf("429 body: %s", rec.Body)
			}
		}
	}
	if rec := call("/api/v1/groups"); rec.Code != 200 || rec.Header().Get("X-Rate-Limit-Limit") != "10000" {
		t.Errorf("another bucket: %d %v", rec.Code, rec.Header())
	}
	if rec := call("/admin"); rec.Code != 200 || rec.Header().Get("X-Rate-Limit-Limit") != "" {
		t.Errorf("an unlimited path: %d %v", rec.Code, rec.Header())
	}
	now = now.Add(30 * time.Second)
	if rec := call("/api/v1/users"); rec.Code != 200 {
		t.Errorf("next minute: %d", rec.Code)
	}
	lim.Force("/api/v1/groups", 1)
	rec := call("/api/v1/groups")
	if rec.Code != 429 || rec.Header().Get("X-Rate-Limit-Reset") != strconv.FormatInt(now.Unix()+1, 10) {
		t.Errorf("forced: %d %v", rec.Code, rec.Header())
	}
	if rec := call("/api/v1/groups"); rec.Code != 200 {
		t.Errorf("after the forced refusal: %d", rec.Code)
	}
}
