package refapp

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/ssoconform/ssoconform/refapp/auth"
	"github.com/ssoconform/ssoconform/refapp/linking"
	"github.com/ssoconform/ssoconform/refapp/mailer"
	"github.com/ssoconform/ssoconform/refapp/oidcrp"
	"github.com/ssoconform/ssoconform/refapp/orgsettings"
	"github.com/ssoconform/ssoconform/refapp/samlsp"
	"github.com/ssoconform/ssoconform/refapp/scimserver"
	"github.com/ssoconform/ssoconform/refapp/web"
)

// App is the reference app as an http.Handler.
type App struct {
	cfg     Config
	handler http.Handler
	// The organization settings (settings.go).
	links    *linking.Inviter
	mail     *mailer.Sender // nil without an SMTP URL
	settings *orgsettings.Handler
}

// New checks cfg and assembles the app.
func New(cfg Config) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	secure := strings.HasPrefix(cfg.BaseURL, "https://")
	rp, err := oidcrp.New(oidcrp.Config{RedirectURL: cfg.BaseURL + oidcrp.CallbackPath, Store: cfg.Store,
		HTTPClient: cfg.HTTPClient, Now: cfg.Now, Rand: cfg.Rand, AttemptTTL: cfg.LoginAttemptTTL,
		SecureCookies: secure, Logger: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("new refapp: %w", err)
	}
	sessions := &auth.Sessions{Store: cfg.Store, Secure: secure, TTL: cfg.SessionTTL, Idle: cfg.SessionIdleTTL,
		Now: cfg.Now, Rand: cfg.Rand}
	a := &App{cfg: cfg}
	if err := a.newSettings(sessions); err != nil {
		return nil, fmt.Errorf("new refapp: %w", err)
	}
	sp, err := samlsp.New(samlsp.Config{BaseURL: cfg.BaseURL, Store: cfg.Store, HTTPClient: cfg.HTTPClient,
		Now: cfg.Now, Rand: cfg.Rand, AttemptTTL: cfg.LoginAttemptTTL, SecureCookies: secure, Logger: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("new refapp: %w", err)
	}
	pages, err := web.New(web.Config{Store: cfg.Store, Sessions: sessions, RP: rp, SP: sp, Now: cfg.Now, Rand: cfg.Rand,
		Logger: cfg.Logger, Links: a.links, LoginLimit: cfg.LoginLimit})
	if err != nil {
		return nil, fmt.Errorf("new refapp: %w", err)
	}
	scim, err := scimserver.New(scimserver.Config{Store: cfg.Store, BaseURL: cfg.BaseURL, Now: cfg.Now,
		Rand: cfg.Rand, Logger: cfg.Logger, RateLimit: cfg.SCIMRateLimit, RateBurst: cfg.SCIMRateBurst})
	if err != nil {
		return nil, fmt.Errorf("new refapp: %w", err)
	}
	a.handler = a.routes(pages, scim)
	return a, nil
}

// ServeHTTP serves every route of the app.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.handler.ServeHTTP(w, r) }

// statusRecorder remembers the status for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// logged logs one line per request: method, path (no query: it may hold codes), status.
func (a *App) logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		a.cfg.Logger.DebugContext(r.Context(), "request", slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Int("status", rec.status))
	})
}

// secured sets the headers every response carries.
func secured(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'")
		next.ServeHTTP(w, r)
	})
}
