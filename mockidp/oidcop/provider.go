// Package oidcop is the OpenID provider of one mock Okta org: Okta's org
// authorization server and the "default" custom authorization server, on
// Okta's paths, with Okta's error texts and with faults on demand.
//
// Paths are relative to the org base URL (the org server's issuer, no
// trailing slash); the caller strips the org prefix before handing requests
// to the Provider. {v1} is /oauth2/v1 for the org server and
// /oauth2/default/v1 for the default server (issuer {org}/oauth2/default):
//
//	GET  /.well-known/openid-configuration            org server discovery
//	GET  /oauth2/default/.well-known/openid-configuration (and oauth-authorization-server)
//	GET  {v1}/authorize      code flow (+ PKCE S256), login page, prompt, max_age, login_hint
//	POST /login/signin       the login page's form
//	POST {v1}/token          authorization_code grant; client_secret_basic/post, private_key_jwt,
//	                         client_secret_jwt, none (+PKCE)
//	GET  {v1}/keys           JWKS: current and next RSA key
//	GET|POST {v1}/userinfo   claims for the access token's scopes
//	POST {v1}/introspect     RFC 7662, client authentication required
//	POST {v1}/revoke         RFC 7009, always 200
//	GET|POST {v1}/logout     RP-initiated logout: ends the IdP session
//
// Any other /oauth2/{id}/ server answers Okta's 404 (E0000007).
//
// Behaviour copied from Okta (see shared/reference/mock-idp.md 1.1-1.7):
//   - an unknown client_id or an unregistered redirect_uri renders a 400
//     error page and never redirects; other /authorize errors redirect with
//     error, error_description and state;
//   - a user who is not assigned to the app is redirected with
//     error=access_denied;
//   - ID tokens are RS256 with Okta's claims, "thin" because an access token
//     is issued with them; the org server's access tokens are signed with a
//     key that is NOT published in /keys (Okta's are meant for Okta only),
//     the default server's with its published key (aud api://default, scp,
//     cid, uid), so apps can validate them;
//   - codes are single-use, live 300 s and are bound to the client, the
//     server, the redirect_uri and the PKCE challenge.
//
// Faults (faults.go, Faults()) are selected per app integration through the
// directory's App.Faults, never globally: each makes the provider break one
// named rule in its answers to that app only.
//
// The IdP session is the org's one Okta session (package session, cookie "sid"
// scoped to the org's path), shared by both authorization servers and, through
// Config.Sessions, with the org's SAML IdP, so a second /authorize in the same
// browser skips the login page whatever app the first sign-in was for. The login form carries the original /authorize request in a hidden
// "fromURI" field and the POST re-validates it, so no login transaction is
// stored server side. The form has no CSRF token: it only ever signs the
// browser in to the mock.
//
// Endpoints Okta advertises but this mock does not serve (clients, device,
// par, bc/authorize) answer 404; refresh tokens are not issued.
//
// Usage:
//
//	p, err := oidcop.New(oidcop.Config{Issuer: "http://127.0.0.1:8080/acme",
//		OrgID: org.ID(), Directory: org, Log: syslog.New(syslog.Config{})})
//	http.ListenAndServe(addr, http.StripPrefix("/acme", p))
//	err = p.RotateKeys(ctx)
package oidcop

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/session"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// Directory is what the provider needs from the org's directory;
// *directory.Org implements it.
type Directory interface {
	AppByClientID(clientID string) (directory.App, bool)
	Authenticate(login, password string) (directory.User, bool)
	User(id string) (directory.User, bool)
	IsAssigned(appID, userID string) bool
}

var _ Directory = (*directory.Org)(nil)

// Lifetimes fixed on Okta's org authorization server.
const (
	CodeLifetime    = 300 * time.Second
	TokenLifetime   = time.Hour
	SessionLifetime = 2 * time.Hour
)

// Config configures a Provider.
type Config struct {
	// Issuer is the org base URL, e.g. http://127.0.0.1:8080/acme. Required.
	Issuer string
	// OrgID is the org id ("00o..."), the idp claim of ID tokens. Required.
	OrgID string
	// OrgName is shown on the login page. Default: the last path segment of Issuer.
	OrgName string
	// Directory resolves clients, users and assignments. Required.
	Directory Directory
	// Now is the clock for every expiry. Default: time.Now.
	Now func() time.Time
	// Rand is the random source for keys, codes and ids. Default: crypto/rand.Reader.
	Rand io.Reader
	// Logger receives request-level events, never secrets. Default: discard.
	Logger *slog.Logger
	// Sessions is the org's IdP session store, shared with the org's SAML IdP so that one sign-in covers
	// every app. Default: a store of the provider's own (idle timeout SessionLifetime).
	Sessions *session.Store
	// Log is the org's System Log: sign-ins, SSO, refusals and token grants
	// are appended to it. Default: nil (no System Log).
	Log *syslog.Log
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
	c.Issuer = strings.TrimSuffix(c.Issuer, "/")
	if c.OrgName == "" {
		c.OrgName = c.Issuer[strings.LastIndex(c.Issuer, "/")+1:]
	}
	return c
}

// Validate reports the first invalid field.
func (c Config) Validate() error {
	u, err := url.Parse(c.Issuer)
	switch {
	case c.Issuer == "":
		return errors.New("oidcop config: Issuer is required")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("oidcop config: Issuer %q is not an absolute http(s) URL", c.Issuer)
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("oidcop config: Issuer %q must not have a query or fragment", c.Issuer)
	case c.OrgID == "":
		return errors.New("oidcop config: OrgID is required")
	case c.Directory == nil:
		return errors.New("oidcop config: Directory is required")
	}
	return nil
}

// Provider is the OpenID provider of one org. It is an http.Handler.
type Provider struct {
	cfg              Config
	cookiePath       string
	mux              *http.ServeMux
	orgAS, defaultAS *authServer

	sessions *session.Store

	mu       sync.Mutex
	codes    map[string]*grant
	revoked  map[string]time.Time // access-token jti -> its expiry
	usedJTIs map[string]time.Time // client-assertion jti -> its expiry
}

// New returns a Provider. Signing keys are generated on first use.
func New(cfg Config) (*Provider, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	u, _ := url.Parse(cfg.Issuer) // validated above
	p := &Provider{
		cfg:        cfg,
		cookiePath: u.Path,
		orgAS:      newAuthServer(cfg.Issuer, "", cfg),
		defaultAS:  newAuthServer(cfg.Issuer, DefaultServerID, cfg),
		codes:      map[string]*grant{},
		revoked:    map[string]time.Time{},
		usedJTIs:   map[string]time.Time{},
	}
	if p.cookiePath == "" {
		p.cookiePath = "/"
	}
	p.sessions = cfg.Sessions
	if p.sessions == nil {
		p.sessions = session.New(session.Config{Path: p.cookiePath, Secure: p.secure(), IdleTimeout: SessionLifetime,
			Now: cfg.Now, Rand: cfg.Rand})
	}
	p.mux = http.NewServeMux()
	p.Mount(p.mux)
	return p, nil
}

// ServeHTTP serves the provider's endpoints (paths relative to the issuer).
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mux.ServeHTTP(w, r)
}

// randomToken returns n random bytes, base64url-encoded without padding.
func (p *Provider) randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(p.cfg.Rand, b); err != nil {
		return "", fmt.Errorf("read random: %w", err)
	}
	return b64(b), nil
}
