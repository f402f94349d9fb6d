// Package samlidp is the SAML 2.0 identity provider of one mock Okta org: Okta's metadata, SSO endpoint,
// login page and SAMLResponse shape, plus deliberate defects ("faults") an app integration can be told to
// put into its responses, so that a service provider's refusals can be tested.
//
// Paths are relative to the org base URL (the caller strips the org prefix):
//
//	GET      /app/{exk}/sso/saml/metadata        IdP metadata (Okta's shape, mock-idp.md 1.9)
//	GET|POST /app/{appName}/{exk}/sso/saml       SSO: HTTP-Redirect and HTTP-POST bindings, SP-initiated
//	POST     /app/{appName}/{exk}/sso/saml/signin the login page's form
//	GET      /app/{exk}/sso/saml/probe           out-of-band target of the saml-xxe fault (counted)
//
// Behaviour copied from Okta (shared/reference/mock-idp.md 1.8-1.11):
//   - the AuthnRequest's Issuer must be the app's audience, and its AssertionConsumerServiceURL, when
//     present, the app's SSO URL or one of its requestable SSO URLs; otherwise an error page, never a
//     response;
//   - a user who is not assigned to the app gets the "403 App Not Assigned" page and no SAMLResponse;
//   - the response is posted to the ACS by an auto-submitting form with RelayState echoed; its XML has
//     Okta's prefixes (saml2p, saml2), ids ("id" + digits), millisecond timestamps, +/-5 minute windows and
//     exc-c14n RSA-SHA256 signatures with PrefixList="xs", on the Response and/or the Assertion as the app
//     says;
//   - each app has its own RSA-2048 key and self-signed 10-year certificate, made on first use.
//
// The IdP session is the org's one Okta session (package session, cookie "sid"), shared with the org's
// OpenID provider through Config.Sessions, so a user signed in for any app of the org is not asked again;
// ForceAuthn="true" in a request shows the login page again. The login form carries the AuthnRequest (base64 XML) and RelayState
// in hidden fields and re-validates them, so no login transaction is stored server side.
//
// Faults are per app (directory App.Faults), never global; Faults() lists them with the rule each breaks.
// They cover the SAML cases of shared/reference/conformance.md b.4 except SAML-NEG-ENC-UNSIGNED (the mock
// does not encrypt assertions) and SAML-NEG-DEFLATE-BOMB (the IdP sends nothing over HTTP-Redirect);
// SAML-NEG-SIG-STRIPPED-RESP gives the same bytes as saml-unsigned.
//
// Usage:
//
//	idp, err := samlidp.New(samlidp.Config{BaseURL: "http://127.0.0.1:8080/acme", Directory: org})
//	mux := http.NewServeMux()
//	idp.Mount(mux)
//	http.ListenAndServe(addr, http.StripPrefix("/acme", mux))
package samlidp

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/session"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// Directory is what the IdP needs from the org's directory; *directory.Org implements it.
type Directory interface {
	AppByExternalKey(key string) (directory.App, bool)
	Authenticate(login, password string) (directory.User, bool)
	User(id string) (directory.User, bool)
	Assignment(appID, userID string) (directory.Assignment, bool)
}

var _ Directory = (*directory.Org)(nil)

// Lifetimes and windows Okta uses.
const (
	// Window is the half-width of the Conditions window and the SubjectConfirmationData lifetime.
	Window = 5 * time.Minute
	// SessionLifetime is how long a sign-in to the IdP lasts.
	SessionLifetime = 2 * time.Hour
)

