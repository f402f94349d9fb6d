package harness

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/ssoconform/ssoconform/mockidp"
)

// Provisioning steps over a tenant's mock Okta org: each one is what an Okta admin does (deactivate,
// unassign, edit a profile, push or unlink a group), and the mock's provisioning engine pushes what Okta
// would push to the app's SCIM server, in the background; each step waits until the app's task queue is
// quiet and returns the step's error or the failures of the tasks it caused (Okta's words first). The mock's transcript of those pushes is the
// evidence specs assert on (SCIMRequests) and attach to reports (SCIMTranscript); credentials are
// redacted by the mock.
//
//	err := tn.SetFlavour(ctx, mockidp.FlavourAIW)
//	err = tn.Assign(ctx, u)        // F(u), POST /Users
//	mark := tn.SCIMMark()
//	err = tn.Deactivate(ctx, u)    // AIW: GET /Users/{id}, PUT active:false
//	reqs := tn.SCIMRequests(mark)  // ["GET /Users/abc", "PUT /Users/abc"]

// Provisioning flavours of the mock's app integration (what SetFlavour takes).
const (
	ProvisioningOIN = mockidp.FlavourOIN // OIN catalog app: PATCH for active and groups
	ProvisioningAIW = mockidp.FlavourAIW // App Integration Wizard app: GET then PUT for everything
)

// OktaUser and OktaGroup are a user and a group of the tenant's mock Okta org (names for specs, which
// do not import the mock).
type (
	OktaUser  = mockidp.User
	OktaGroup = mockidp.Group
)

// ProvisioningFeatures are the "Provisioning to App" checkboxes of the tenant's app.
type ProvisioningFeatures = mockidp.ProvisioningFeatures

// SetFeatures re-sets the tenant app's provisioning with these features, keeping the rest.
func (tn *Tenant) SetFeatures(ctx context.Context, f ProvisioningFeatures) error {
	p, ok := tn.IdPOrg.Provisioning(tn.AppID())
	if !ok {
		return fmt.Errorf("set provisioning features: the app has no provisioning")
	}
	p.Features = &f
	if err := tn.IdPOrg.SetProvisioning(ctx, tn.AppID(), p); err != nil {
		return fmt.Errorf("set provisioning features: %w", err)
	}
	return nil
}

// SetFlavour re-sets the tenant app's provisioning with flavour (mockidp.FlavourOIN or FlavourAIW),
// keeping the SCIM base URL, the token and the enabled features.
func (tn *Tenant) SetFlavour(ctx context.Context, flavour string) error {
	p, ok := tn.IdPOrg.Provisioning(tn.AppID())
	if !ok {
		return fmt.Errorf("set flavour %s: the app has no provisioning", flavour)
	}
	p.Flavour = flavour
	if err := tn.IdPOrg.SetProvisioning(ctx, tn.AppID(), p); err != nil {
		return fmt.Errorf("set flavour %s: %w", flavour, err)
	}
	return nil
}

// settled runs a step that changes the tenant's mock Okta org, then waits until the app's provisioning
// queue is quiet: it returns the step's error, or the failures of the tasks that came after it started.
func (tn *Tenant) settled(ctx context.Context, step func() error) error {
	seq := tn.IdPOrg.TaskSeq()
	if err := step(); err != nil {
		return err
	}
	return tn.IdPOrg.Settle(ctx, tn.AppID(), seq)
}

// Deactivate deactivates the user in Okta (Push User Deactivation).
func (tn *Tenant) Deactivate(ctx context.Context, u mockidp.User) error {
	return wrapStep("deactivate", u, tn.settled(ctx, func() error { return tn.IdPOrg.DeactivateUser(ctx, u.ID) }))
}

// Reactivate activates a deactivated user in Okta; the user's assignments were kept, so the app gets
// the reactivation (Reactivate Users).
func (tn *Tenant) Reactivate(ctx context.Context, u mockidp.User) error {
	return wrapStep("reactivate", u, tn.settled(ctx, func() error { return tn.IdPOrg.ActivateUser(ctx, u.ID) }))
}

// Unassign removes the user's assignment to the tenant's app (disabling the user's access).
func (tn *Tenant) Unassign(ctx context.Context, u mockidp.User) error {
	return wrapStep("unassign", u, tn.settled(ctx, func() error { return tn.IdPOrg.UnassignUser(ctx, tn.AppID(), u.ID) }))
}

