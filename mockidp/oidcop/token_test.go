package oidcop_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"
)

const (
	msgAuthFailed = "Client authentication failed. Either the client or the client credentials are invalid."
	msgMultiple   = "Cannot supply multiple client credentials. Use one of the following: credentials in the Authorization header, credentials in the post body, or a client_assertion in the post body."
)

func TestTokenRequestChecks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	basic := basicAuth(e.app.ClientID, e.app.ClientSecret)
	tokenURL := e.issuer + "/oauth2/v1/token"
	tests := []struct {
		name        string
		url         string
		body        string
		auth        string
		status      int
		code, descr string
	}{
		{"header and form credentials", tokenURL, "grant_type=authorization_code&code=x&client_secret=s", basic,
			401, "invalid_request", msgMultiple},
		{"duplicate parameter", tokenURL, "grant_type=authorization_code&code=x&code=y", basic,
			400, "invalid_request", "The request contained multiple parameters with the same name."},
		{"malformed Basic", tokenURL, "grant_type=authorization_code&code=x", "Basic !!!notbase64",
			401, "invalid_client", "Found Authentication header but was not valid client credentials."},
		{"Basic without colon", tokenURL, "grant_type=authorization_code&code=x", "Basic " + "YWJj",
			401, "invalid_client", "Found Authentication header but was not valid client credentials."},
		{"secret in the query", tokenURL + "?client_secret=s", "grant_type=authorization_code&code=x", basic,
			400, "invalid_request", "Client credentials cannot be supplied via query parameters."},
		{"wrong secret", tokenURL, "grant_type=authorization_code&code=x", basicAuth(e.app.ClientID, "wrong"),
			401, "invalid_client", "The client secret supplied for a confidential client is invalid."},
		{"wrong secret in the form", tokenURL, "grant_type=authorization_code&code=x&client_id=" + e.app.ClientID +
			"&client_secret=wrong", "", 401, "invalid_client", "The client secret supplied for a confidential client is invalid."},
		{"confidential client without secret", tokenURL, "grant_type=authorization_code&code=x&client_id=" + e.app.ClientID, "",
			401, "invalid_client", msgAuthFailed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := must(http.NewRequestWithContext(t.Context(), "POST", tc.url, strings.NewReader(tc.body)))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			p := e.do(http.DefaultClient, req)
			var body map[string]any
			if err := json.Unmarshal([]byte(p.body), &body); err != nil {
				t.Fatal(err)
			}
			wantOAuthError(t, p.status, body, tc.status, tc.code, tc.descr)
		})
	}
}

// TestUnknownClient pins Okta's answer to a client_id that names no client at /token, /introspect and
// /revoke: 401 with the management-API error body (errorCode invalid_client, errorSummary from Okta's
// catalogue entry invalid_client_id), not RFC 6749's {error, error_description}.
func TestUnknownClient(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, ep := range []string{"token", "introspect", "revoke"} {
		for name, c := range map[string]struct{ form, auth string }{
			"basic": {"grant_type=authorization_code&code=x&token=t", basicAuth("0oaNoSuchClient000000", "s")},
			"post":  {"grant_type=authorization_code&code=x&token=t&client_id=0oaNoSuchClient000000&client_secret=s", ""},
			"none":  {"grant_type=authorization_code&code=x&token=t&client_id=0oaNoSuchClient000000", ""},
		} {
			req := must(http.NewRequestWithContext(t.Context(), "POST", e.issuer+"/oauth2/v1/"+ep, strings.NewReader(c.form)))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if c.auth != "" {
				req.Header.Set("Authorization", c.auth)
			}
			p := e.do(http.DefaultClient, req)
			var body map[string]any
			if err := json.Unmarshal([]byte(p.body), &body); err != nil {
				t.Fatalf("%s %s: %v: %s", ep, name, err, p.body)
			}
			id, _ := body["errorId"].(string)
			if p.status != 401 || body["errorCode"] != "invalid_client" || body["errorLink"] != "invalid_client" ||
				body["errorSummary"] != "Invalid value for 'client_id' parameter." || !strings.HasPrefix(id, "oae") ||
				body["error"] != nil {
				t.Errorf("%s %s: %d %s, want 401 with Okta's errorCode body", ep, name, p.status, p.body)
			}
		}
	}
}

func TestClientSecretPost(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	q := e.login(browser(), "/oauth2", e.app, nil)
	status, body := e.token("/oauth2", url.Values{"code": {q.Get("code")}, "client_id": {e.app.ClientID},
		"client_secret": {e.app.ClientSecret}}, "")
	if status != http.StatusOK || body["id_token"] == nil {
		t.Errorf("client_secret_post: %d %v", status, body)
	}
}

