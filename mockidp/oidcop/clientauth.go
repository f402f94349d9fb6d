package oidcop

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

// Client authentication methods (token_endpoint_auth_method values).
const (
	authSecretBasic = "client_secret_basic"
	authSecretPost  = "client_secret_post"
	authSecretJWT   = "client_secret_jwt"
	authPrivateJWT  = "private_key_jwt"
	authNone        = "none"
)

// assertionType is the only client_assertion_type (RFC 7523 2.2).
const assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// maxAssertionLifetime is how far ahead a client assertion's exp may be.
const maxAssertionLifetime = time.Hour

// minHMACSecret is Okta's minimum secret length for client_secret_jwt.
const minHMACSecret = 32

var (
	asymmetricAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.ES256, jose.ES384, jose.ES512}
	hmacAlgs       = []jose.SignatureAlgorithm{jose.HS256, jose.HS384, jose.HS512}
)

// authenticateClient authenticates the client of a token, introspect or
// revoke request with the method it used: client_secret_basic (id and secret
// form-urlencoded inside the Basic credentials, RFC 6749 2.3.1),
// client_secret_post, private_key_jwt / client_secret_jwt (a client
// assertion whose aud is endpointURL), or none (client_id only, for public
// clients). The method must be one the app allows: the two secret methods
// stand for each other, as on Okta.
func (p *Provider) authenticateClient(r *http.Request, form url.Values, endpointURL string) (directory.App, error) {
	id, secret := form.Get("client_id"), form.Get("client_secret")
	assertion, header := form.Get("client_assertion"), r.Header.Get("Authorization")
	n := 0
	for _, present := range []bool{header != "", secret != "", assertion != ""} {
		if present {
			n++
		}
	}
	if n > 1 {
		return directory.App{}, errMultipleCredentials
	}
	var (
		app    directory.App
		method string
		err    error
	)
	switch {
	case assertion != "":
		app, method, err = p.verifyAssertion(id, form.Get("client_assertion_type"), assertion, endpointURL)
	case header != "":
		app, err = p.checkSecret(header, id)
		method = authSecretBasic
	case secret != "":
		app, err = p.appWithSecret(id, secret)
		method = authSecretPost
	case id != "":
		var ok bool
		if app, ok = p.cfg.Directory.AppByClientID(id); !ok {
			err = errUnknownClient
		}
		method = authNone
	default:
		err = errMissingCredentials
	}
	if err != nil {
		return directory.App{}, err
	}
	if !methodAllowed(app.TokenEndpointAuthMethod, method) {
		return directory.App{}, errClientAuthFailed.withCause(errors.New("client used " + method))
	}
	return app, nil
}

func methodAllowed(configured, used string) bool {
	switch configured {
	case "", authSecretBasic, authSecretPost:
		return used == authSecretBasic || used == authSecretPost
	}
	return configured == used
}

// checkSecret handles client_secret_basic.
func (p *Provider) checkSecret(header, formID string) (directory.App, error) {
	id, secret, ok := parseBasic(header)
	if !ok {
		return directory.App{}, errInvalidBasicAuth
	}
	if formID != "" && formID != id {
		return directory.App{}, errClientAuthFailed
	}
	return p.appWithSecret(id, secret)
}

func (p *Provider) appWithSecret(id, secret string) (directory.App, error) {
	app, ok := p.cfg.Directory.AppByClientID(id)
	switch {
	case !ok:
		return directory.App{}, errUnknownClient
	case app.ClientSecret == "":
		return directory.App{}, errClientAuthFailed // a public client sent a secret
	case subtle.ConstantTimeCompare([]byte(secret), []byte(app.ClientSecret)) != 1:
		return directory.App{}, errInvalidSecret
	}
	return app, nil
}

