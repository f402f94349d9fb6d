package samlidp

import (
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

// Okta requires every SP-initiated LogoutRequest to be signed and verifies it with the "Signature
// Certificate" uploaded for the app. Over HTTP-Redirect the signature is the SigAlg and Signature query
// parameters over the raw, still URL-encoded "SAMLRequest=..&RelayState=..&SigAlg=.." octets
// (saml-bindings-2.0-os 3.4.4.1); over HTTP-POST it is an enveloped XML signature on the LogoutRequest.
// SHA-1 is refused as Okta refuses it for new apps. An app with single logout but no certificate refuses
// every request, since nothing can be verified.

var errSLOSignature = &Error{Status: http.StatusBadRequest, Title: "Bad Request",
	Message: "The LogoutRequest is not signed with the signature certificate of this app."}

// redirectSigAlgs are the query-string signature algorithms accepted.
var redirectSigAlgs = map[string]x509.SignatureAlgorithm{
	algRSASHA256: x509.SHA256WithRSA,
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": x509.SHA384WithRSA,
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": x509.SHA512WithRSA,
}

// verifyLogoutSignature checks the signature of the LogoutRequest raw received in r for app.
func verifyLogoutSignature(app directory.App, r *http.Request, raw []byte) *Error {
	cert, err := directory.ParsePEMCertificate(app.SAML.SPCertificate)
	if err != nil {
		return errSLOSignature.withCause(fmt.Errorf("app has no usable signature certificate: %w", err))
	}
	if r.Method == http.MethodGet {
		err = verifyRedirectSignature(cert, r.URL.RawQuery)
	} else {
		err = verifyEnvelopedSignature(cert, raw)
	}
	if err != nil {
		return errSLOSignature.withCause(err)
	}
	return nil
}

// verifyRedirectSignature checks SigAlg and Signature over the raw query values, taken exactly as sent.
func verifyRedirectSignature(cert *x509.Certificate, rawQuery string) error {
	raw := map[string]string{}
	for pair := range strings.SplitSeq(rawQuery, "&") {
		k, v, _ := strings.Cut(pair, "=")
		switch k {
		case "SAMLRequest", "RelayState", "SigAlg", "Signature":
			if _, dup := raw[k]; dup {
				return fmt.Errorf("query parameter %s appears twice", k)
			}
			raw[k] = v
		}
	}
	if raw["SigAlg"] == "" || raw["Signature"] == "" {
		return errors.New("unsigned: no SigAlg and Signature")
	}
	sigAlg, err := url.QueryUnescape(raw["SigAlg"])
	if err != nil {
		return fmt.Errorf("SigAlg: %w", err)
	}
	alg, ok := redirectSigAlgs[sigAlg]
	if !ok {
		return fmt.Errorf("SigAlg %q not accepted", sigAlg)
	}
	sigText, err := url.QueryUnescape(raw["Signature"])
	if err != nil {
		return fmt.Errorf("decode the Signature parameter: %w", err)
	}
	sig, err := base64.StdEncoding.DecodeString(sigText)
	if err != nil {
		return fmt.Errorf("decode the Signature parameter: %w", err)
	}
	signed := "SAMLRequest=" + raw["SAMLRequest"]
	if rs, ok := raw["RelayState"]; ok {
		signed += "&RelayState=" + rs
	}
	signed += "&SigAlg=" + raw["SigAlg"]
	return cert.CheckSignature(alg, []byte(signed), sig)
}

// verifyEnvelopedSignature checks the LogoutRequest's own enveloped signature against cert alone.
func verifyEnvelopedSignature(cert *x509.Certificate, raw []byte) error {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil {
		return fmt.Errorf("read LogoutRequest: %w", err)
	}
	root := doc.Root()
	if root == nil {
		return errors.New("empty LogoutRequest")
	}
	sig := root.FindElement("./Signature")
	if sig == nil {
		return errors.New("unsigned: no enveloped Signature")
	}
	if m := sig.FindElement("./SignedInfo/SignatureMethod"); m == nil || m.SelectAttrValue("Algorithm", "") == algRSASHA1 {
		return errors.New("signature method missing or SHA-1")
	}
	vc := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{cert}})
	vc.Clock = dsig.NewFakeClockAt(cert.NotBefore) // validity is Okta's upload-time concern, not per request
	if _, err := vc.Validate(root); err != nil {
		return fmt.Errorf("enveloped signature: %w", err)
	}
	return nil
}
