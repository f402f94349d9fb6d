package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "refapp_session"

// ErrNoSession means the request carries no valid session.
var ErrNoSession = errors.New("no valid session")

// SessionStore is the part of the store that Sessions needs.
type SessionStore interface {
	CreateSession(ctx context.Context, s store.Session) error
	SessionByHash(ctx context.Context, hash []byte) (store.Session, error)
	DeleteSession(ctx context.Context, hash []byte) error
	MemberByID(ctx context.Context, orgID, id string) (store.Member, error)
}

// Sessions issues and checks browser sessions.
type Sessions struct {
	Store  SessionStore
	Secure bool             // set the cookie's Secure attribute (base URL is https)
	TTL    time.Duration    // session lifetime; default 12h
	Now    func() time.Time // default time.Now
	Rand   io.Reader        // default crypto/rand.Reader
}

func (s *Sessions) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Sessions) ttl() time.Duration {
	if s.TTL > 0 {
		return s.TTL
	}
	return 12 * time.Hour
}

// Start creates a session for the member and sets the cookie.
func (s *Sessions) Start(ctx context.Context, w http.ResponseWriter, m store.Member, method string) error {
	r := s.Rand
	if r == nil {
		r = rand.Reader
	}
	token, err := RandomToken(r, 32)
	if err != nil {
		return fmt.Errorf("start session: %w", err)
	}
	now := s.now()
	se := store.Session{TokenHash: Hash(token), MemberID: m.ID, OrgID: m.OrgID, Method: method,
		CreatedAt: now, ExpiresAt: now.Add(s.ttl())}
	if err := s.Store.CreateSession(ctx, se); err != nil {
		return fmt.Errorf("start session: %w", err)
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: s.Secure, SameSite: http.SameSiteLaxMode, Expires: se.ExpiresAt})
	return nil
}

// Lookup returns the request's session and its member, or ErrNoSession.
func (s *Sessions) Lookup(ctx context.Context, r *http.Request) (store.Session, store.Member, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return store.Session{}, store.Member{}, ErrNoSession
	}
	se, err := s.Store.SessionByHash(ctx, Hash(c.Value))
	if errors.Is(err, store.ErrNotFound) {
		return store.Session{}, store.Member{}, ErrNoSession
	}
	if err != nil {
		return store.Session{}, store.Member{}, fmt.Errorf("look up session: %w", err)
	}
	if !s.now().Before(se.ExpiresAt) {
		return store.Session{}, store.Member{}, ErrNoSession
	}
	m, err := s.Store.MemberByID(ctx, se.OrgID, se.MemberID)
	if errors.Is(err, store.ErrNotFound) {
		return store.Session{}, store.Member{}, ErrNoSession
	}
	if err != nil {
		return store.Session{}, store.Member{}, fmt.Errorf("look up session member: %w", err)
	}
	if !m.Active {
		return store.Session{}, store.Member{}, ErrNoSession
	}
	return se, m, nil
}

// End deletes the request's session, if any, and clears the cookie.
func (s *Sessions) End(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true,
		Secure: s.Secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	if err := s.Store.DeleteSession(ctx, Hash(c.Value)); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}
