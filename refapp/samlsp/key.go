package samlsp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"sync"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// KeyStore is the part of the store that keeps the deployment's SP key.
type KeyStore interface {
	SPKey(ctx context.Context) (store.SPKey, error)
	EnsureSPKey(ctx context.Context, k store.SPKey) (store.SPKey, error)
}

// keyPair is the SP key, parsed.
type keyPair struct {
	key  *rsa.PrivateKey
	cert *x509.Certificate
}

// spKeys caches the key pair once read; a failed read is retried on the next call.
type spKeys struct {
	mu sync.Mutex
	kp *keyPair
}

// signingKey returns the deployment's key pair, made and stored by the first instance that needs one.
func (sp *SP) signingKey(ctx context.Context) (*keyPair, error) {
	sp.keys.mu.Lock()
	defer sp.keys.mu.Unlock()
	if sp.keys.kp == nil {
		k, err := storedKey(ctx, sp.cfg.Store, sp.EntityID(), sp.cfg.Now())
		if err != nil {
			return nil, err
		}
		if sp.keys.kp, err = parseSPKey(k); err != nil {
			return nil, err
		}
	}
	return sp.keys.kp, nil
}

// SigningCertificate is the PEM certificate of the deployment's SP key (made and stored if there is
// none yet), for the Okta app's "Signature Certificate". entityID names the certificate's subject.
// The private key is not parsed: only the certificate is checked.
func SigningCertificate(ctx context.Context, st KeyStore, entityID string, now time.Time) (string, error) {
	k, err := storedKey(ctx, st, entityID, now)
	if err != nil {
		return "", err
	}
	if _, err := parseCertPEM(k.CertificatePEM); err != nil {
		return "", err
	}
	return k.CertificatePEM, nil
}

// storedKey reads the deployment's key, making and storing one (EnsureSPKey settles a race) if none is.
func storedKey(ctx context.Context, st KeyStore, entityID string, now time.Time) (store.SPKey, error) {
	k, err := st.SPKey(ctx)
	if errors.Is(err, store.ErrNotFound) {
		var fresh store.SPKey
		if fresh, err = newSPKey(entityID, now); err == nil {
			k, err = st.EnsureSPKey(ctx, fresh)
		}
	}
	if err != nil {
		return store.SPKey{}, fmt.Errorf("saml sp key: %w", err)
	}
	return k, nil
}

// newSPKey makes an RSA-2048 key and a self-signed certificate valid for ten years, as SPs usually
// give Okta.
func newSPKey(entityID string, now time.Time) (store.SPKey, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return store.SPKey{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return store.SPKey{}, err
	}
	cn := entityID
	if u, err := url.Parse(entityID); err == nil && u.Host != "" {
		cn = u.Host
	}
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: cn, Organization: []string{"refapp SAML SP"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return store.SPKey{}, err
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return store.SPKey{}, err
	}
	return store.SPKey{PrivateKeyPEM: string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk})),
		CertificatePEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), CreatedAt: now}, nil
}

func parseSPKey(k store.SPKey) (*keyPair, error) {
	cert, err := parseCertPEM(k.CertificatePEM)
	if err != nil {
		return nil, err
	}
	kb, _ := pem.Decode([]byte(k.PrivateKeyPEM))
	if kb == nil {
		return nil, errors.New("saml sp key: the stored key is not PEM")
	}
	key, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("saml sp key: %w", err)
	}
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("saml sp key: the stored key is not RSA")
	}
	return &keyPair{key: rk, cert: cert}, nil
}

func parseCertPEM(s string) (*x509.Certificate, error) {
	b, _ := pem.Decode([]byte(s))
	if b == nil {
		return nil, errors.New("saml sp key: the stored certificate is not PEM")
	}
	cert, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("saml sp key: %w", err)
	}
	return cert, nil
}
