package web

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLimiter(LoginLimit{PerEmail: 2, PerAddress: 3, Window: time.Minute})
	steps := []struct {
		email, addr string
		at          time.Duration
		ok          bool
		wait        time.Duration
	}{
		{"a@x.test", "1.1.1.1", 0, true, 0},
		{"A@X.test", "1.1.1.1", time.Second, true, 0},                     // emails compare case-insensitively
		{"a@x.test", "2.2.2.2", 2 * time.Second, false, 58 * time.Second}, // email over its limit
		{"b@x.test", "1.1.1.1", 3 * time.Second, true, 0},
		{"c@x.test", "1.1.1.1", 4 * time.Second, false, 56 * time.Second}, // address over its limit
		{"a@x.test", "2.2.2.2", time.Minute, true, 0},                     // a new window
	}
	for i, s := range steps {
		ok, wait := l.allow(s.email, s.addr, t0.Add(s.at))
		if ok != s.ok || wait != s.wait {
			t.Errorf("step %d: allow = %t, %v; want %t, %v", i, ok, wait, s.ok, s.wait)
		}
	}
	l.succeeded("a@x.test")
	if ok, _ := l.allow("a@x.test", "3.3.3.3", t0.Add(time.Minute+time.Second)); !ok {
		t.Error("a successful sign-in must clear the email's count")
	}
}
