package samlidp

import (
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"io"
	"math/big"
	"sync"
	"time"
)

// signingKey is an RSA key with the certificate published for it.
type signingKey struct {
	key  *rsa.PrivateKey
	cert []byte // DER
}

// appKey is an app's signing key, its certificate and, made on demand, an expired certificate for the
// same key (saml-cert-expired).
type appKey struct {
	once    sync.Once
	current signingKey
	err     error

	expiredOnce sync.Once
	expired     signingKey
	expiredErr  error
}

// keyStore makes and keeps per-app keys, and one "attacker" key per IdP for saml-other-cert.
type keyStore struct {
	rand    io.Reader
	now     func() time.Time
	orgName string

	mu   sync.Mutex
	apps map[string]*appKey

	otherOnce sync.Once
	other     signingKey
	otherErr  error
}

func newKeyStore(r io.Reader, now func() time.Time, orgName string) *keyStore {
	return &keyStore{rand: r, now: now, orgName: orgName, apps: map[string]*appKey{}}
}

func (ks *keyStore) entry(appID string) *appKey {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	e, ok := ks.apps[appID]
	if !ok {
		e = &appKey{}
		ks.apps[appID] = e
	}
	return e
}

// forApp returns the app's key and certificate, generating them on first use.
func (ks *keyStore) forApp(appID string) (signingKey, error) {
	e := ks.entry(appID)
	e.once.Do(func() {
		var key *rsa.PrivateKey
		if key, e.err = rsa.GenerateKey(ks.rand, 2048); e.err != nil {
			e.err = fmt.Errorf("generate signing key: %w", e.err)
			return
		}
		now := ks.now()
		e.current, e.err = ks.certify(key, ks.orgName, now, now.AddDate(10, 0, 0).Add(time.Minute))
	})
	return e.current, e.err
}

// expiredForApp returns the app's key with a certificate that expired a year ago.
func (ks *keyStore) expiredForApp(appID string) (signingKey, error) {
	cur, err := ks.forApp(appID)
	if err != nil {
		return signingKey{}, err
	}
	e := ks.entry(appID)
	e.expiredOnce.Do(func() {
		now := ks.now()
		e.expired, e.expiredErr = ks.certify(cur.key, ks.orgName, now.AddDate(-11, 0, 0), now.AddDate(-1, 0, 0))
	})
	return e.expired, e.expiredErr
}

// otherKey returns a key and certificate no metadata publishes, with the same subject shape.
func (ks *keyStore) otherKey() (signingKey, error) {
	ks.otherOnce.Do(func() {
		var key *rsa.PrivateKey
		if key, ks.otherErr = rsa.GenerateKey(ks.rand, 2048); ks.otherErr != nil {
			ks.otherErr = fmt.Errorf("generate other key: %w", ks.otherErr)
			return
		}
		now := ks.now()
		ks.other, ks.otherErr = ks.certify(key, ks.orgName, now, now.AddDate(10, 0, 0).Add(time.Minute))
	})
	return ks.other, ks.otherErr
}

// oktaSubject is the DER subject of Okta's certificates: C=US, ST=California, L=San Francisco, O=Okta,
// OU=SSOProvider, CN={org}, emailAddress=info@okta.com, with Okta's string types (PrintableString for C,
// UTF8String for the others, IA5String for the email address).
func oktaSubject(cn string) ([]byte, error) {
	attr := func(oid asn1.ObjectIdentifier, tag int, v string) []pkix.AttributeTypeAndValue {
		return []pkix.AttributeTypeAndValue{{Type: oid, Value: asn1.RawValue{Tag: tag, Bytes: []byte(v)}}}
	}
	return asn1.Marshal(pkix.RDNSequence{
		attr(asn1.ObjectIdentifier{2, 5, 4, 6}, asn1.TagPrintableString, "US"),
		attr(asn1.ObjectIdentifier{2, 5, 4, 8}, asn1.TagUTF8String, "California"),
		attr(asn1.ObjectIdentifier{2, 5, 4, 7}, asn1.TagUTF8String, "San Francisco"),
		attr(asn1.ObjectIdentifier{2, 5, 4, 10}, asn1.TagUTF8String, "Okta"),
		attr(asn1.ObjectIdentifier{2, 5, 4, 11}, asn1.TagUTF8String, "SSOProvider"),
		attr(asn1.ObjectIdentifier{2, 5, 4, 3}, asn1.TagUTF8String, cn),
		attr(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, asn1.TagIA5String, "info@okta.com"),
	})
}

// certify makes Okta's self-signed certificate for key: subject = issuer = oktaSubject; sha256WithRSA;
// serial = the creation time in epoch milliseconds.
func (ks *keyStore) certify(key *rsa.PrivateKey, cn string, notBefore, notAfter time.Time) (signingKey, error) {
	name, err := oktaSubject(cn)
	if err != nil {
		return signingKey{}, fmt.Errorf("certificate subject: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:       big.NewInt(ks.now().UnixMilli()),
		RawSubject:         name,
		RawIssuer:          name,
		NotBefore:          notBefore.UTC().Truncate(time.Second),
		NotAfter:           notAfter.UTC().Truncate(time.Second),
		SignatureAlgorithm: x509.SHA256WithRSA,
	}
	der, err := x509.CreateCertificate(ks.rand, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return signingKey{}, fmt.Errorf("create certificate: %w", err)
	}
	return signingKey{key: key, cert: der}, nil
}