// Config configures an IdP.
type Config struct {
	// BaseURL is the org base URL, e.g. http://127.0.0.1:8080/acme. Required.
	BaseURL string
	// OrgName is shown on pages and is the CN of signing certificates. Default: the last path segment of
	// BaseURL.
	OrgName string
	// Directory resolves apps, users and assignments. Required.
	Directory Directory
	// Groups returns the names of a user's groups, for group attribute statements. Default: none.
	Groups func(userID string) []string
	// SystemLog receives sign-ins, SSO and refusals. Default: none.
	SystemLog *syslog.Log
	// Now is the clock for every timestamp and expiry. Default: time.Now.
	Now func() time.Time
	// Rand is the random source for keys, ids and session cookies. Default: crypto/rand.Reader.
	Rand io.Reader
	// Logger receives request-level events, never SAMLResponses or passwords. Default: discard.
	Logger *slog.Logger
	// Sessions is the org's IdP session store, shared with the org's OpenID provider so that one sign-in
	// covers every app. Default: a store of the IdP's own (idle timeout SessionLifetime).
	Sessions *session.Store
	// EvilNameID is the subject the forged parts of fault responses (XSW, multiple assertions, tampering)
	// claim. Default: "victim@evil.test".
	EvilNameID string
}

func (c Config) withDefaults() Config {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Groups == nil {
		c.Groups = func(string) []string { return nil }
	}
	if c.EvilNameID == "" {
		c.EvilNameID = "victim@evil.test"
	}
	c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
	if c.OrgName == "" {
		c.OrgName = c.BaseURL[strings.LastIndex(c.BaseURL, "/")+1:]
	}
	return c
}

// Validate reports the first invalid field.
func (c Config) Validate() error {
	u, err := url.Parse(c.BaseURL)
	switch {
	case c.BaseURL == "":
		return errors.New("samlidp config: BaseURL is required")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("samlidp config: BaseURL %q is not an absolute http(s) URL", c.BaseURL)
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("samlidp config: BaseURL %q must not have a query or fragment", c.BaseURL)
	case c.Directory == nil:
		return errors.New("samlidp config: Directory is required")
	}
	return nil
}

// IdP is the SAML identity provider of one org.
type IdP struct {
	cfg      Config
	basePath string // path of BaseURL, "" for none

	keys *keyStore

	sessions *session.Store

	mu     sync.Mutex
	last   map[string][]byte // app id -> the last assertion sent (serialized), for saml-replay
	probes map[string]int    // external key -> probe hits (saml-xxe)
}

// New returns an IdP. Signing keys are generated when an app is first used.
func New(cfg Config) (*IdP, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	u, _ := url.Parse(cfg.BaseURL) // validated above
	p := &IdP{cfg: cfg, basePath: strings.TrimSuffix(u.Path, "/"), sessions: cfg.Sessions,
		keys: newKeyStore(cfg.Rand, cfg.Now, cfg.OrgName), last: map[string][]byte{}, probes: map[string]int{}}
	if p.sessions == nil {
		p.sessions = session.New(session.Config{Path: p.basePath, Secure: p.secure(), IdleTimeout: SessionLifetime,
			Now: cfg.Now, Rand: cfg.Rand})
	}
	return p, nil
}

// EntityID is the IdP entity id of a SAML app: http://www.okta.com/{externalKey}.
func EntityID(externalKey string) string { return "http://www.okta.com/" + externalKey }

// MetadataURL returns the absolute URL of an app's IdP metadata.
func (p *IdP) MetadataURL(externalKey string) string {
	return p.cfg.BaseURL + "/app/" + externalKey + "/sso/saml/metadata"
}

// SSOURL returns the absolute URL of an app's SSO endpoint.
func (p *IdP) SSOURL(appName, externalKey string) string {
	return p.cfg.BaseURL + ssoPath(appName, externalKey)
}

// SLOURL returns the absolute URL of an app's single logout endpoint (Okta's /app/{name}/{exk}/slo/saml).
func (p *IdP) SLOURL(appName, externalKey string) string {
	return p.cfg.BaseURL + "/app/" + appName + "/" + externalKey + "/slo/saml"
}

// ProbeHits returns how often the out-of-band URL of the saml-xxe fault was fetched for an app: any hit
// means a service provider resolved the external entity.
func (p *IdP) ProbeHits(externalKey string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.probes[externalKey]
}

func ssoPath(appName, externalKey string) string {
	return "/app/" + appName + "/" + externalKey + "/sso/saml"
}

// abs turns an org-relative path into the absolute path the browser uses.
func (p *IdP) abs(path string) string { return p.basePath + path }

func (p *IdP) secure() bool { return strings.HasPrefix(p.cfg.BaseURL, "https://") }
