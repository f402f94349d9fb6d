package oidcop

import (
	"net/http"

	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// logEvent appends an event to the org's System Log, when there is one.
// Events carry ids, logins and outcomes only, never secrets.
func (p *Provider) logEvent(r *http.Request, e syslog.Event) {
	p.cfg.Log.Append(r.Context(), e) // a nil *syslog.Log drops it
}
