package mockidp

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/ssoconform/ssoconform/mockidp/console"
	"github.com/ssoconform/ssoconform/mockidp/mgmtapi"
	"github.com/ssoconform/ssoconform/mockidp/oidcop"
	"github.com/ssoconform/ssoconform/mockidp/samlidp"
	"github.com/ssoconform/ssoconform/mockidp/session"
)

// mount builds the org's protocol handlers and registers their routes on the org's mux (paths relative
// to the org base URL). Each feature package adds one block here.
func (o *Org) mount(cfg Config, mux *http.ServeMux) error {
	// One Okta session per org covers its OIDC and SAML apps.
	u, err := url.Parse(o.baseURL)
	if err != nil {
		return fmt.Errorf("org base URL: %w", err)
	}
	sessions := session.New(session.Config{Path: u.Path, Secure: u.Scheme == "https", Now: cfg.Now, Rand: cfg.Rand})
	op, err := oidcop.New(oidcop.Config{Issuer: o.baseURL, OrgID: o.dir.ID(), OrgName: o.name,
		Directory: o.dir, Now: cfg.Now, Rand: cfg.Rand, Logger: cfg.Logger.With("org", o.name), Log: o.log,
		Sessions: sessions})
	if err != nil {
		return err
	}
	op.Mount(mux)
	o.oidc = op

	idp, err := samlidp.New(samlidp.Config{BaseURL: o.baseURL, OrgName: o.name, Directory: o.dir,
		Groups: o.dir.GroupNames, SystemLog: o.log, Now: cfg.Now, Rand: cfg.Rand,
		Logger: cfg.Logger.With("org", o.name), Sessions: sessions})
	if err != nil {
		return err
	}
	idp.Mount(mux)
	o.saml = idp

	api, err := mgmtapi.New(mgmtapi.Config{BaseURL: o.baseURL, Directory: o.dir, Log: o.log, Token: o.apiToken,
		Provisioner: o, Actions: o, Rand: cfg.Rand, Logger: cfg.Logger.With("org", o.name)})
	if err != nil {
		return err
	}
	api.Mount(mux)
	con, err := console.New(console.Config{BaseURL: o.baseURL, OrgName: o.name, Directory: o.dir, Log: o.log,
		Token: o.apiToken, Password: o.consolePassword, Provisioner: o, Actions: o, Faults: consoleFaults(),
		Now: cfg.Now, Rand: cfg.Rand,
		Logger: cfg.Logger.With("org", o.name)})
	if err != nil {
		return err
	}
	con.Mount(mux)
	return nil
}

// consoleFaults is the fault catalogue as the console's Faults tab lists it.
func consoleFaults() []console.Fault {
	var out []console.Fault
	for _, f := range Faults() {
		out = append(out, console.Fault(f))
	}
	return out
}
