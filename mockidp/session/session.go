// Package session is a mock Okta org's IdP session: the one sign-in that, as on Okta, covers every app
// of the org whatever its protocol. The OpenID provider and the SAML IdP of an org share one Store, so a
// user who signed in for a SAML app is not asked for a password again by an OIDC app (and
// /authorize?prompt=none succeeds), and ending the session (OIDC logout, SAML single logout) ends it for
// both.
//
// The session is a cookie named "sid" (Okta's name), scoped to the org's path, HttpOnly, SameSite=Lax.
// It ends after IdleTimeout without use (Okta's default global session policy: two hours idle) or
// MaxLifetime after the sign-in when one is set, whichever comes first.
//
//	store := session.New(session.Config{Path: "/acme"})
//	s, err := store.Start(w, userID, []string{"pwd"}) // after checking the password
//	s, ok := store.Current(r)                         // later, from any protocol
//	store.End(w, r)                                   // logout
package session

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// CookieName is the name of Okta's IdP session cookie.
const CookieName = "sid"

// Config configures a Store.
type Config struct {
	// Path is the cookie path, the org's base path. Default: "/".
	Path string
	// Secure marks the cookie Secure (an https org). Default: false.
	Secure bool
	// IdleTimeout ends a session not used for this long. Default: 2 hours (Okta's default).
	IdleTimeout time.Duration
	// MaxLifetime ends a session this long after its sign-in, used or not. Default: none, as Okta's
	// default global session policy.
	MaxLifetime time.Duration
	// Now is the clock. Default: time.Now.
	Now func() time.Time
	// Rand draws session ids. Default: crypto/rand.Reader.
	Rand io.Reader
}

// Session is one IdP session.
type Session struct {
	ID     string
	UserID string
	// AuthTime is when the user last proved who they are (the auth_time claim, the SAML AuthnInstant).
	AuthTime time.Time
	// LastUsed is when the session last let a sign-in through.
	LastUsed time.Time
	// AMR are the authentication methods used ("pwd", then "mfa", "otp" after a second factor).
	AMR []string
	// SAMLApps are the ids of the SAML apps that received an assertion in this session, in order: the
	// participants single logout notifies.
	SAMLApps []string
}

// Store keeps an org's sessions. It is safe for concurrent use.
type Store struct {
	cfg      Config
	mu       sync.Mutex
	sessions map[string]*Session
}

// New returns an empty Store.
func New(cfg Config) *Store {
	if cfg.Path == "" {
		cfg.Path = "/"
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 2 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	return &Store{cfg: cfg, sessions: map[string]*Session{}}
}

func (s *Session) clone() Session {
	c := *s
	c.AMR, c.SAMLApps = slices.Clone(s.AMR), slices.Clone(s.SAMLApps)
	return c
}

// Current returns the request's live session and marks it used; an expired one is dropped.
func (st *Store) Current(r *http.Request) (Session, bool) {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return Session{}, false
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	s, ok := st.sessions[c.Value]
	if !ok {
		return Session{}, false
	}
	now := st.cfg.Now()
	if !now.Before(s.LastUsed.Add(st.cfg.IdleTimeout)) ||
		(st.cfg.MaxLifetime > 0 && !now.Before(s.AuthTime.Add(st.cfg.MaxLifetime))) {
		delete(st.sessions, c.Value)
		return Session{}, false
	}
	s.LastUsed = now
	return s.clone(), true
}

// Start begins a session for the user after a sign-in with the given methods and sets its cookie.
func (st *Store) Start(w http.ResponseWriter, userID string, amr []string) (Session, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(st.cfg.Rand, b); err != nil {
		return Session{}, fmt.Errorf("start session: %w", err)
	}
	now := st.cfg.Now()
	s := &Session{ID: base64.RawURLEncoding.EncodeToString(b), UserID: userID, AuthTime: now, LastUsed: now,
		AMR: slices.Clone(amr)}
	st.mu.Lock()
	st.sessions[s.ID] = s
	st.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: s.ID, Path: st.cfg.Path, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: st.cfg.Secure})
	return s.clone(), nil
}

// AddSAMLApp records that the session's user received an assertion for the SAML app.
func (st *Store) AddSAMLApp(id, appID string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if s, ok := st.sessions[id]; ok && !slices.Contains(s.SAMLApps, appID) {
		s.SAMLApps = append(s.SAMLApps, appID)
	}
}

// End ends the request's session, if any, clears its cookie and returns what it was.
func (st *Store) End(w http.ResponseWriter, r *http.Request) (Session, bool) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: st.cfg.Path, MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: st.cfg.Secure})
	c, err := r.Cookie(CookieName)
	if err != nil {
		return Session{}, false
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	s, ok := st.sessions[c.Value]
	if !ok {
		return Session{}, false
	}
	delete(st.sessions, c.Value)
	return s.clone(), true
}
