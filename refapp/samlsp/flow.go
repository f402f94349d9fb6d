package samlsp

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/ssoconform/ssoconform/refapp/defence"
	"github.com/ssoconform/ssoconform/refapp/store"
)

// bindingCookie ties a sign-in in flight to the browser that started it; it is sent only to /sso/saml/.
const bindingCookie = "refapp_saml_attempt"

// handoffTTL is how long a verified response waits for the browser to come back to FinishPath.
const handoffTTL = 2 * time.Minute

// The LoginAttempt protocols this package writes.
const (
	protocolSAML    = "saml"
	protocolHandoff = "saml-handoff"
)

// provider is crewjam's ServiceProvider for one IdP at one instant.
func (sp *SP) provider(idp *saml.EntityDescriptor, now time.Time) *saml.ServiceProvider {
	acs, _ := url.Parse(sp.ACSURL())    // BaseURL was validated
	meta, _ := url.Parse(sp.EntityID()) // idem
	p := &saml.ServiceProvider{EntityID: sp.EntityID(), MetadataURL: *meta, AcsURL: *acs, IDPMetadata: idp,
		AuthnNameIDFormat: saml.UnspecifiedNameIDFormat, Clock: dsig.NewFakeClockAt(now),
		RejectSHA1Signatures: true, AssertionConsumerServiceBindings: []string{saml.HTTPPostBinding}}
	if defence.Off(defence.SAMLAudience) { // a self-test build only: crewjam's audience check goes too
		p.ValidateAudienceRestriction = func(*saml.Assertion) error { return nil }
	}
	return p
}

// Metadata is the SP metadata document (served at MetadataPath): the ACS, the Single Logout URL and
// the signing certificate (not for encryption: Okta is never asked to encrypt to this SP).
func (sp *SP) Metadata(ctx context.Context) ([]byte, error) {
	p, err := sp.signingProvider(ctx, nil, sp.cfg.Now())
	if err != nil {
		return nil, fmt.Errorf("sp metadata: %w", err)
	}
	ed := p.Metadata()
	for i, d := range ed.SPSSODescriptors {
		ed.SPSSODescriptors[i].KeyDescriptors = slices.DeleteFunc(d.KeyDescriptors,
			func(k saml.KeyDescriptor) bool { return k.Use == "encryption" })
	}
	b, err := xmlMarshal(ed)
	if err != nil {
		return nil, fmt.Errorf("sp metadata: %w", err)
	}
	return b, nil
}

// Start records a new sign-in for the organization, sets the browser-binding cookie and returns the
// IdP URL carrying the AuthnRequest (HTTP-Redirect binding) to send the browser to. linkMemberID, when
// not empty, is carried to Identity.LinkMemberID (account linking).
func (sp *SP) Start(ctx context.Context, w http.ResponseWriter, orgID, linkMemberID string, c Connection) (string, error) {
	md, err := ParseIdPMetadata([]byte(c.IdPMetadata))
	if err != nil {
		return "", refuse(http.StatusBadGateway, err, "The saved Okta SAML metadata of this organization cannot be used; ask your administrator to save the SSO settings again")
	}
	now := sp.cfg.Now()
	req, err := sp.provider(md.entity, now).MakeAuthenticationRequest(md.SSOURL, saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		return "", fmt.Errorf("start saml sign-in: %w", err)
	}
	relay, err := randomString(sp.cfg.Rand)
	if err != nil {
		return "", fmt.Errorf("start saml sign-in: %w", err)
	}
	binding, err := randomString(sp.cfg.Rand)
	if err != nil {
		return "", fmt.Errorf("start saml sign-in: %w", err)
	}
	a := store.LoginAttempt{StateHash: sum(relay), OrgID: orgID, BrowserHash: sum(binding), Protocol: protocolSAML,
		RequestID: req.ID, LinkMemberID: linkMemberID, CreatedAt: now, ExpiresAt: now.Add(sp.cfg.AttemptTTL)}
	if err := sp.cfg.Store.CreateLoginAttempt(ctx, a); err != nil {
		return "", fmt.Errorf("start saml sign-in: %w", err)
	}
	to, err := req.Redirect(relay, sp.provider(md.entity, now))
	if err != nil {
		return "", fmt.Errorf("start saml sign-in: %w", err)
	}
	http.SetCookie(w, &http.Cookie{Name: bindingCookie, Value: binding, Path: "/sso/saml/", HttpOnly: true,
		Secure: sp.cfg.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: int(sp.cfg.AttemptTTL.Seconds())})
	return to.String(), nil
}

