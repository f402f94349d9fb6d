package web

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// LoginLimit bounds password sign-in attempts, per email and per client address, each in a fixed
// window. It is kept in memory, per refapp instance.
type LoginLimit struct {
	// PerEmail is how many attempts one email may make in Window. Default 10.
	PerEmail int
	// PerAddress is how many attempts one client address may make in Window. Default 300.
	PerAddress int
	// Window is the counting window. Default 15m.
	Window time.Duration
}

func (l LoginLimit) withDefaults() LoginLimit {
	if l.PerEmail <= 0 {
		l.PerEmail = 10
	}
	if l.PerAddress <= 0 {
		l.PerAddress = 300
	}
	if l.Window <= 0 {
		l.Window = 15 * time.Minute
	}
	return l
}

// maxTracked bounds the limiter's memory: past it, expired windows are swept.
const maxTracked = 10000

type window struct {
	start time.Time
	count int
}

// limiter counts attempts per key in fixed windows.
type limiter struct {
	cfg LoginLimit
	mu  sync.Mutex
	win map[string]*window
}

func newLimiter(cfg LoginLimit) *limiter {
	return &limiter{cfg: cfg.withDefaults(), win: map[string]*window{}}
}

// allow counts one attempt for the email and the address; when either is over its limit it returns
// false and how long until the attempt would be allowed (nothing is counted then).
func (l *limiter) allow(email, addr string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.win) > maxTracked {
		for k, w := range l.win {
			if !now.Before(w.start.Add(l.cfg.Window)) {
				delete(l.win, k)
			}
		}
	}
	keys := []struct {
		key   string
		limit int
	}{{"email:" + strings.ToLower(email), l.cfg.PerEmail}, {"addr:" + addr, l.cfg.PerAddress}}
	var wait time.Duration
	for _, k := range keys {
		w := l.window(k.key, now)
		if w.count >= k.limit {
			wait = max(wait, w.start.Add(l.cfg.Window).Sub(now))
		}
	}
	if wait > 0 {
		return false, wait
	}
	for _, k := range keys {
		l.window(k.key, now).count++
	}
	return true, 0
}

// succeeded forgets the email's failed attempts after a successful sign-in.
func (l *limiter) succeeded(email string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.win, "email:"+strings.ToLower(email))
}

func (l *limiter) window(key string, now time.Time) *window {
	w := l.win[key]
	if w == nil || !now.Before(w.start.Add(l.cfg.Window)) {
		w = &window{start: now}
		l.win[key] = w
	}
	return w
}

// clientAddr is the request's peer address without the port. Forwarded headers are not trusted: refapp
// is reached directly.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
