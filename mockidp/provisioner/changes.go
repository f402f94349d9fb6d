package provisioner

import (
	"fmt"
	"slices"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

// UsersChanged records that these users changed in the directory (profile, lifecycle, assignments,
// memberships): each app with provisioning that has the user assigned or pushed gets a user task, then a
// group task for each pushed group the user is or was a member of.
func (e *Engine) UsersChanged(userIDs ...string) {
	for _, app := range e.dir.Apps() {
		if app.Provisioning == nil {
			continue
		}
		for _, uid := range userIDs {
			_, pushed := e.dir.PushedUser(app.ID, uid)
			if pushed || e.dir.IsAssigned(app.ID, uid) {
				e.enqueue(Task{AppID: app.ID, Kind: KindUser, UserID: uid})
			}
		}
		for _, gp := range e.dir.GroupPushes(app.ID) {
			if e.touches(gp, userIDs) {
				e.enqueue(Task{AppID: app.ID, Kind: KindGroup, GroupID: gp.GroupID})
			}
		}
	}
}

// touches reports whether a pushed group has or had one of the users as a member.
func (e *Engine) touches(gp directory.GroupPush, userIDs []string) bool {
	g, _ := e.dir.Group(gp.GroupID)
	for _, uid := range userIDs {
		if slices.Contains(gp.Members, uid) || slices.Contains(g.Members, uid) {
			return true
		}
	}
	return false
}

// GroupChanged records that a group was renamed: every app it is pushed to gets a group task.
func (e *Engine) GroupChanged(groupID string) {
	for _, app := range e.dir.Apps() {
		if _, ok := e.dir.GroupPush(app.ID, groupID); ok && app.Provisioning != nil {
			e.enqueue(Task{AppID: app.ID, Kind: KindGroup, GroupID: groupID})
		}
	}
}

// Provision is "Provision User" for every user of the app and a sync of every pushed group: users
// assigned before provisioning was on are created (or linked), and failed changes are sent again.
func (e *Engine) Provision(appID string) error {
	if _, err := e.provisioned(appID); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, asg := range e.dir.AppUsers(appID) {
		seen[asg.UserID] = true
		e.enqueue(Task{AppID: appID, Kind: KindUser, UserID: asg.UserID})
	}
	for _, p := range e.dir.PushedUsers(appID) {
		if !seen[p.UserID] {
			e.enqueue(Task{AppID: appID, Kind: KindUser, UserID: p.UserID})
		}
	}
	for _, gp := range e.dir.GroupPushes(appID) {
		e.enqueue(Task{AppID: appID, Kind: KindGroup, GroupID: gp.GroupID})
	}
	return nil
}

// ForceSync is the Provisioning tab's "Force Sync" (A21): the profile of every user Okta already
// provisioned to the app is pushed again (GET + PUT); users assigned before provisioning was on get
// nothing (that is Provision's job).
func (e *Engine) ForceSync(appID string) error {
	if _, err := e.provisioned(appID); err != nil {
		return err
	}
	for _, p := range e.dir.PushedUsers(appID) {
		if p.Active && e.dir.IsAssigned(appID, p.UserID) {
			e.enqueue(Task{AppID: appID, Kind: KindUser, UserID: p.UserID, Force: true})
		}
	}
	return nil
}

// PushGroup is the Push Groups tab's "Push Groups": members assigned to the app and not provisioned yet
// are pushed first (to this app only), then the group is created on the server (A12) or, when already
// linked, its name and members are pushed ("Push Now").
func (e *Engine) PushGroup(appID, groupID string) error {
	app, err := e.provisioned(appID)
	if err != nil {
		return err
	}
	g, ok := e.dir.Group(groupID)
	if !ok {
		return fmt.Errorf("push group: group %q %w", groupID, directory.ErrNotFound)
	}
	if !app.Provisioning.Enabled().PushGroups {
		return fmt.Errorf("push group %s to app %s: Push Groups: %w", g.Name, app.Label, ErrFeatureOff)
	}
	for _, uid := range g.Members {
		if e.dir.IsAssigned(appID, uid) {
			e.enqueue(Task{AppID: appID, Kind: KindUser, UserID: uid})
		}
	}
	e.enqueue(Task{AppID: appID, Kind: KindPushGroup, GroupID: groupID, Subject: g.Name})
	return nil
}

// UnlinkGroup is "Unlink pushed group": with deleteInApp the server gets DELETE /Groups/{id} (A18),
// otherwise nothing is sent (A19). Users are never touched. A failed DELETE keeps the link.
func (e *Engine) UnlinkGroup(appID, groupID string, deleteInApp bool) error {
	app, ok := e.dir.App(appID)
	if !ok {
		return fmt.Errorf("unlink group: app %q %w", appID, directory.ErrNotFound)
	}
	gp, ok := e.dir.GroupPush(appID, groupID)
	if !ok {
		return fmt.Errorf("unlink group: group %q is not pushed to app %s: %w", groupID, app.Label, directory.ErrNotFound)
	}
	e.enqueue(Task{AppID: appID, Kind: KindUnlinkGroup, GroupID: groupID, DeleteInApp: deleteInApp, Subject: gp.DisplayName})
	return nil
}

// provisioned returns the app, or an error when it does not exist or has no provisioning.
func (e *Engine) provisioned(appID string) (directory.App, error) {
	app, ok := e.dir.App(appID)
	if !ok {
		return app, fmt.Errorf("provisioning: app %q %w", appID, directory.ErrNotFound)
	}
	if app.Provisioning == nil {
		return app, fmt.Errorf("provisioning of app %s: %w", app.Label, ErrFeatureOff)
	}
	return app, nil
}
