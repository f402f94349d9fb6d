package auth

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// The API key scopes.
const (
	ScopeSCIM     = "scim"
	ScopeOrgRead  = "org:read"
	ScopeOrgWrite = "org:write"
)

// Scopes lists every valid API key scope.
var Scopes = []string{ScopeSCIM, ScopeOrgRead, ScopeOrgWrite}

// APIKeyPrefix starts every API key; it makes leaked keys easy to spot.
const APIKeyPrefix = "rk_"

// displayPrefixLen is how much of a key is kept in clear to tell keys apart.
const displayPrefixLen = len(APIKeyPrefix) + 6

// ErrInvalidAPIKey means the presented key is malformed or unknown.
var ErrInvalidAPIKey = errors.New("invalid api key")

// ParseScopes splits a comma- or space-separated scope list, checks every
// scope and returns them sorted without duplicates.
func ParseScopes(s string) ([]string, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
	if len(fields) == 0 {
		return nil, fmt.Errorf("no scopes given (valid: %s)", strings.Join(Scopes, ", "))
	}
	for _, f := range fields {
		if !slices.Contains(Scopes, f) {
			return nil, fmt.Errorf("unknown scope %q (valid: %s)", f, strings.Join(Scopes, ", "))
		}
	}
	slices.Sort(fields)
	return slices.Compact(fields), nil
}

// NewAPIKey makes a new key for the organization. It returns the key (shown
// once, never stored) and the record to store.
func NewAPIKey(r io.Reader, orgID string, scopes []string, now time.Time) (string, store.APIKey, error) {
	secret, err := RandomToken(r, 32)
	if err != nil {
		return "", store.APIKey{}, fmt.Errorf("new api key: %w", err)
	}
	key := APIKeyPrefix + secret
	rec, err := APIKeyRecord(r, key, orgID, scopes, now)
	return key, rec, err
}

// APIKeyRecord is the record to store for a key chosen elsewhere (NewAPIKey's, or one an operator
// generated for a scripted set-up): a new id, the display prefix and the key's hash, never the key.
// It refuses a key that AuthenticateAPIKey would refuse, without repeating it in the error.
func APIKeyRecord(r io.Reader, key, orgID string, scopes []string, now time.Time) (store.APIKey, error) {
	if !WellFormedAPIKey(key) {
		return store.APIKey{}, fmt.Errorf("api key: want %s followed by 43 base64url characters (a %d-byte random secret)",
			APIKeyPrefix, 32)
	}
	id, err := NewID(r)
	if err != nil {
		return store.APIKey{}, fmt.Errorf("new api key: %w", err)
	}
	return store.APIKey{
		ID:        id,
		OrgID:     orgID,
		Prefix:    key[:displayPrefixLen],
		Hash:      Hash(key),
		Scopes:    slices.Clone(scopes),
		CreatedAt: now,
	}, nil
}

// WellFormedAPIKey reports whether key has the shape of a refapp API key: the prefix and 32 bytes
// base64url-encoded without padding.
func WellFormedAPIKey(key string) bool {
	secret, ok := strings.CutPrefix(key, APIKeyPrefix)
	if !ok || len(secret) != 43 {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(secret)
	return err == nil && len(b) == 32
}

// APIKeyLookup is the part of the store that AuthenticateAPIKey needs.
type APIKeyLookup interface {
	APIKeyByHash(ctx context.Context, hash []byte) (store.APIKey, error)
}

// AuthenticateAPIKey finds the stored key for a presented key. It returns
// ErrInvalidAPIKey when the key is malformed or unknown.
func AuthenticateAPIKey(ctx context.Context, st APIKeyLookup, presented string) (store.APIKey, error) {
	if !WellFormedAPIKey(presented) {
		return store.APIKey{}, ErrInvalidAPIKey
	}
	k, err := st.APIKeyByHash(ctx, Hash(presented))
	if errors.Is(err, store.ErrNotFound) {
		return store.APIKey{}, ErrInvalidAPIKey
	}
	if err != nil {
		return store.APIKey{}, fmt.Errorf("authenticate api key: %w", err)
	}
	return k, nil
}

// HasScope reports whether the key carries the scope.
func HasScope(k store.APIKey, scope string) bool { return slices.Contains(k.Scopes, scope) }

// NewID returns a random 16-byte identifier as 32 hex characters.
func NewID(r io.Reader) (string, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("new id: %w", err)
	}
	return fmt.Sprintf("%x", b), nil
}
