package mockidp

import (
	"context"
	"fmt"
	"slices"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/scimpush"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// PushedGroup is a group pushed to an app (the Push Groups tab): ExternalID is the id the app's SCIM
// server gave the group; Members are the Okta user ids the server was last told.
type PushedGroup struct {
	GroupID, Name, ExternalID string
	Members                   []string
}

// PushedGroups returns the groups pushed to an app, in the org's group order.
func (o *Org) PushedGroups(appID string) []PushedGroup {
	var out []PushedGroup
	for _, gp := range o.dir.GroupPushes(appID) {
		out = append(out, PushedGroup{GroupID: gp.GroupID, Name: gp.DisplayName, ExternalID: gp.ExternalID,
			Members: slices.Clone(gp.Members)})
	}
	return out
}

// GroupExternalID returns the id the app's SCIM server gave a pushed group.
func (o *Org) GroupExternalID(appID, groupID string) (string, bool) {
	gp, ok := o.dir.GroupPush(appID, groupID)
	return gp.ExternalID, ok
}

// PushGroup pushes a group to an app (Push Groups tab, "Push Groups"): members assigned to the app who
// were not provisioned yet are pushed first, then the group is created on the server with them (A12) and
// linked, so later membership changes and renames follow (A14, A16). Pushing a group that is already
// linked pushes its current name and membership ("Push Now"). The app must have provisioning with Push
// Groups on (ErrFeatureOff otherwise).
func (o *Org) PushGroup(ctx context.Context, appID, groupID string) error {
	app, g, err := o.groupPushTarget(appID, groupID)
	if err != nil {
		return err
	}
	if _, linked := o.dir.GroupPush(appID, groupID); linked {
		return o.SyncGroup(ctx, groupID)
	}
	if err := o.SyncUsers(ctx, g.Members...); err != nil {
		return fmt.Errorf("push group %s: %w", g.Name, err)
	}
	o.pushMu.Lock()
	defer o.pushMu.Unlock()
	ids, members := o.groupMembers(app.ID, g)
	op := o.begin(app)
	id, err := o.scim.PushGroup(ctx, target(app.Provisioning), scimpush.Group{DisplayName: g.Name, Members: members}, op.tr)
	if err := op.done(ctx, EventProvisionGroupAdd, "Push group to app", err, groupTargetOf(g)); err != nil {
		return fmt.Errorf("push group %s to app %s: %w", g.Name, app.Label, err)
	}
	o.dir.SetGroupPush(directory.GroupPush{AppID: app.ID, GroupID: g.ID, ExternalID: id, DisplayName: g.Name, Members: ids})
	return nil
}

func (o *Org) groupPushTarget(appID, groupID string) (directory.App, directory.Group, error) {
	app, ok := o.dir.App(appID)
	if !ok {
		return app, directory.Group{}, fmt.Errorf("push group: app %q %w", appID, ErrNotFound)
	}
	g, ok := o.dir.Group(groupID)
	if !ok {
		return app, g, fmt.Errorf("push group: group %q %w", groupID, ErrNotFound)
	}
	if app.Provisioning == nil || !app.Provisioning.Enabled().PushGroups {
		return app, g, fmt.Errorf("push group %s to app %s: Push Groups: %w", g.Name, app.Label, ErrFeatureOff)
	}
	return app, g, nil
}

// UnlinkGroup unlinks a pushed group (Push Groups tab, "Unlink pushed group"): with deleteInApp ("Delete
// the group in the target app") Okta sends DELETE /Groups/{id} (A18); otherwise ("Leave the group in the
// target app") nothing is sent (A19). Users are never touched. A failed DELETE keeps the link.
func (o *Org) UnlinkGroup(ctx context.Context, appID, groupID string, deleteInApp bool) error {
	app, ok := o.dir.App(appID)
	if !ok {
		return fmt.Errorf("unlink group: app %q %w", appID, ErrNotFound)
	}
	o.pushMu.Lock()
	defer o.pushMu.Unlock()
	gp, ok := o.dir.GroupPush(appID, groupID)
	if !ok {
		return fmt.Errorf("unlink group: group %q is not pushed to app %s: %w", groupID, app.Label, ErrNotFound)
	}
	if deleteInApp && app.Provisioning != nil {
		op := o.begin(app)
		err := o.scim.DeleteGroup(ctx, target(app.Provisioning), gp.ExternalID, op.tr)
		g := syslog.Target{ID: gp.GroupID, Type: "UserGroup", AlternateID: "unknown", DisplayName: gp.DisplayName}
		if err := op.done(ctx, EventProvisionGroupRemove, "Delete pushed group in app", err, g); err != nil {
			return fmt.Errorf("unlink group %s from app %s: %w", gp.DisplayName, app.Label, err)
		}
	}
	o.dir.DeleteGroupPush(appID, groupID)
	return nil
}

// groupMembers are the group's members the app's server knows (assigned and pushed), as Okta ids and as
// SCIM members.
func (o *Org) groupMembers(appID string, g directory.Group) ([]string, []scimpush.Member) {
	var ids []string
	var members []scimpush.Member
	for _, uid := range g.Members {
		p, pushed := o.dir.PushedUser(appID, uid)
		if !pushed || !o.dir.IsAssigned(appID, uid) {
			continue
		}
		ids = append(ids, uid)
		members = append(members, scimpush.Member{Value: p.ExternalID, Display: p.UserName})
	}
	return ids, members
}

// scimMembers turns Okta user ids last pushed into SCIM members (users forgotten since are left out).
func (o *Org) scimMembers(appID string, ids []string) []scimpush.Member {
	var out []scimpush.Member
	for _, uid := range ids {
		if p, ok := o.dir.PushedUser(appID, uid); ok {
			out = append(out, scimpush.Member{Value: p.ExternalID, Display: p.UserName})
		}
	}
	return out
}

// syncGroupPush sends a pushed group's rename and membership changes (A14, A16).
func (o *Org) syncGroupPush(ctx context.Context, app directory.App, gp directory.GroupPush) error {
	g, ok := o.dir.Group(gp.GroupID)
	if !ok || !app.Provisioning.Enabled().PushGroups {
		return nil
	}
	ids, members := o.groupMembers(app.ID, g)
	if g.Name == gp.DisplayName && slices.Equal(ids, gp.Members) {
		return nil
	}
	old := scimpush.Group{DisplayName: gp.DisplayName, Members: o.scimMembers(app.ID, gp.Members)}
	op := o.begin(app)
	err := o.scim.UpdateGroup(ctx, target(app.Provisioning), gp.ExternalID, old,
		scimpush.Group{DisplayName: g.Name, Members: members}, op.tr)
	if op.tr.Len() == op.start && err == nil { // same members in another order: nothing to send
		gp.Members = ids
		o.dir.SetGroupPush(gp)
		return nil
	}
	if err := op.done(ctx, EventProvisionGroupUpdate, "Update pushed group in app", err, groupTargetOf(g)); err != nil {
		return fmt.Errorf("update group %s in app %s: %w", g.Name, app.Label, err)
	}
	gp.DisplayName, gp.Members = g.Name, ids
	o.dir.SetGroupPush(gp)
	return nil
}

func groupTargetOf(g directory.Group) syslog.Target {
	return syslog.Target{ID: g.ID, Type: "UserGroup", AlternateID: "unknown", DisplayName: g.Name}
}