// ACS handles the HTTP-POST of a SAML Response: it finds the sign-in by RelayState, verifies the
// response and stores the identity for FinishPath. It returns the URL to redirect (303) the browser to.
// Any refusal is an *Error.
func (sp *SP) ACS(ctx context.Context, w http.ResponseWriter, r *http.Request, lookup ConnectionLookup) (string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, sp.cfg.MaxResponseBytes)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return "", refuse(http.StatusRequestEntityTooLarge, err, "The SAML response from Okta is larger than %d bytes and was refused", sp.cfg.MaxResponseBytes)
		}
		return "", refuse(http.StatusBadRequest, err, "The SAML response could not be read")
	}
	raw, relay := r.PostForm.Get("SAMLResponse"), r.PostForm.Get("RelayState")
	if raw == "" {
		return "", refuse(http.StatusBadRequest, nil, "The request carries no SAMLResponse")
	}
	a, err := sp.consume(ctx, relay, protocolSAML)
	if err != nil {
		return "", err
	}
	c, err := lookup(ctx, a.OrgID)
	if err != nil {
		return "", refuse(http.StatusBadRequest, err, "SSO is no longer configured for this organization")
	}
	id, err := sp.verify(ctx, raw, a, c)
	if err != nil {
		return "", err
	}
	return sp.handoff(ctx, a, id)
}

// handoff stores the verified identity for the browser's return to FinishPath.
func (sp *SP) handoff(ctx context.Context, a store.LoginAttempt, id Identity) (string, error) {
	token, err := randomString(sp.cfg.Rand)
	if err != nil {
		return "", fmt.Errorf("saml handoff: %w", err)
	}
	res, err := json.Marshal(id)
	if err != nil {
		return "", fmt.Errorf("saml handoff: %w", err)
	}
	now := sp.cfg.Now()
	h := store.LoginAttempt{StateHash: sum(token), OrgID: a.OrgID, BrowserHash: a.BrowserHash, Protocol: protocolHandoff,
		LinkMemberID: a.LinkMemberID, Result: string(res), CreatedAt: now, ExpiresAt: now.Add(handoffTTL)}
	if err := sp.cfg.Store.CreateLoginAttempt(ctx, h); err != nil {
		return "", fmt.Errorf("saml handoff: %w", err)
	}
	return FinishPath + "?h=" + url.QueryEscape(token), nil
}

// Finish handles the browser's return from the ACS: the handoff must be unused and fresh, and the
// browser must hold the cookie set by Start. It returns who signed in. Any refusal is an *Error.
func (sp *SP) Finish(ctx context.Context, w http.ResponseWriter, r *http.Request) (Identity, error) {
	http.SetCookie(w, &http.Cookie{Name: bindingCookie, Value: "", Path: "/sso/saml/", HttpOnly: true,
		Secure: sp.cfg.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	a, err := sp.consume(ctx, r.URL.Query().Get("h"), protocolHandoff)
	if err != nil {
		return Identity{}, err
	}
	if c, err := r.Cookie(bindingCookie); err != nil || subtle.ConstantTimeCompare(sum(c.Value), a.BrowserHash) != 1 {
		return Identity{}, refuse(http.StatusBadRequest, err,
			"This sign-in was started in another browser or its cookie was lost; start again from the sign-in page")
	}
	var id Identity
	if err := json.Unmarshal([]byte(a.Result), &id); err != nil {
		return Identity{}, fmt.Errorf("finish saml sign-in: %w", err)
	}
	return id, nil
}

// consume takes the attempt named by token, single use, unexpired and of the given protocol.
func (sp *SP) consume(ctx context.Context, token, protocol string) (store.LoginAttempt, error) {
	if token == "" {
		return store.LoginAttempt{}, refuse(http.StatusBadRequest, nil,
			"This SAML response was not requested by this app (no RelayState): unsolicited sign-ins are refused; start from the sign-in page")
	}
	now := sp.cfg.Now()
	a, err := sp.cfg.Store.ConsumeLoginAttempt(ctx, sum(token), now)
	switch {
	case errors.Is(err, store.ErrAlreadyUsed):
		return a, refuse(http.StatusBadRequest, err, "This sign-in response was already used; start again from the sign-in page")
	case errors.Is(err, store.ErrNotFound):
		return a, refuse(http.StatusBadRequest, err, "This sign-in was not started here (unknown RelayState); start from the sign-in page")
	case err != nil:
		return a, fmt.Errorf("saml sign-in: %w", err)
	case a.Protocol != protocol:
		return a, refuse(http.StatusBadRequest, nil, "This sign-in was not started here (unknown RelayState); start from the sign-in page")
	case !now.Before(a.ExpiresAt):
		return a, refuse(http.StatusBadRequest, nil, "This sign-in took too long and expired; start again from the sign-in page")
	}
	return a, nil
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

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err) // callers pass URLs built from the validated BaseURL
	}
	return u
}
