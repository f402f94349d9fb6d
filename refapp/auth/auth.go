// Package auth owns refapp's credentials: password hashing (bcrypt), browser
// sessions (random 32-byte tokens of which only the SHA-256 is stored, sent as
// an HttpOnly SameSite=Lax cookie, Secure when the app's base URL is https, ending at
// an absolute deadline and after an idle timeout that slides on use) and
// organization API keys ("rk_" + 43 base64url characters, stored as SHA-256
// with a short display prefix, each with scopes).
//
// Usage:
//
//	hash, err := auth.HashPassword("correct horse", 0)
//	sessions := &auth.Sessions{Store: st, Secure: true}
//	err = sessions.Start(ctx, w, member, "password")
//	sess, member, err := sessions.Lookup(ctx, r)
//	key, rec, err := auth.NewAPIKey(rand.Reader, orgID, []string{auth.ScopeSCIM}, now)
package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// MinPasswordLength is the shortest password HashPassword accepts.
const MinPasswordLength = 8

// ErrBadPassword is returned by HashPassword for a password that is too short or too long.
var ErrBadPassword = errors.New("password must be 8 to 72 bytes long")

// dummyHash is compared against when no account matches, so a failed login
// takes about as long whether or not the email exists. It is made on first
// use, not at start: every `refapp` command would otherwise pay a bcrypt hash
// (about 60 ms) before doing anything.
var dummyHash = sync.OnceValue(func() []byte {
	h, err := bcrypt.GenerateFromPassword([]byte("refapp-dummy-password"), bcrypt.DefaultCost)
	if err != nil {
		panic(err)
	}
	return h
})

// HashPassword hashes a password with bcrypt at the given cost (0 = bcrypt.DefaultCost).
func HashPassword(password string, cost int) (string, error) {
	if len(password) < MinPasswordLength || len(password) > 72 {
		return "", ErrBadPassword
	}
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// CheckPassword reports whether password matches hash. An empty hash never
// matches, but still costs one bcrypt comparison.
func CheckPassword(hash, password string) bool {
	if hash == "" {
		_ = bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// RandomToken returns n random bytes from r, base64url-encoded without padding.
func RandomToken(r io.Reader, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("read random bytes: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Hash returns the SHA-256 of a token, as stored in place of the token.
func Hash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// HashEqual compares two hashes in constant time.
func HashEqual(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }
