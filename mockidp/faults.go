package mockidp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ssoconform/ssoconform/mockidp/oidcop"
	"github.com/ssoconform/ssoconform/mockidp/samlidp"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// Fault is a deliberate defect an app integration's responses can carry, so a suite can check that the
// app under test refuses a bad IdP: its Name ("oidc-..." or "saml-..."), the Rule it breaks and a
// Description of exactly what changes.
type Fault struct {
	Name, Rule, Description string
}

// ErrUnknownFault is returned for a fault name the mock does not define.
var ErrUnknownFault = errors.New("unknown fault")

// Faults returns every fault the mock defines: the OpenID provider's ("oidc-") and the SAML IdP's
// ("saml-"), sorted by name.
func Faults() []Fault {
	var out []Fault
	for _, f := range oidcop.Faults() {
		out = append(out, Fault(f))
	}
	for _, f := range samlidp.Faults() {
		out = append(out, Fault(f))
	}
	slices.SortFunc(out, func(a, b Fault) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// SetFaults replaces the app's faults with the named ones (none clears them). Faults affect only this
// app's sign-ins, never other apps' or the org's, so parallel specs each use their own app.
func (o *Org) SetFaults(ctx context.Context, appID string, names ...string) error {
	for _, n := range names {
		if !oidcop.IsFault(n) && !samlidp.IsFault(n) {
			return fmt.Errorf("set faults: %q: %w", n, ErrUnknownFault)
		}
	}
	if _, ok := o.dir.App(appID); !ok {
		return fmt.Errorf("set faults: app %q: %w", appID, ErrNotFound)
	}
	if err := o.dir.SetFaults(appID, names); err != nil {
		return fmt.Errorf("set faults: %w", err)
	}
	o.log.Append(ctx, syslog.Event{EventType: "mock.application.faults.update",
		DisplayMessage: "Faults of app set to [" + strings.Join(names, ", ") + "] (mock-specific event)",
		Actor:          provisioningActor, Outcome: syslog.Success(), Targets: []syslog.Target{{ID: appID, Type: "AppInstance"}}})
	return nil
}
