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
	TouchSession(ctx context.Context, hash []byte, expiresAt time.Time) error
	MemberByID(ctx context.Context, orgID, id string) (store.Member, error)
}

// Sessions issues and checks browser sessions. A session ends at the first of two deadlines: the
// absolute one (CreatedAt + TTL) and the idle one (IdleTTL after its last use). The stored ExpiresAt is
// the idle deadline (never past the absolute one); Lookup slides it forward on use, writing only when it
// moves by more than a twentieth of IdleTTL, so a busy page does not write on every request.
type Sessions struct {
	Store  SessionStore
	Secure bool             // set the cookie's Secure attribute (base URL is https)
	TTL    time.Duration    // absolute session lifetime; default 12h
	Idle   time.Duration    // idle timeout; default (0): TTL, no idle expiry
	Now    func() time.Time // default time.Now
	Rand   io.Reader        // default crypto/rand.Reader
}

func (s *Sessions) idle() time.Duration {
	if s.Idle > 0 && s.Idle < s.ttl() {
		return s.Idle
	}
	return s.ttl()
}

// deadline is the idle deadline of a session created at created and used at now.
func (s *Sessions) deadline(created, now time.Time) time.Time {
	abs := created.Add(s.ttl())
	if d := now.Add(s.idle()); d.Before(abs) {
		return d
	}
	return abs
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
		CreatedAt: now, ExpiresAt: s.deadline(now, now)}
	if err := s.Store.CreateSession(ctx, se); err != nil {
		return fmt.Errorf("start session: %w", err)
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: s.Secure, SameSite: http.SameSiteLaxMode, Expires: now.Add(s.ttl())})
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
	now := s.now()
	if !now.Before(se.ExpiresAt) || !now.Before(se.CreatedAt.Add(s.ttl())) {
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
	if next := s.deadline(se.CreatedAt, now); next.Sub(se.ExpiresAt) > s.idle()/20 {
		if err := s.Store.TouchSession(ctx, se.TokenHash, next); err != nil {
			return store.Session{}, store.Member{}, fmt.Errorf("touch session: %w", err)
		}
		se.ExpiresAt = next
	}
	return se, m, nil
}

// End deletes the request's session, if any, and clears the cookie.
func (s *Sessions) End(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true,
		Secure: s.Secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	c, err := r.Cookie(SessionCookie)
	if errors.Is(err, http.ErrNoCookie) || (err == nil && c.Value == "") {
		return nil // nothing to end
	}
	if err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	if err := s.Store.DeleteSession(ctx, Hash(c.Value)); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}
