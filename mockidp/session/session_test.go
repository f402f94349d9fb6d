package session

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestLifetimes(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)
	st := New(Config{Path: "/acme", IdleTimeout: time.Hour, MaxLifetime: 3 * time.Hour,
		Now: func() time.Time { return now }})
	rec := httptest.NewRecorder()
	s, err := st.Start(rec, "00u1", []string{"pwd"})
	if err != nil {
		t.Fatal(err)
	}
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 || cookies[0].Name != CookieName || cookies[0].Path != "/acme" || !cookies[0].HttpOnly {
		t.Fatalf("cookie: %+v", cookies)
	}
	req := httptest.NewRequest("GET", "/acme/x", nil)
	req.AddCookie(cookies[0])
	for _, step := range []struct {
		advance time.Duration
		alive   bool
	}{{50 * time.Minute, true}, {50 * time.Minute, true}, {50 * time.Minute, true}, {40 * time.Minute, false}} {
		now = now.Add(step.advance)
		if got, ok := st.Current(req); ok != step.alive || (ok && got.ID != s.ID) {
			t.Errorf("at %v after sign-in: alive %v, want %v", now.Sub(s.AuthTime), ok, step.alive)
		}
	}

	s2, _ := st.Start(httptest.NewRecorder(), "00u2", nil)
	idle := httptest.NewRequest("GET", "/", nil)
	idle.AddCookie(&http.Cookie{Name: CookieName, Value: s2.ID})
	now = now.Add(61 * time.Minute)
	if _, ok := st.Current(idle); ok {
		t.Error("a session idle past IdleTimeout is still alive")
	}
}

func TestEnd(t *testing.T) {
	t.Parallel()
	st := New(Config{})
	s, _ := st.Start(httptest.NewRecorder(), "00u1", []string{"pwd"})
	st.AddSAMLApp(s.ID, "0oa1")
	st.AddSAMLApp(s.ID, "0oa1")
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(&http.Cookie{Name: CookieName, Value: s.ID})
	rec := httptest.NewRecorder()
	ended, ok := st.End(rec, req)
	if !ok || ended.UserID != "00u1" || len(ended.SAMLApps) != 1 {
		t.Errorf("ended %+v %v", ended, ok)
	}
	if c := rec.Result().Cookies(); len(c) != 1 || c[0].MaxAge >= 0 {
		t.Errorf("cookie not cleared: %+v", c)
	}
	if _, ok := st.Current(req); ok {
		t.Error("session alive after End")
	}
}

// TestTOTP checks the RFC 6238 appendix B vectors (SHA-1, secret "12345678901234567890", 6 digits).
func TestTOTP(t *testing.T) {
	t.Parallel()
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // base32 of "12345678901234567890"
	for unix, want := range map[int64]string{59: "287082", 1111111109: "081804", 1234567890: "005924", 2000000000: "279037"} {
		if got, err := TOTP(secret, time.Unix(unix, 0)); err != nil || got != want {
			t.Errorf("TOTP at %d = %q, %v; want %q", unix, got, err, want)
		}
	}
	now := time.Unix(1111111109, 0)
	if !VerifyTOTP(secret, "081804", now.Add(25*time.Second)) || VerifyTOTP(secret, "081804", now.Add(2*time.Minute)) ||
		VerifyTOTP(secret, "000000", now) {
		t.Error("VerifyTOTP accepts or refuses the wrong codes")
	}
}