// parseBasic decodes "Basic base64(urlenc(id):urlenc(secret))".
func parseBasic(h string) (id, secret string, ok bool) {
	scheme, cred, found := strings.Cut(h, " ")
	if !found || !strings.EqualFold(scheme, "Basic") {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
	if err != nil {
		return "", "", false
	}
	rawID, rawSecret, found := strings.Cut(string(raw), ":")
	if !found {
		return "", "", false
	}
	if id, err = url.QueryUnescape(rawID); err != nil {
		return "", "", false
	}
	if secret, err = url.QueryUnescape(rawSecret); err != nil {
		return "", "", false
	}
	return id, secret, true
}

// verifyAssertion checks a client assertion with Okta's rules (mock-idp.md
// 1.6): iss = sub = client_id, aud = the endpoint invoked, exp required and
// at most one hour ahead, iat not in the future, jti single-use, signature by
// a key of the client's JWKS (private_key_jwt) or by its secret
// (client_secret_jwt).
func (p *Provider) verifyAssertion(formID, typ, raw, endpointURL string) (directory.App, string, error) {
	if typ != assertionType {
		return directory.App{}, "", errAssertionType
	}
	tok, err := jwt.ParseSigned(raw, append(slices.Clone(asymmetricAlgs), hmacAlgs...))
	if err != nil {
		return directory.App{}, "", errAssertionJWT.withCause(err)
	}
	var unverified jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return directory.App{}, "", errAssertionJWT.withCause(err)
	}
	app, ok := p.cfg.Directory.AppByClientID(unverified.Issuer)
	switch {
	case !ok || (formID != "" && formID != unverified.Issuer):
		return directory.App{}, "", errAssertionIssuer
	case unverified.Subject != unverified.Issuer:
		return directory.App{}, "", errAssertionSubject
	}
	hdr := tok.Headers[0]
	method, keys, err := assertionKeys(app, jose.SignatureAlgorithm(hdr.Algorithm), hdr.KeyID)
	if err != nil {
		return directory.App{}, "", err
	}
	var c jwt.Claims
	verified := false
	for _, k := range keys {
		if tok.Claims(k, &c) == nil {
			verified = true
			break
		}
	}
	if !verified {
		return directory.App{}, "", errAssertionSignature
	}
	if err := p.checkAssertionClaims(c, endpointURL); err != nil {
		return directory.App{}, "", err
	}
	return app, method, nil
}

// assertionKeys returns the keys that may have signed an assertion.
func assertionKeys(app directory.App, alg jose.SignatureAlgorithm, kid string) (string, []any, error) {
	if slices.Contains(hmacAlgs, alg) {
		if len(app.ClientSecret) < minHMACSecret {
			return "", nil, errAssertionShortKey
		}
		return authSecretJWT, []any{[]byte(app.ClientSecret)}, nil
	}
	if !slices.Contains(asymmetricAlgs, alg) {
		return "", nil, errAssertionAlg
	}
	if len(app.JWKS) == 0 {
		return "", nil, errAssertionNoJWKS
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(app.JWKS, &set); err != nil {
		return "", nil, errAssertionBadJWKS.withCause(err)
	}
	var keys []any
	for _, k := range set.Keys {
		if (kid == "" || k.KeyID == kid) && (k.Use == "" || k.Use == "sig") {
			keys = append(keys, k.Public().Key)
		}
	}
	if len(keys) == 0 {
		return "", nil, errAssertionKid
	}
	return authPrivateJWT, keys, nil
}

func (p *Provider) checkAssertionClaims(c jwt.Claims, endpointURL string) error {
	now := p.cfg.Now()
	switch {
	case !c.Audience.Contains(endpointURL):
		return errAssertionAudience
	case c.Expiry == nil:
		return errAssertionNoExp
	case !now.Before(c.Expiry.Time()):
		return errAssertionExpired
	case c.Expiry.Time().After(now.Add(maxAssertionLifetime)):
		return errAssertionTooLong
	case c.IssuedAt != nil && c.IssuedAt.Time().After(now):
		return errAssertionIatFuture
	}
	if c.ID == "" {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for jti, exp := range p.usedJTIs {
		if !now.Before(exp) {
			delete(p.usedJTIs, jti)
		}
	}
	if _, used := p.usedJTIs[c.Issuer+" "+c.ID]; used {
		return errAssertionReplayed
	}
	p.usedJTIs[c.Issuer+" "+c.ID] = c.Expiry.Time()
	return nil
}
