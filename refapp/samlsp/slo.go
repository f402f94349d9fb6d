package samlsp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// Single logout, SP-initiated, as Okta runs it for an app with "Enable Single Logout" checked:
//
//  1. Signing out of refapp after a SAML sign-in ends refapp's session first (the browser is signed out
//     here whatever Okta does next), then Logout sends the browser to the IdP's HTTP-Redirect
//     SingleLogoutService with a LogoutRequest naming the user's NameID, signed over the query string
//     (RSA-SHA256) with the deployment's SP key. Okta refuses an unsigned one and verifies it with the
//     certificate uploaded to the app ("Signature Certificate"), which `refapp sso show` prints.
//  2. Okta ends its session (every app's, OIDC ones included) and posts a signed LogoutResponse to
//     SLOPath. LogoutResponse checks it: the RelayState names a logout this app started and has not
//     seen answered, InResponseTo is that request's ID, the signature verifies with the IdP's metadata
//     certificate, Destination is our SLO URL, Issuer is the IdP and the status is Success.
//
// An IdP metadata document without an HTTP-Redirect SingleLogoutService (single logout not enabled in
// Okta) means a local sign-out only, as before. The logout in flight is a store.LoginAttempt of
// protocol "saml-logout", single-use and expiring like a sign-in.

// SLOPath is the SP's Single Logout URL path (Okta's "Single Logout URL").
const SLOPath = "/sso/saml/slo"

const protocolLogout = "saml-logout"

// SLOURLFor is the Single Logout URL of an app served at baseURL (for `refapp sso show`).
func SLOURLFor(baseURL string) string { return strings.TrimRight(baseURL, "/") + SLOPath }

// Logout sends a signed LogoutRequest for nameID to the IdP of connection c, for a session of the
// organization that has already been ended here. It returns the URL to redirect the browser to, or ""
// when the IdP has no HTTP-Redirect SingleLogoutService (sign-out is then local only).
func (sp *SP) Logout(ctx context.Context, orgID, nameID string, c Connection) (string, error) {
	md, err := ParseIdPMetadata([]byte(c.IdPMetadata))
	if err != nil || md.SLOURL == "" || nameID == "" {
		return "", err
	}
	now := sp.cfg.Now()
	p, err := sp.signingProvider(ctx, md.entity, now)
	if err != nil {
		return "", fmt.Errorf("saml logout: %w", err)
	}
	req, err := p.MakeLogoutRequest(md.SLOURL, nameID)
	if err != nil {
		return "", fmt.Errorf("saml logout: %w", err)
	}
	relay, err := randomString(sp.cfg.Rand)
	if err != nil {
		return "", fmt.Errorf("saml logout: %w", err)
	}
	a := store.LoginAttempt{StateHash: sum(relay), OrgID: orgID, BrowserHash: sum(relay), Protocol: protocolLogout,
		RequestID: req.ID, CreatedAt: now, ExpiresAt: now.Add(sp.cfg.AttemptTTL)}
	if err := sp.cfg.Store.CreateLoginAttempt(ctx, a); err != nil {
		return "", fmt.Errorf("saml logout: %w", err)
	}
	to, err := p.RedirectLogoutRequestURL(req, relay)
	if err != nil {
		return "", fmt.Errorf("saml logout: %w", err)
	}
	return to.String(), nil
}

// LogoutResponse checks the IdP's answer to a LogoutRequest this app sent (HTTP-POST or HTTP-Redirect).
// Any refusal is an *Error; the local session was ended before the request went out, so a refusal
// only means Okta's side is unconfirmed.
func (sp *SP) LogoutResponse(ctx context.Context, w http.ResponseWriter, r *http.Request, lookup ConnectionLookup) error {
	r.Body = http.MaxBytesReader(w, r.Body, sp.cfg.MaxResponseBytes)
	if err := r.ParseForm(); err != nil {
		return refuse(http.StatusBadRequest, err, "The sign-out answer from Okta could not be read")
	}
	a, err := sp.consumeLogout(ctx, r.Form.Get("RelayState"))
	if err != nil {
		return err
	}
	c, err := lookup(ctx, a.OrgID)
	if err != nil {
		return refuse(http.StatusBadRequest, err, "SSO is no longer configured for this organization")
	}
	md, err := ParseIdPMetadata([]byte(c.IdPMetadata))
	if err != nil {
		return refuse(http.StatusBadGateway, err, "The saved Okta SAML metadata of this organization cannot be used")
	}
	p, err := sp.signingProvider(ctx, md.entity, sp.cfg.Now())
	if err != nil {
		return fmt.Errorf("saml logout response: %w", err)
	}
	if _, err := p.ParseLogoutResponse(r, []string{a.RequestID}); err != nil {
		return refuse(http.StatusBadRequest, err,
			"Okta's answer to the sign-out could not be verified, so Okta may still have you signed in")
	}
	return nil
}

// consumeLogout finds the logout in flight that relay names and uses it up.
func (sp *SP) consumeLogout(ctx context.Context, relay string) (store.LoginAttempt, error) {
	const notOurs = "This sign-out answer does not belong to a sign-out started here"
	if relay == "" {
		return store.LoginAttempt{}, refuse(http.StatusBadRequest, nil, notOurs+" (no RelayState)")
	}
	now := sp.cfg.Now()
	a, err := sp.cfg.Store.ConsumeLoginAttempt(ctx, sum(relay), now)
	switch {
	case errors.Is(err, store.ErrAlreadyUsed):
		return a, refuse(http.StatusBadRequest, err, "This sign-out answer was already used")
	case errors.Is(err, store.ErrNotFound) || err == nil && a.Protocol != protocolLogout:
		return a, refuse(http.StatusBadRequest, err, notOurs)
	case err != nil:
		return a, fmt.Errorf("saml logout response: %w", err)
	case !now.Before(a.ExpiresAt):
		return a, refuse(http.StatusBadRequest, nil, "This sign-out answer came too late")
	}
	return a, nil
}

// signingProvider is crewjam's ServiceProvider with the deployment's key: it signs logout messages
// (not AuthnRequests, which Okta does not ask to be signed) and publishes the SLO endpoint.
func (sp *SP) signingProvider(ctx context.Context, idp *saml.EntityDescriptor, now time.Time) (*saml.ServiceProvider, error) {
	k, err := sp.signingKey(ctx)
	if err != nil {
		return nil, err
	}
	p := sp.provider(idp, now)
	slo, _ := url.Parse(sp.cfg.BaseURL + SLOPath) // BaseURL was validated
	p.SloURL, p.Key, p.Certificate = *slo, k.key, k.cert
	p.LogoutSignatureMethod = dsig.RSASHA256SignatureMethod
	p.LogoutBindings = []string{saml.HTTPPostBinding, saml.HTTPRedirectBinding}
	return p, nil
}
