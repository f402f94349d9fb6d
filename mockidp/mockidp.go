// Package mockidp is a mock Okta: many orgs in one process, each with users,
// app integrations, assignments, an OpenID provider on Okta's org
// authorization server paths and an Okta-like SCIM client.
//
// The Server is an http.Handler and never listens by itself. Orgs are
// path-based: an org's base URL, which is also its OIDC issuer, is
// Config.BaseURL + "/" + name. Under it:
//
//	/.well-known/openid-configuration
//	/oauth2/v1/authorize | token | keys | userinfo
//	/login/signin   (the login page's form)
//
// Subpackages: directory (org state), fixture (YAML org definitions),
// oidcop (the OpenID provider), scimpush (the SCIM client).
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
//	discovery := org.DiscoveryURL()
package mockidp

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
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
	// Rand is the random source for ids, secrets, keys and codes.
	// Default: crypto/rand.Reader.
	Rand io.Reader
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
	c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
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
	return nil
}

// Server is a mock Okta hosting many orgs. It is an http.Handler.
type Server struct {
	cfg    Config
	prefix string // the path of BaseURL, "" for none
	mux    *http.ServeMux

	mu   sync.RWMutex
	orgs map[string]*Org
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

// ServeHTTP dispatches to the org named by the first path segment.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.prefix == "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	http.StripPrefix(s.prefix, s.mux).ServeHTTP(w, r)
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
