package samlidp

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"testing"
)

// BenchmarkSAMLResponse builds and signs one response as Okta does by default: Response and Assertion
// signed, so two RSA-2048 signatures per response. Compare with BenchmarkRSA2048Sign: the floor is
// signing rate / 2.
func BenchmarkSAMLResponse(b *testing.B) {
	e := newEnv(b, nil)
	asg, _ := e.dir.Assignment(e.app.ID, e.alice.ID)
	req := &authnRequest{ID: "id-bench", ACS: testACS}
	if _, err := e.idp.respond(e.app, e.alice, asg, req, testNow); err != nil { // key generation
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.idp.respond(e.app, e.alice, asg, req, testNow); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "responses/s")
}

// BenchmarkRSA2048Sign is one RSA-2048 PKCS #1 v1.5 SHA-256 signature, the cost floor of a response.
func BenchmarkRSA2048Sign(b *testing.B) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	digest := sha256.Sum256([]byte("signed info"))
	for b.Loop() {
		if _, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "signatures/s")
}
