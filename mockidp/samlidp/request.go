package samlidp

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/crewjam/saml"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

// maxRequestSize bounds a decoded (and inflated) AuthnRequest.
const maxRequestSize = 256 << 10

// authnRequest is a validated AuthnRequest.
type authnRequest struct {
	ID         string
	Issuer     string
	ACS        string // where the response goes: the SSO URL or a requestable one
	ForceAuthn bool
	RelayState string
	// raw is the request XML, carried through the login form (base64) and re-validated there.
	raw []byte
}

// readRequest reads the AuthnRequest of an SSO request: deflated in the query for HTTP-Redirect, plain
// base64 in the form for HTTP-POST (and for the login form).
func readRequest(r *http.Request) (raw []byte, relayState string, err error) {
	if r.Method == http.MethodGet {
		q := r.URL.Query()
		raw, err = inflate(q.Get("SAMLRequest"))
		return raw, q.Get("RelayState"), err
	}
	r.Body = http.MaxBytesReader(nil, r.Body, 2*maxRequestSize)
	if err := r.ParseForm(); err != nil {
		return nil, "", fmt.Errorf("read form: %w", err)
	}
	raw, err = base64.StdEncoding.DecodeString(strings.TrimSpace(r.PostForm.Get("SAMLRequest")))
	if err != nil {
		return nil, "", fmt.Errorf("decode SAMLRequest: %w", err)
	}
	if len(raw) > maxRequestSize {
		return nil, "", errors.New("SAMLRequest too large")
	}
	return raw, r.PostForm.Get("RelayState"), nil
}

func inflate(v string) ([]byte, error) {
	if v == "" {
		return nil, errors.New("no SAMLRequest")
	}
	compressed, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("decode SAMLRequest: %w", err)
	}
	raw, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(compressed)), maxRequestSize+1))
	if err != nil {
		return nil, fmt.Errorf("inflate SAMLRequest: %w", err)
	}
	if len(raw) > maxRequestSize {
		return nil, errors.New("SAMLRequest too large")
	}
	return raw, nil
}

// parseRequest validates raw as an AuthnRequest for app, the way Okta does: a well-formed request with
// an ID and an Issuer equal to the app's audience; its AssertionConsumerServiceURL, if any, must be the
// SSO URL or a requestable SSO URL.
func parseRequest(app directory.App, raw []byte, relayState string) (*authnRequest, *Error) {
	if bytes.Contains(raw, []byte("<!DOCTYPE")) || bytes.Contains(raw, []byte("<!ENTITY")) {
		return nil, errMalformedRequest.withCause(errors.New("AuthnRequest has a DTD"))
	}
	var req saml.AuthnRequest
	if err := xml.Unmarshal(raw, &req); err != nil {
		return nil, errMalformedRequest.withCause(err)
	}
	if req.ID == "" || req.Version != "2.0" {
		return nil, errMalformedRequest.withCause(fmt.Errorf("AuthnRequest ID %q, Version %q", req.ID, req.Version))
	}
	s := app.SAML
	var issuer string
	if req.Issuer != nil {
		issuer = strings.TrimSpace(req.Issuer.Value)
	}
	if issuer != s.Audience {
		return nil, errUnknownIssuer.withCause(fmt.Errorf("issuer %q, audience %q", issuer, s.Audience))
	}
	acs := s.SSOURL
	if req.AssertionConsumerServiceURL != "" && req.AssertionConsumerServiceURL != s.SSOURL {
		if !slices.Contains(s.RequestableSSOURLs, req.AssertionConsumerServiceURL) {
			return nil, errACSNotAllowed.withCause(fmt.Errorf("ACS %q", req.AssertionConsumerServiceURL))
		}
		acs = req.AssertionConsumerServiceURL
	}
	if relayState == "" {
		relayState = s.DefaultRelayState
	}
	return &authnRequest{ID: req.ID, Issuer: issuer, ACS: acs, RelayState: relayState,
		ForceAuthn: req.ForceAuthn != nil && *req.ForceAuthn, raw: raw}, nil
}