// UpdateName changes the user's first and last name in Okta (Push Profile Updates).
func (tn *Tenant) UpdateName(ctx context.Context, u mockidp.User, first, last string) (mockidp.User, error) {
	var out mockidp.User
	err := tn.settled(ctx, func() error {
		var err error
		out, err = tn.IdPOrg.UpdateUser(ctx, u.ID, mockidp.UserUpdate{FirstName: &first, LastName: &last})
		return err
	})
	return out, wrapStep("update the name of", u, err)
}

// AddGroup creates an Okta group with the given members and assigns it to the tenant's app (members not
// assigned yet are pushed as users), the first step of the seed's Group Provisioning.
func (tn *Tenant) AddGroup(ctx context.Context, name string, members ...mockidp.User) (mockidp.Group, error) {
	g, err := tn.IdPOrg.CreateGroup(ctx, mockidp.GroupInput{Name: name})
	if err != nil {
		return g, fmt.Errorf("add group %s: %w", name, err)
	}
	for _, u := range members {
		if err := tn.settled(ctx, func() error { return tn.IdPOrg.AddGroupMember(ctx, g.ID, u.ID) }); err != nil {
			return g, fmt.Errorf("add group %s: member %s: %w", name, u.Login, err)
		}
	}
	if err := tn.settled(ctx, func() error { return tn.IdPOrg.AssignGroup(ctx, tn.AppID(), g.ID) }); err != nil {
		return g, fmt.Errorf("add group %s: assign to the app: %w", name, err)
	}
	g, _ = tn.IdPOrg.Group(g.ID)
	return g, nil
}

// AddToGroup adds a user to an Okta group; a pushed group's membership follows in the app.
func (tn *Tenant) AddToGroup(ctx context.Context, g mockidp.Group, u mockidp.User) error {
	return wrapStep("add to group "+g.Name, u, tn.settled(ctx, func() error { return tn.IdPOrg.AddGroupMember(ctx, g.ID, u.ID) }))
}

// RemoveFromGroup removes a user from an Okta group; a pushed group's membership follows in the app.
func (tn *Tenant) RemoveFromGroup(ctx context.Context, g mockidp.Group, u mockidp.User) error {
	return wrapStep("remove from group "+g.Name, u, tn.settled(ctx, func() error { return tn.IdPOrg.RemoveGroupMember(ctx, g.ID, u.ID) }))
}

// PushGroup pushes the group to the tenant's app (Push Groups tab, Push Groups, select, Save).
func (tn *Tenant) PushGroup(ctx context.Context, g mockidp.Group) error {
	if err := tn.settled(ctx, func() error { return tn.IdPOrg.PushGroup(ctx, tn.AppID(), g.ID) }); err != nil {
		return fmt.Errorf("push group %s: %w", g.Name, err)
	}
	return nil
}

// UnlinkGroup unlinks a pushed group in the Push Groups tab: deleteInApp chooses "Delete the group in
// the target app", otherwise "Leave the group in the target app".
func (tn *Tenant) UnlinkGroup(ctx context.Context, g mockidp.Group, deleteInApp bool) error {
	if err := tn.settled(ctx, func() error { return tn.IdPOrg.UnlinkGroup(ctx, tn.AppID(), g.ID, deleteInApp) }); err != nil {
		return fmt.Errorf("unlink group %s: %w", g.Name, err)
	}
	return nil
}

// SCIMUserID is the id the app's SCIM server gave the user (Okta keeps it as the app user's
// externalId); ok is false until the user was pushed.
func (tn *Tenant) SCIMUserID(u mockidp.User) (string, bool) {
	return tn.IdPOrg.ExternalID(tn.AppID(), u.ID)
}

// SCIMGroupID is the id the app's SCIM server gave a pushed group.
func (tn *Tenant) SCIMGroupID(g mockidp.Group) (string, bool) {
	return tn.IdPOrg.GroupExternalID(tn.AppID(), g.ID)
}

// SCIMMark is the number of exchanges the mock has had with the app so far: pass it to SCIMRequests or
// SCIMTranscript to see only what came after.
func (tn *Tenant) SCIMMark() int { return len(tn.IdPOrg.Transcript(tn.AppID())) }

