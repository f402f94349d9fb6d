package mockidp

import (
	"context"
	"slices"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

// User lifecycle statuses.
const (
	StatusStaged      = directory.StatusStaged
	StatusActive      = directory.StatusActive
	StatusSuspended   = directory.StatusSuspended
	StatusDeactivated = directory.StatusDeactivated
)

// ErrLifecycle reports a lifecycle operation the user's status does not
// allow (e.g. suspending a user who is not ACTIVE).
var ErrLifecycle = directory.ErrLifecycle

// User returns the user with the given id.
func (o *Org) User(id string) (User, bool) {
	u, ok := o.dir.User(id)
	return toUser(u), ok
}

// UserByLogin returns the user with the given login (case-insensitive).
func (o *Org) UserByLogin(login string) (User, bool) {
	u, ok := o.dir.UserByLogin(login)
	return toUser(u), ok
}

// ActivateUser makes a STAGED or DEPROVISIONED user ACTIVE. Apps with
// provisioning that had deactivated the user reactivate it (A8, same server
// id); apps that never had it get it pushed. Push errors are returned; the
// activation stays.
func (o *Org) ActivateUser(ctx context.Context, id string) error {
	if err := o.dir.Activate(id); err != nil {
		return err
	}
	return o.SyncUsers(ctx, id)
}

// DeactivateUser makes a user DEPROVISIONED: the user can no longer sign in
// (OIDC and SAML refuse the password). Assignments are kept. Apps with
// provisioning and Push User Deactivation get the deactivation (A5).
func (o *Org) DeactivateUser(ctx context.Context, id string) error {
	if err := o.dir.Deactivate(id); err != nil {
		return err
	}
	return o.SyncUsers(ctx, id)
}

// SuspendUser makes an ACTIVE user SUSPENDED (cannot sign in). Nothing is
// pushed (A6).
func (o *Org) SuspendUser(ctx context.Context, id string) error { return o.dir.Suspend(id) }

// UnsuspendUser makes a SUSPENDED user ACTIVE again. Nothing is pushed.
func (o *Org) UnsuspendUser(ctx context.Context, id string) error { return o.dir.Unsuspend(id) }

// DeleteUser deletes a DEPROVISIONED user with its memberships and
// assignments. Nothing is pushed (A7): Okta never sends DELETE /Users.
func (o *Org) DeleteUser(ctx context.Context, id string) error { return o.dir.DeleteUser(id) }

// UnassignUser removes a user's direct assignment to an app (a user also
// assigned through a group stays assigned). When the user loses the app,
// an app with provisioning and Push User Deactivation gets the deactivation
// (A5); the server keeps the user, inactive.
func (o *Org) UnassignUser(ctx context.Context, appID, userID string) error {
	if err := o.dir.Unassign(appID, userID); err != nil {
		return err
	}
	return o.SyncUsers(ctx, userID)
}

// IsAssigned reports whether the user is assigned to the app, directly or
// through a group.
func (o *Org) IsAssigned(appID, userID string) bool { return o.dir.IsAssigned(appID, userID) }

// GroupInput describes a group to create.
type GroupInput struct {
	Name, Description string
}

// Group is an Okta group: ID is "00g" + 17 characters; Members are user ids.
type Group struct {
	ID, Name, Description string
	Members               []string
}

func toGroup(g directory.Group) Group {
	return Group{ID: g.ID, Name: g.Name, Description: g.Description, Members: slices.Clone(g.Members)}
}

// CreateGroup creates a group; names are unique in the org.
func (o *Org) CreateGroup(ctx context.Context, in GroupInput) (Group, error) {
	g, err := o.dir.CreateGroup(directory.GroupInput(in))
	if err != nil {
		return Group{}, err
	}
	return toGroup(g), nil
}

// Groups returns the org's groups in creation order.
func (o *Org) Groups() []Group {
	var out []Group
	for _, g := range o.dir.Groups() {
		out = append(out, toGroup(g))
	}
	return out
}

// Group returns the group with the given id.
func (o *Org) Group(id string) (Group, bool) {
	g, ok := o.dir.Group(id)
	return toGroup(g), ok
}

// GroupNames returns the names of the user's groups, sorted.
func (o *Org) GroupNames(userID string) []string { return o.dir.GroupNames(userID) }

// AddGroupMember adds a user to a group. Apps the group is assigned to gain
// the user; those with provisioning get the user pushed, and apps the group
// is pushed to get the new member (A14). Push errors are returned, the
// membership stays.
func (o *Org) AddGroupMember(ctx context.Context, groupID, userID string) error {
	if err := o.dir.AddGroupMember(groupID, userID); err != nil {
		return err
	}
	return o.SyncUsers(ctx, userID)
}

// RemoveGroupMember removes a user from a group. Apps the group is pushed to
// lose the member (A14); a user who loses an app through it is deactivated
// there (A20).
func (o *Org) RemoveGroupMember(ctx context.Context, groupID, userID string) error {
	if err := o.dir.RemoveGroupMember(groupID, userID); err != nil {
		return err
	}
	return o.SyncUsers(ctx, userID)
}

// DeleteGroup deletes a group and its app assignments; members who lose an
// app through it are deactivated there (A20). A push link of the group is
// dropped without a request.
func (o *Org) DeleteGroup(ctx context.Context, groupID string) error {
	g, ok := o.dir.Group(groupID)
	if err := o.dir.DeleteGroup(groupID); err != nil {
		return err
	}
	if !ok {
		return nil
	}
	return o.SyncUsers(ctx, g.Members...)
}

// AssignGroup assigns a group to an app: every member becomes assigned
// (scope GROUP) and, when the app has provisioning, is pushed.
func (o *Org) AssignGroup(ctx context.Context, appID, groupID string) error {
	if _, err := o.dir.AssignGroup(appID, groupID); err != nil {
		return err
	}
	g, _ := o.dir.Group(groupID)
	return o.SyncUsers(ctx, g.Members...)
}

// UnassignGroup removes a group's assignment to an app; members who lose the
// app are deactivated there (A20).
func (o *Org) UnassignGroup(ctx context.Context, appID, groupID string) error {
	if err := o.dir.UnassignGroup(appID, groupID); err != nil {
		return err
	}
	g, _ := o.dir.Group(groupID)
	return o.SyncUsers(ctx, g.Members...)
}
