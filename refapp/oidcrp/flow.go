package oidcrp

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/ssoconform/ssoconform/refapp/defence"
	"github.com/ssoconform/ssoconform/refapp/store"
)

// bindingCookie ties a login in flight to the browser that started it.
const bindingCookie = "refapp_sso_attempt"

// CallbackPath is the path of the redirect URI under the base URL.
const CallbackPath = "/sso/oidc/callback"

// ConnectionLookup returns the Okta connection of an organization.
type ConnectionLookup func(ctx context.Context, orgID string) (Connection, error)

func (rp *RP) oauthConfig(p *oidc.Provider, c Connection) *oauth2.Config {
	return &oauth2.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: rp.cfg.RedirectURL, Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
}

func (rp *RP) clientCtx(ctx context.Context) context.Context {
	ctx = oidc.ClientContext(ctx, rp.cfg.HTTPClient)
	return context.WithValue(ctx, oauth2.HTTPClient, rp.cfg.HTTPClient)
}

// Start records a new login for the organization, sets the browser-binding
// cookie and returns the IdP authorization URL to redirect the browser to.
// linkMemberID, when not empty, is carried to Identity.LinkMemberID: this
// sign-in links the identity to that member (account linking).
func (rp *RP) Start(ctx context.Context, w http.ResponseWriter, orgID, linkMemberID string, c Connection) (string, error) {
	p, err := DiscoverURL(rp.clientCtx(ctx), rp.cfg.HTTPClient, c.metadataURL(), c.Issuer)
	if err != nil {
		return "", refuse(http.StatusBadGateway, err, "Could not reach Okta's OpenID configuration for this organization")
	}
	var vals [4]string // state, nonce, verifier, browser binding
	for i := range vals {
		if vals[i], err = randomString(rp.cfg.Rand); err != nil {
			return "", fmt.Errorf("start sso login: %w", err)
		}
	}
	state, nonce, verifier, binding := vals[0], vals[1], vals[2], vals[3]
	now := rp.cfg.Now()
	a := store.LoginAttempt{StateHash: sum(state), OrgID: orgID, Nonce: nonce, PKCEVerifier: verifier,
		BrowserHash: sum(binding), Protocol: "oidc", LinkMemberID: linkMemberID, CreatedAt: now,
		ExpiresAt: now.Add(rp.cfg.AttemptTTL)}
	if err := rp.cfg.Store.CreateLoginAttempt(ctx, a); err != nil {
		return "", fmt.Errorf("start sso login: %w", err)
	}
	http.SetCookie(w, &http.Cookie{Name: bindingCookie, Value: binding, Path: CallbackPath, HttpOnly: true,
		Secure: rp.cfg.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: int(rp.cfg.AttemptTTL.Seconds())})
	return rp.oauthConfig(p, c).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), nil
}

// Finish handles the callback request: it checks the state, exchanges the
// code, verifies the ID token and returns who signed in. Any refusal is an *Error.
func (rp *RP) Finish(ctx context.Context, w http.ResponseWriter, r *http.Request, lookup ConnectionLookup) (Identity, error) {
	http.SetCookie(w, &http.Cookie{Name: bindingCookie, Value: "", Path: CallbackPath, HttpOnly: true,
		Secure: rp.cfg.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	q := r.URL.Query()
	a, stateErr := rp.consume(ctx, q.Get("state"))
	tried := Identity{OrgID: a.OrgID} // on refusal: which org it was for, when known
	if e := q.Get("error"); e != "" {
		return tried, idpError(e, q.Get("error_description"))
	}
	if stateErr != nil {
		return tried, stateErr
	}
	if c, err := r.Cookie(bindingCookie); !defence.Off(defence.State) &&
		(err != nil || subtle.ConstantTimeCompare(sum(c.Value), a.BrowserHash) != 1) {
		return tried, refuse(http.StatusBadRequest, err,
			"This sign-in was started in another browser or its cookie was lost; start again from the sign-in page")
	}
	code := q.Get("code")
	if code == "" {
		return tried, refuse(http.StatusBadRequest, nil, "Okta's response has no authorization code")
	}
	c, err := lookup(ctx, a.OrgID)
	if err != nil {
		return tried, refuse(http.StatusBadRequest, err, "SSO is no longer configured for this organization")
	}
	if iss := q.Get("iss"); q.Has("iss") && iss != c.Issuer { // RFC 9207 2.4
		return tried, refuse(http.StatusBadRequest, nil, "The authorization response names issuer %q, not this organization's Okta (mix-up refused)", iss)
	}
	id, err := rp.redeem(ctx, a, c, code)
	if err != nil {
		return tried, err
	}
	return id, nil
}

func (rp *RP) consume(ctx context.Context, state string) (store.LoginAttempt, error) {
	if state == "" {
		return store.LoginAttempt{}, refuse(http.StatusBadRequest, nil, "Okta's response has no state parameter")
	}
	a, err := rp.cfg.Store.ConsumeLoginAttempt(ctx, sum(state), rp.cfg.Now())
	switch {
	case errors.Is(err, store.ErrAlreadyUsed):
		return a, refuse(http.StatusBadRequest, err, "This sign-in response was already used; start again from the sign-in page")
	case errors.Is(err, store.ErrNotFound):
		return a, refuse(http.StatusBadRequest, err, "The state parameter is unknown: this sign-in was not started here")
	case err != nil:
		return a, fmt.Errorf("finish sso login: %w", err)
	case !rp.cfg.Now().Before(a.ExpiresAt):
		return a, refuse(http.StatusBadRequest, nil, "This sign-in took too long and expired; start again from the sign-in page")
	}
	return a, nil
}

func idpError(code, desc string) *Error {
	status := http.StatusBadRequest
	if code == "access_denied" {
		status = http.StatusForbidden
	}
	cause := fmt.Errorf("idp error=%s", code)
	if desc != "" {
		return refuse(status, cause, "Okta returned an error (%s): %s", code, desc)
	}
	return refuse(status, cause, "Okta returned an error (%s)", code)
}

func randomString(r io.Reader) (string, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("read random bytes: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func sum(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}
