package oidcop

import (
	"crypto"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"sync"

	"github.com/go-jose/go-jose/v4"
)

// keysMaxAge is the JWKS cache lifetime announced in Cache-Control.
const keysMaxAge = 5 * 60 // seconds

// signingKey is an RSA-2048 key and its kid (the RFC 7638 thumbprint,
// base64url: 43 characters, the shape of Okta's kids).
type signingKey struct {
	kid  string
	priv *rsa.PrivateKey
}

// keySet holds the org's keys: the current ID-token key, the next one
// (published ahead of rotation) and the access-token key (never published).
// They are generated on first use, because RSA generation is slow and many
// orgs never sign anything.
type keySet struct {
	rand io.Reader

	once                  sync.Once
	err                   error
	current, next, access *signingKey
}

func (k *keySet) load() error {
	k.once.Do(func() {
		for _, dst := range []**signingKey{&k.current, &k.next, &k.access} {
			if *dst, k.err = newSigningKey(k.rand); k.err != nil {
				return
			}
		}
	})
	return k.err
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

func (s *signingKey) signer() (jose.Signer, error) {
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256,
		Key: jose.JSONWebKey{Key: s.priv, KeyID: s.kid}}, nil)
	if err != nil {
		return nil, fmt.Errorf("new signer: %w", err)
	}
	return sig, nil
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

func (p *Provider) handleKeys(w http.ResponseWriter, r *http.Request) {
	if err := p.keys.load(); err != nil {
		p.writeJSONError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", fmt.Sprintf("max-age=%d, must-revalidate", keysMaxAge))
	writeJSON(w, http.StatusOK, struct {
		Keys []jwk `json:"keys"`
	}{[]jwk{publicJWK(p.keys.current), publicJWK(p.keys.next)}})
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
