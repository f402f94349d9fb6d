// Package mockidp is a mock Okta: many orgs in one process, each with users,
// groups, app integrations, assignments, an OpenID provider on Okta's
// authorization server paths, a SAML IdP, an Okta-like SCIM client, a
// management API, an admin console and a System Log.
//
// The Server is an http.Handler and never listens by itself. Orgs are
// path-based by default: an org's base URL, which is also its OIDC issuer, is
// Config.BaseURL + "/" + name. With Config.Domain set (e.g. "okta.test") orgs
// are host-based as in Okta: a request whose Host is {org}.{Domain}[:port] is
// served by that org at the root path, and the org's base URL is
// {scheme}://{org}.{Domain}[:port] with the scheme and port of BaseURL (the
// developer maps the names to loopback, e.g. in /etc/hosts). Under the base URL:
//
//	/.well-known/openid-configuration
//	/oauth2/v1/authorize | token | keys | userinfo ...
//	/login/signin   (the login page's form)
//	/app/...        SAML metadata and SSO (package samlidp)
//	/api/v1/...     management API, "Authorization: SSWS <Org.APIToken()>" (package mgmtapi)
//	/admin          admin console (package console)
//
// With Config.StateFile set, every change is saved (debounced, atomically) to
// a JSON file that LoadState reads back at the next start; the format is
// described in state.go.
//
// Subpackages: directory (org state), fixture (YAML org definitions),
// oidcop (the OpenID provider), samlidp (the SAML IdP), scimpush (the SCIM
// client), mgmtapi (Okta's /api/v1), console (admin UI), syslog (System Log).
//
// Usage (in-process, as the harness does):
//
//	idp, err := mockidp.New(mockidp.Config{BaseURL: "http://127.0.0.1:8080"})
//	go http.Serve(listener, idp)
//	org, err := idp.CreateOrg(ctx, "acme")
//	u, err := org.CreateUser(ctx, mockidp.UserInput{Login: "alice@acme.test", Password: "pw"})
//	app, err := org.CreateOIDCApp(ctx, mockidp.OIDCAppInput{Label: "refapp",
//		RedirectURIs: []string{"http://app.test:8081/sso/oidc/callback"}})
//	err = org.SetProvisioning(ctx, app.ID, mockidp.Provisioning{BaseURL: scimURL, Token: key})
//	err = org.AssignUser(ctx, app.ID, u.ID) // pushes alice over SCIM
//	g, err := org.CreateGroup(ctx, mockidp.GroupInput{Name: "Engineering"})
//	err = org.AddGroupMember(ctx, g.ID, u.ID)
//	err = org.AssignGroup(ctx, app.ID, g.ID) // members are assigned (scope GROUP)
//	err = org.PushGroup(ctx, app.ID, g.ID)   // Push Groups: POST /Groups, PATCH members
//	err = org.DeactivateUser(ctx, u.ID)      // alice can no longer sign in; PATCH active:false
//	discovery := org.DiscoveryURL()
//	token := org.APIToken() // "Authorization: SSWS " + token on {org}/api/v1/...
package mockidp

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// Config configures a Server.
type Config struct {
	// BaseURL is the absolute URL the server is reached at, e.g.
	// http://127.0.0.1:8080. Required. A path is allowed; requests must then
	// arrive with that path prefix.
	BaseURL string
	// Logger receives events; secrets are never logged. Default: discard.
	Logger *slog.Logger
	// Now is the clock for every expiry check. Default: time.Now.
	Now func() time.Time
	// HTTPClient sends SCIM pushes. Default: a client with a 60 s timeout.
	HTTPClient *http.Client
	// SCIMSleep waits before a SCIM request that got 429 is sent again
	// (Retry-After, doubled on each further 429). Default: a real timer.
	SCIMSleep func(ctx context.Context, d time.Duration) error
	// Rand is the random source for ids, secrets, keys and codes.
	// Default: crypto/rand.Reader.
	Rand io.Reader
	// Domain turns on host-based orgs: {org}.{Domain} (e.g. "okta.test").
	// Default: "" (path-based orgs).
	Domain string
	// StateFile is where every change is saved (see state.go). Default: ""
	// (nothing is saved). Loading it is the caller's choice (LoadState).
	StateFile string
	// SaveDelay debounces saves to StateFile. Default: 200 ms.
	SaveDelay time.Duration
}

func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 60 * time.Second}
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.SaveDelay <= 0 {
		c.SaveDelay = 200 * time.Millisecond
	}
	c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
	c.Domain = strings.ToLower(strings.Trim(c.Domain, "."))
	return c
}

// Validate reports the first invalid field.
func (c Config) Validate() error {
	if c.BaseURL == "" {
		return errors.New("mockidp config: BaseURL is required")
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("mockidp config: BaseURL %q must be an absolute http(s) URL without query", c.BaseURL)
	}
	if c.Domain != "" && !validDomain.MatchString(c.Domain) {
		return fmt.Errorf("mockidp config: Domain %q is not a DNS name", c.Domain)
	}
	return nil
}

var validDomain = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$`)

// Server is a mock Okta hosting many orgs. It is an http.Handler.
type Server struct {
	cfg    Config
	prefix string // the path of BaseURL, "" for none
	mux    *http.ServeMux

	mu   sync.RWMutex
	orgs map[string]*Org

	saveMu    sync.Mutex  // serialises writes of the state file
	pendingMu sync.Mutex  // guards pending
	pending   *time.Timer // the scheduled save, nil when none
}

// New returns a Server with no orgs.
func New(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	u, _ := url.Parse(cfg.BaseURL) // validated
	s := &Server{cfg: cfg, prefix: u.Path, orgs: map[string]*Org{}, mux: http.NewServeMux()}
	s.routes()
	return s, nil
}

// ServeHTTP dispatches to the org named by the Host (host-based orgs) or by
// the first path segment.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var h http.Handler = s.mux
	if org, ok := s.orgByHost(r.Host); ok {
		h = org.handler
	}
	if s.prefix == "" {
		h.ServeHTTP(w, r)
		return
	}
	http.StripPrefix(s.prefix, h).ServeHTTP(w, r)
}

// orgByHost returns the org whose host {org}.{Domain} the request is for.
func (s *Server) orgByHost(hostport string) (*Org, bool) {
	if s.cfg.Domain == "" {
		return nil, false
	}
	host := strings.ToLower(hostport)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	name, ok := strings.CutSuffix(host, "."+s.cfg.Domain)
	if !ok || strings.Contains(name, ".") {
		return nil, false
	}
	return s.Org(name)
}

// orgBaseURL is the base URL of the named org: BaseURL/{name}, or
// {scheme}://{name}.{Domain}[:port]{path} with host-based orgs.
func (s *Server) orgBaseURL(name string) string {
	if s.cfg.Domain == "" {
		return s.cfg.BaseURL + "/" + name
	}
	u, _ := url.Parse(s.cfg.BaseURL) // validated
	host := name + "." + s.cfg.Domain
	if p := u.Port(); p != "" {
		host = net.JoinHostPort(host, p)
	}
	return u.Scheme + "://" + host + u.Path
}

// Org returns the org with the given name.
func (s *Server) Org(name string) (*Org, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.orgs[name]
	return o, ok
}

// Orgs returns every org, sorted by name.
func (s *Server) Orgs() []*Org {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*Org, 0, len(s.orgs))
	for _, o := range s.orgs {
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b *Org) int { return strings.Compare(a.name, b.name) })
	return out
}
