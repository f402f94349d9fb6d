package oidcop

import (
	"context"
	"crypto"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// keysMaxAge is the JWKS cache lifetime announced in Cache-Control.
const keysMaxAge = 5 * 60 // seconds

// maxRetiredKeys is how many rotated-out keys still verify the provider's own
// tokens (userinfo, introspect, logout hints); they are no longer published.
const maxRetiredKeys = 4

// signingKey is an RSA-2048 key and its kid (the RFC 7638 thumbprint,
// base64url: 43 characters, the shape of Okta's kids).
type signingKey struct {
	kid  string
	priv *rsa.PrivateKey
}

// keySet holds one authorization server's keys: the current signing key, the
// next one (published ahead of rotation), the keys rotated out, the
// access-token key when access tokens are signed with a key that is never
// published (the org authorization server), and a rogue key that is never
// published either, for the faults. Keys are generated on first use, because
// RSA generation is slow and many orgs never sign anything.
type keySet struct {
	rand          io.Reader
	privateAccess bool // sign access tokens with an unpublished key

	mu                    sync.Mutex
	loaded                bool
	current, next, access *signingKey
	retired               []*signingKey
	rogue                 *signingKey
}

// keys returns the current, next and access-token keys, generating them on
// first use. For a server without a private access key, access == current.
func (k *keySet) keys() (current, next, access *signingKey, err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.loaded {
		if k.current, err = newSigningKey(k.rand); err != nil {
			return nil, nil, nil, err
		}
		if k.next, err = newSigningKey(k.rand); err != nil {
			return nil, nil, nil, err
		}
		if k.privateAccess {
			if k.access, err = newSigningKey(k.rand); err != nil {
				return nil, nil, nil, err
			}
		}
		k.loaded = true
	}
	access = k.access
	if !k.privateAccess {
		access = k.current
	}
	return k.current, k.next, access, nil
}

// rotate makes the next key current and publishes a fresh next key.
func (k *keySet) rotate() error {
	if _, _, _, err := k.keys(); err != nil {
		return err
	}
	fresh, err := newSigningKey(k.rand)
	if err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.retired = append([]*signingKey{k.current}, k.retired...)
	if len(k.retired) > maxRetiredKeys {
		k.retired = k.retired[:maxRetiredKeys]
	}
	k.current, k.next = k.next, fresh
	return nil
}

// published returns the keys /keys serves.
func (k *keySet) published() ([]*signingKey, error) {
	cur, next, _, err := k.keys()
	if err != nil {
		return nil, err
	}
	return []*signingKey{cur, next}, nil
}

// idTokenKey finds a key that may have signed one of this server's ID
// tokens: current, next or retired.
func (k *keySet) idTokenKey(kid string) (*signingKey, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, s := range append([]*signingKey{k.current, k.next}, k.retired...) {
		if s != nil && s.kid == kid {
			return s, true
		}
	}
	return nil, false
}

// accessTokenKey finds a key that may have signed one of this server's
// access tokens.
func (k *keySet) accessTokenKey(kid string) (*signingKey, bool) {
	if !k.privateAccess {
		return k.idTokenKey(kid)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.access != nil && k.access.kid == kid {
		return k.access, true
	}
	return nil, false
}

// rogueKey is a key that is never published (faults sign with it).
func (k *keySet) rogueKey() (*signingKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.rogue == nil {
		r, err := newSigningKey(k.rand)
		if err != nil {
			return nil, err
		}
		k.rogue = r
	}
	return k.rogue, nil
}

func newSigningKey(r io.Reader) (*signingKey, error) {
	priv, err := rsa.GenerateKey(r, 2048)
	if err != nil {
		return nil, fmt.Errorf("generate rsa key: %w", err)
	}
	jwk := jose.JSONWebKey{Key: &priv.PublicKey}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("key thumbprint: %w", err)
	}
	return &signingKey{kid: b64(tp), priv: priv}, nil
}

// jwk is a public key serialised with members in the order a real Okta org
// uses: kty, alg, kid, use, e, n.
type jwk struct {
	Kty string `json:"kty"`
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	E   string `json:"e"`
	N   string `json:"n"`
}

func publicJWK(s *signingKey) jwk {
	pub := s.priv.PublicKey
	return jwk{Kty: "RSA", Alg: "RS256", Kid: s.kid, Use: "sig",
		E: b64(big.NewInt(int64(pub.E)).Bytes()), N: b64(pub.N.Bytes())}
}

// handleKeys serves the JWKS: the current and the next key. A client_id
// query parameter is accepted (Okta serves a client's pinned key there; this
// mock pins none, so the document is the same).
func (p *Provider) handleKeys(w http.ResponseWriter, r *http.Request, as *authServer) {
	keys, err := as.keys.published()
	if err != nil {
		p.writeJSONError(w, r, err)
		return
	}
	out := make([]jwk, 0, len(keys))
	for _, k := range keys {
		out = append(out, publicJWK(k))
	}
	w.Header().Set("Cache-Control", fmt.Sprintf("max-age=%d, must-revalidate", keysMaxAge))
	w.Header().Set("Expires", p.cfg.Now().UTC().Add(keysMaxAge*time.Second).Format(http.TimeFormat))
	writeJSON(w, http.StatusOK, struct {
		Keys []jwk `json:"keys"`
	}{out})
}

// RotateKeys rotates the signing keys of every authorization server of the
// org: the next key becomes current (new tokens carry its kid) and a fresh
// next key is published. Tokens signed before still verify at the
// provider's own endpoints. Okta forbids manual rotation of the org server's
// keys; the mock allows it so relying parties can be tested against a
// rotation (OIDC-POS-KID-ROTATE).
func (p *Provider) RotateKeys(ctx context.Context) error {
	for _, as := range p.servers() {
		if err := as.keys.rotate(); err != nil {
			return fmt.Errorf("rotate keys of %s: %w", as.issuer, err)
		}
		p.cfg.Logger.InfoContext(ctx, "signing keys rotated", "issuer", as.issuer)
	}
	return nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
