// Package samlsp is refapp's SAML 2.0 service provider for Okta SSO: SP-initiated Web Browser SSO with
// the AuthnRequest sent over HTTP-Redirect and the Response received at the ACS over HTTP-POST, built on
// crewjam/saml's ServiceProvider plus the checks refapp adds on top of it.
//
// Endpoints, under the app's base URL:
//
//	{base}/sso/saml/metadata   SP entity ID and SP metadata URL (the "Audience URI" in Okta)
//	{base}/sso/saml/acs        Assertion Consumer Service (Okta's "Single sign-on URL")
//	{base}/sso/saml/finish     where the ACS hands the verified sign-in back to the starting browser
//	{base}/sso/saml/slo        Single Logout URL: the IdP's LogoutResponse (slo.go)
//
// A sign-in in flight is a store.LoginAttempt keyed by the SHA-256 of an opaque RelayState, holding the
// AuthnRequest ID that InResponseTo must name; it is single-use and expires. The ACS receives a
// cross-site POST, which carries no SameSite=Lax cookie, so after verifying the response it stores the
// identity as a short-lived "saml-handoff" attempt and redirects (303) to the finish endpoint; that GET
// carries the browser-binding cookie set when the sign-in started, so a response posted into another
// browser (login CSRF) is refused there.
//
// Beyond crewjam's validation, a response is refused when: SAMLResponse is larger than
// Config.MaxResponseBytes or not base64; the XML has a DOCTYPE or any other markup declaration (no
// entity is ever expanded or fetched); a signature or digest uses SHA-1; an assertion ID was seen before
// (replay cache in the store, shared by every instance on the database); the assertion has no
// AudienceRestriction naming our entity ID; there is no bearer SubjectConfirmation whose Recipient is our
// ACS, whose NotOnOrAfter is in the future and whose InResponseTo is our request; the response is
// unsolicited or answers another request; the Issuer is not the IdP entity ID of the saved metadata; the
// IssueInstant is not recent. RelayState is never a URL: after sign-in the browser always goes to "/".
//
// Usage:
//
//	sp, err := samlsp.New(samlsp.Config{BaseURL: "https://app.example.com", Store: st})
//	to, err := sp.Start(ctx, w, org.ID, "", samlsp.Connection{IdPMetadata: conn.IdPMetadata})
//	http.Redirect(w, r, to, http.StatusFound)
//	// at the ACS:  next, err := sp.ACS(ctx, w, r, lookup); http.Redirect(w, r, next, http.StatusSeeOther)
//	// at finish:   id, err := sp.Finish(ctx, w, r)
package samlsp

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ssoconform/ssoconform/refapp/refusal"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// The SP's paths under the base URL.
const (
	MetadataPath = "/sso/saml/metadata"
	ACSPath      = "/sso/saml/acs"
	FinishPath   = "/sso/saml/finish"
)

// Store is the part of the store the service provider needs.
type Store interface {
	CreateLoginAttempt(ctx context.Context, a store.LoginAttempt) error
	ConsumeLoginAttempt(ctx context.Context, stateHash []byte, now time.Time) (store.LoginAttempt, error)
	RecordAssertion(ctx context.Context, issuer, id string, expiresAt, now time.Time) error
	KeyStore
}

// Config configures an SP.
type Config struct {
	// BaseURL is the app's external URL; entity ID, ACS and metadata URL derive from it. Required.
	BaseURL string
	// Store keeps sign-ins in flight and the replay cache. Required.
	Store Store
	// HTTPClient fetches IdP metadata. Default: a client with a 15s timeout.
	HTTPClient *http.Client
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Rand is the randomness for RelayState and the binding cookie. Default crypto/rand.Reader.
	Rand io.Reader
	// AttemptTTL is how long a sign-in may stay in flight. Default 10 minutes.
	AttemptTTL time.Duration
	// MaxResponseBytes caps the ACS request body. Default 256 KiB.
	MaxResponseBytes int64
	// MaxIssueAge is how old (or, as clock skew, how far in the future) a Response or Assertion
	// IssueInstant may be. Default 3 minutes.
	MaxIssueAge time.Duration
	// SecureCookies sets Secure on the browser-binding cookie (base URL is https). Default false.
	SecureCookies bool
	// Logger receives refusal details. Default: discard.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.AttemptTTL <= 0 {
		c.AttemptTTL = 10 * time.Minute
	}
	if c.MaxResponseBytes <= 0 {
		c.MaxResponseBytes = 256 << 10
	}
	if c.MaxIssueAge <= 0 {
		c.MaxIssueAge = 3 * time.Minute
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports a missing or malformed required field.
func (c Config) Validate() error {
	if c.Store == nil {
		return errors.New("samlsp config: Store is required")
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("samlsp config: BaseURL %q must be an absolute http(s) URL", c.BaseURL)
	}
	return nil
}

// Connection is one organization's Okta SAML app, as saved by `refapp sso set --protocol saml`.
type Connection struct {
	// IdPMetadata is the IdP metadata XML checked at save time.
	IdPMetadata string
}

// ConnectionLookup returns the SAML connection of an organization.
type ConnectionLookup func(ctx context.Context, orgID string) (Connection, error)

// Identity is who the IdP says signed in.
type Identity struct {
	OrgID   string `json:"org_id"`
	Issuer  string `json:"issuer"`  // the IdP entity ID
	Subject string `json:"subject"` // the NameID, full text
	Email   string `json:"email"`
	Name    string `json:"name"` // displayName, else firstName + lastName; may be empty
	// LinkMemberID is the member this sign-in links the identity to (from Start); empty for a plain sign-in.
	LinkMemberID string `json:"link_member_id,omitempty"`
}

// Error is a refused sign-in (see package refusal): Message is for the user, Cause for the log.
type Error = refusal.Error

func refuse(status int, cause error, format string, args ...any) *Error {
	return refusal.New(status, cause, format, args...)
}

// SP is the service provider. It is safe for concurrent use.
type SP struct {
	cfg  Config
	keys spKeys
}

// New checks cfg and returns an SP.
func New(cfg Config) (*SP, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &SP{cfg: cfg.withDefaults()}, nil
}

// EntityID is the SP entity ID (also the SP metadata URL).
func (sp *SP) EntityID() string { return sp.cfg.BaseURL + MetadataPath }

// ACSURL is the Assertion Consumer Service URL.
func (sp *SP) ACSURL() string { return sp.cfg.BaseURL + ACSPath }

// EntityIDFor and ACSURLFor give the SP's URLs for an app served at baseURL (for `refapp sso show`).
func EntityIDFor(baseURL string) string { return strings.TrimRight(baseURL, "/") + MetadataPath }

// ACSURLFor is the ACS URL for an app served at baseURL.
func ACSURLFor(baseURL string) string { return strings.TrimRight(baseURL, "/") + ACSPath }