// SCIMExchanges returns the mock's exchanges with the app after the first from, credentials redacted.
func (tn *Tenant) SCIMExchanges(from int) []Exchange {
	all := tn.IdPOrg.Transcript(tn.AppID())
	if from > len(all) {
		from = len(all)
	}
	out := make([]Exchange, 0, len(all)-from)
	for _, e := range all[from:] {
		out = append(out, Exchange{Method: e.Method, URL: e.URL, RequestHeader: redactedHeader(e.RequestHeader),
			RequestBody: e.RequestBody, Status: e.Status, ResponseHeader: e.ResponseHeader,
			ResponseBody: e.ResponseBody, Duration: e.Duration, Err: e.Err})
	}
	return out
}

// SCIMRequests returns the request lines the mock sent after the first from, as "METHOD /path?query"
// relative to the SCIM base URL (e.g. "PATCH /Users/8f3c..."), for asserting Okta's sequence.
func (tn *Tenant) SCIMRequests(from int) []string {
	base := strings.TrimSuffix(tn.SCIM.BaseURL, "/")
	var out []string
	for _, e := range tn.SCIMExchanges(from) {
		p := strings.TrimPrefix(e.URL, base)
		if u, err := url.PathUnescape(p); err == nil {
			p = u
		}
		out = append(out, e.Method+" "+p)
	}
	return out
}

// SCIMTranscript is the mock's exchanges with the app after the first from, as text for a report.
func (tn *Tenant) SCIMTranscript(from int) string {
	var b strings.Builder
	for _, e := range tn.SCIMExchanges(from) {
		b.WriteString(e.Transcript())
		b.WriteString("\n")
	}
	return b.String()
}

func wrapStep(what string, u mockidp.User, err error) error {
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, u.Login, err)
	}
	return nil
}

// ProvisioningTask is a task of the mock's provisioning engine (a name for specs).
type ProvisioningTask = mockidp.Task

// TestAPICredentials presses "Test API Credentials" for the tenant's app (A1).
func (tn *Tenant) TestAPICredentials(ctx context.Context) error {
	return tn.IdPOrg.TestAPICredentials(ctx, tn.AppID())
}

// ForceSync presses "Force Sync" for the tenant's app (A21) and waits for its tasks.
func (tn *Tenant) ForceSync(ctx context.Context) error {
	return tn.settled(ctx, func() error { return tn.IdPOrg.ForceSync(ctx, tn.AppID()) })
}

// Import presses "Import Now" for the tenant's app (A10; A11 with groups) and waits for it.
func (tn *Tenant) Import(ctx context.Context, groups bool) error {
	return tn.settled(ctx, func() error { return tn.IdPOrg.Import(ctx, tn.AppID(), groups) })
}

// AssignWithoutProvisioning assigns the user while the app's provisioning is off, then turns it on
// again: the user is the backlog Okta's "Provision User" would create and Force Sync leaves alone.
func (tn *Tenant) AssignWithoutProvisioning(ctx context.Context, u mockidp.User) error {
	p, ok := tn.IdPOrg.Provisioning(tn.AppID())
	if !ok {
		return fmt.Errorf("assign %s without provisioning: the app has no provisioning", u.Login)
	}
	if err := tn.IdPOrg.SetProvisioning(ctx, tn.AppID(), mockidp.Provisioning{}); err != nil {
		return err
	}
	if err := tn.IdPOrg.AssignUser(ctx, tn.AppID(), u.ID); err != nil {
		return err
	}
	return tn.IdPOrg.SetProvisioning(ctx, tn.AppID(), p)
}

// RenameGroup renames an Okta group; the app's copy of a pushed group gets the new name (A16).
func (tn *Tenant) RenameGroup(ctx context.Context, g mockidp.Group, name string) (mockidp.Group, error) {
	var out mockidp.Group
	err := tn.settled(ctx, func() error {
		var err error
		out, err = tn.IdPOrg.UpdateGroup(ctx, g.ID, mockidp.GroupInput{Name: name})
		return err
	})
	if err != nil {
		return out, fmt.Errorf("rename group %s: %w", g.Name, err)
	}
	return out, nil
}

// UnassignGroup removes the group's assignment to the tenant's app: members who had the app only
// through the group lose it and are deactivated in the app (A20).
func (tn *Tenant) UnassignGroup(ctx context.Context, g mockidp.Group) error {
	if err := tn.settled(ctx, func() error { return tn.IdPOrg.UnassignGroup(ctx, tn.AppID(), g.ID) }); err != nil {
		return fmt.Errorf("unassign group %s: %w", g.Name, err)
	}
	return nil
}
