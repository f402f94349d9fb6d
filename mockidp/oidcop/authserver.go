package oidcop

import (
	"net/http"
	"strings"
)

// DefaultServerID is the id of the custom authorization server every Okta
// org has.
const DefaultServerID = "default"

// DefaultAudience is the default audience of the "default" server's access
// tokens.
const DefaultAudience = "api://default"

// authServer is one authorization server of the org: the org server (id "")
// or a custom one (id "default").
type authServer struct {
	id     string // "" for the org authorization server
	issuer string // absolute
	prefix string // path of the endpoints relative to the org: "/oauth2" or "/oauth2/default"
	keys   *keySet
}

// custom reports whether this is a custom authorization server.
func (as *authServer) custom() bool { return as.id != "" }

// url returns the absolute URL of one of the server's /v1 endpoints, e.g.
// url("/token").
func (as *authServer) url(orgIssuer, ep string) string {
	return orgIssuer + as.prefix + "/v1" + ep
}

// audience is the aud claim of the server's access tokens.
func (as *authServer) audience() string {
	if as.custom() {
		return DefaultAudience
	}
	return as.issuer
}

func newAuthServer(orgIssuer, id string, cfg Config) *authServer {
	as := &authServer{id: id, issuer: orgIssuer, prefix: "/oauth2",
		keys: &keySet{rand: cfg.Rand, privateAccess: id == ""}}
	if id != "" {
		as.issuer = orgIssuer + "/oauth2/" + id
		as.prefix = "/oauth2/" + id
	}
	return as
}

// servers returns the org server and then the custom ones.
func (p *Provider) servers() []*authServer { return []*authServer{p.orgAS, p.defaultAS} }

// serverByID resolves the {as} path value: "" is the org server.
func (p *Provider) serverByID(id string) (*authServer, bool) {
	switch id {
	case "":
		return p.orgAS, true
	case DefaultServerID:
		return p.defaultAS, true
	}
	return nil, false
}

// endpoint returns the absolute URL of an endpoint of as.
func (p *Provider) endpoint(as *authServer, ep string) string { return as.url(p.cfg.Issuer, ep) }

// asHandler is a handler for one authorization server's endpoint.
type asHandler func(w http.ResponseWriter, r *http.Request, as *authServer)

// withServer resolves the authorization server named in the path (none for
// the org server). An unknown id gets Okta's management-API 404.
func (p *Provider) withServer(h asHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		as, ok := p.serverByID(r.PathValue("as"))
		if !ok {
			p.writeNotFound(w, r, r.PathValue("as"))
			return
		}
		h(w, r, as)
	}
}

// serverForAuthorizePath finds the server whose /authorize path (relative to
// the org) is path.
func (p *Provider) serverForAuthorizePath(path string) (*authServer, bool) {
	for _, as := range p.servers() {
		if path == as.prefix+"/v1/authorize" {
			return as, true
		}
	}
	return nil, false
}

// orgPath makes a path relative to the org absolute (prefixes the issuer's path).
func (p *Provider) orgPath(path string) string {
	return strings.TrimSuffix(p.cookiePath, "/") + path
}
