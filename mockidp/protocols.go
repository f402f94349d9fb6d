package mockidp

import (
	"net/http"

	"github.com/ssoconform/ssoconform/mockidp/oidcop"
)

// mount builds the org's protocol handlers and registers their routes on the org's mux (paths relative
// to the org base URL). Each feature package adds one block here.
func (o *Org) mount(cfg Config, mux *http.ServeMux) error {
	op, err := oidcop.New(oidcop.Config{Issuer: o.baseURL, OrgID: o.dir.ID(), OrgName: o.name,
		Directory: o.dir, Now: cfg.Now, Rand: cfg.Rand, Logger: cfg.Logger.With("org", o.name)})
	if err != nil {
		return err
	}
	op.Mount(mux)
	return nil
}