func TestPublicClientNone(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	app := e.newApp("spa")
	if err := e.dir.SetClientAuthentication(app.ID, "none", nil); err != nil {
		t.Fatal(err)
	}
	verifier := oauth2.GenerateVerifier()
	q := e.login(browser(), "/oauth2", app, map[string]string{"code_challenge": oauth2.S256ChallengeFromVerifier(verifier),
		"code_challenge_method": "S256"})
	status, body := e.token("/oauth2", url.Values{"code": {q.Get("code")}, "client_id": {app.ClientID},
		"code_verifier": {verifier}}, "")
	if status != http.StatusOK || body["access_token"] == nil {
		t.Errorf("none + PKCE: %d %v", status, body)
	}
	status, body = e.token("/oauth2", url.Values{"code": {"x"}}, basicAuth(app.ClientID, app.ClientSecret))
	wantOAuthError(t, status, body, 401, "invalid_client", msgAuthFailed)
}

// clientKey is a private_key_jwt client's key pair.
type clientKey struct {
	priv *rsa.PrivateKey
	kid  string
}

func newClientKey(t *testing.T) clientKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return clientKey{k, "client-key-1"}
}

func (k clientKey) jwks(t *testing.T) []byte {
	t.Helper()
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.priv.PublicKey, KeyID: k.kid, Algorithm: "RS256", Use: "sig"}}}
	return must(json.Marshal(set))
}

func (k clientKey) assertion(t *testing.T, c jwt.Claims) string {
	t.Helper()
	sig := must(jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: k.priv, KeyID: k.kid}}, nil))
	return must(jwt.Signed(sig).Claims(c).Serialize())
}

func TestPrivateKeyJWT(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	app := e.newApp("service")
	key, other := newClientKey(t), newClientKey(t)
	if err := e.dir.SetClientAuthentication(app.ID, "private_key_jwt", key.jwks(t)); err != nil {
		t.Fatal(err)
	}
	tokenURL := e.issuer + "/oauth2/v1/token"
	valid := func() jwt.Claims {
		now := time.Now()
		return jwt.Claims{Issuer: app.ClientID, Subject: app.ClientID, Audience: jwt.Audience{tokenURL},
			Expiry: jwt.NewNumericDate(now.Add(5 * time.Minute)), IssuedAt: jwt.NewNumericDate(now),
			ID: must(newJTI())}
	}
	form := func(assertion string) url.Values {
		return url.Values{"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion": {assertion}}
	}
	t.Run("valid", func(t *testing.T) {
		t.Parallel()
		q := e.login(browser(), "/oauth2", app, nil)
		f := form(key.assertion(t, valid()))
		f.Set("code", q.Get("code"))
		if status, body := e.token("/oauth2", f, ""); status != http.StatusOK {
			t.Errorf("status %d %v", status, body)
		}
		f.Set("code", "x") // the same assertion again
		status, body := e.token("/oauth2", f, "")
		wantOAuthError(t, status, body, 401, "invalid_client", "The client_assertion token has already been used.")
	})
	tests := []struct {
		name   string
		mutate func(c *jwt.Claims)
		signer clientKey
		desc   string
	}{
		{"aud is the issuer", func(c *jwt.Claims) { c.Audience = jwt.Audience{e.issuer} }, key,
			"The audience claim for client_assertion must be the endpoint invoked for the request."},
		{"exp beyond one hour", func(c *jwt.Claims) { c.Expiry = jwt.NewNumericDate(time.Now().Add(2 * time.Hour)) }, key,
			"The client_assertion token has an expiration too far into the future."},
		{"expired", func(c *jwt.Claims) { c.Expiry = jwt.NewNumericDate(time.Now().Add(-time.Minute)) }, key,
			"The client_assertion token is expired."},
		{"no exp", func(c *jwt.Claims) { c.Expiry = nil }, key,
			"The client_assertion must contain the 'exp' claim as seconds since epoch."},
		{"iat in the future", func(c *jwt.Claims) { c.IssuedAt = jwt.NewNumericDate(time.Now().Add(10 * time.Minute)) }, key,
			"The client_assertion token must be issued before the current time."},
		{"sub differs", func(c *jwt.Claims) { c.Subject = "0oaSomebodyElse00000" }, key,
			"The subject claim for client_assertion is not a valid client_id."},
		{"unknown issuer", func(c *jwt.Claims) { c.Issuer, c.Subject = "0oaSomebodyElse00000", "0oaSomebodyElse00000" }, key,
			"The issuer claim for client_assertion is not a valid client_id."},
		{"signed by another key", func(*jwt.Claims) {}, other, "The client_assertion signature is invalid."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := valid()
			tc.mutate(&c)
			f := form(tc.signer.assertion(t, c))
			f.Set("code", "x")
			status, body := e.token("/oauth2", f, "")
			wantOAuthError(t, status, body, 401, "invalid_client", tc.desc)
		})
	}
	t.Run("secret refused", func(t *testing.T) {
		t.Parallel()
		status, body := e.token("/oauth2", url.Values{"code": {"x"}}, basicAuth(app.ClientID, app.ClientSecret))
		wantOAuthError(t, status, body, 401, "invalid_client", msgAuthFailed)
	})
	t.Run("assertion plus Basic", func(t *testing.T) {
		t.Parallel()
		f := form(key.assertion(t, valid()))
		f.Set("code", "x")
		status, body := e.token("/oauth2", f, basicAuth(app.ClientID, app.ClientSecret))
		wantOAuthError(t, status, body, 401, "invalid_request", msgMultiple)
	})
}

func newJTI() (string, error) { return rand.Text(), nil }
