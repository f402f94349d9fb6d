package directory

import (
	"context"
	"slices"

	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// adminActor is who changes the directory: Okta's system principal stands in for the admin, since the
// mock's API token and console password are not users.
var adminActor = syslog.Actor{ID: "0oa0mockidpadmin0000", Type: "SystemPrincipal",
	AlternateID: "system@okta.com", DisplayName: "Okta System"}

// event appends a successful admin event to the org's System Log (a no-op without one).
func (o *Org) event(eventType, msg string, targets ...syslog.Target) {
	o.log.Append(context.Background(), syslog.Event{EventType: eventType, DisplayMessage: msg,
		Actor: adminActor, Outcome: syslog.Success(), Targets: targets})
}

func userTarget(u *User) syslog.Target {
	return syslog.Target{ID: u.ID, Type: "User", AlternateID: u.Login, DisplayName: u.DisplayName()}
}

func appTarget(a *App) syslog.Target { return syslog.AppTarget(a.ID, a.Label) }

func containsString(list []string, s string) bool { return slices.Contains(list, s) }

func deleteString(list []string, s string) []string {
	return slices.DeleteFunc(list, func(x string) bool { return x == s })
}
