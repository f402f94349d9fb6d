package provisioner

import (
	"context"
	"slices"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/scimpush"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// pushGroup creates the group on the app's server with its members (A12) and links it; a group already
// linked is pushed again with its full member list ("Push Now", A15).
func (e *Engine) pushGroup(ctx context.Context, app directory.App, groupID string) (string, error) {
	g, ok := e.dir.Group(groupID)
	if !ok || !app.Provisioning.Enabled().PushGroups {
		return g.Name, nil // deleted or Push Groups turned off meanwhile
	}
	if gp, linked := e.dir.GroupPush(app.ID, groupID); linked {
		return g.Name, e.pushNow(ctx, app, g, gp)
	}
	ids, members := e.groupMembers(app.ID, g)
	op := e.begin(app)
	id, err := e.scim.PushGroup(ctx, target(app.Provisioning), scimpush.Group{DisplayName: g.Name, Members: members}, op.tr)
	if err := op.done(ctx, EventGroupAdd, "Push group to app", err, groupTargetOf(g)); err != nil {
		return g.Name, &opError{action: "pushing group " + g.Name, subject: "group " + g.Name, app: app.Label, err: err}
	}
	e.dir.SetGroupPush(directory.GroupPush{AppID: app.ID, GroupID: g.ID, ExternalID: id, DisplayName: g.Name, Members: ids})
	return g.Name, nil
}

// pushNow replaces the app group's members with the full list Okta has, making Okta the master (A15).
func (e *Engine) pushNow(ctx context.Context, app directory.App, g directory.Group, gp directory.GroupPush) error {
	ids, members := e.groupMembers(app.ID, g)
	op := e.begin(app)
	err := e.scim.ReplaceMembers(ctx, target(app.Provisioning), gp.ExternalID, gp.DisplayName,
		scimpush.Group{DisplayName: g.Name, Members: members}, op.tr)
	if err := op.done(ctx, EventGroupUpdate, "Push group members to app (Push Now)", err, groupTargetOf(g)); err != nil {
		return &opError{action: "pushing group " + g.Name, subject: "group " + g.Name, app: app.Label, err: err}
	}
	gp.DisplayName, gp.Members = g.Name, ids
	e.dir.SetGroupPush(gp)
	return nil
}

// unlinkGroup drops a push link, deleting the app's group first when asked (A18/A19).
func (e *Engine) unlinkGroup(ctx context.Context, app directory.App, groupID string, deleteInApp bool) error {
	gp, ok := e.dir.GroupPush(app.ID, groupID)
	if !ok {
		return nil // unlinked meanwhile
	}
	if deleteInApp {
		op := e.begin(app)
		err := e.scim.DeleteGroup(ctx, target(app.Provisioning), gp.ExternalID, op.tr)
		g := syslog.Target{ID: gp.GroupID, Type: "UserGroup", AlternateID: "unknown", DisplayName: gp.DisplayName}
		if err := op.done(ctx, EventGroupRemove, "Delete pushed group in app", err, g); err != nil {
			return &opError{action: "deleting group " + gp.DisplayName, subject: "group " + gp.DisplayName, app: app.Label, err: err}
		}
	}
	e.dir.DeleteGroupPush(app.ID, groupID)
	return nil
}

// groupMembers are the group's members the app's server knows (assigned and pushed), as Okta ids and as
// SCIM members.
func (e *Engine) groupMembers(appID string, g directory.Group) ([]string, []scimpush.Member) {
	var ids []string
	var members []scimpush.Member
	for _, uid := range g.Members {
		p, pushed := e.dir.PushedUser(appID, uid)
		if !pushed || !e.dir.IsAssigned(appID, uid) {
			continue
		}
		ids = append(ids, uid)
		members = append(members, scimpush.Member{Value: p.ExternalID, Display: p.UserName})
	}
	return ids, members
}

// scimMembers turns Okta user ids last pushed into SCIM members (users forgotten since are left out).
func (e *Engine) scimMembers(appID string, ids []string) []scimpush.Member {
	var out []scimpush.Member
	for _, uid := range ids {
		if p, ok := e.dir.PushedUser(appID, uid); ok {
			out = append(out, scimpush.Member{Value: p.ExternalID, Display: p.UserName})
		}
	}
	return out
}

// syncGroup sends a pushed group's rename and membership changes (A14, A16).
func (e *Engine) syncGroup(ctx context.Context, app directory.App, groupID string) (string, error) {
	gp, linked := e.dir.GroupPush(app.ID, groupID)
	g, ok := e.dir.Group(groupID)
	if !linked || !ok || !app.Provisioning.Enabled().PushGroups {
		return g.Name, nil
	}
	ids, members := e.groupMembers(app.ID, g)
	if g.Name == gp.DisplayName && slices.Equal(ids, gp.Members) {
		return g.Name, nil
	}
	old := scimpush.Group{DisplayName: gp.DisplayName, Members: e.scimMembers(app.ID, gp.Members)}
	op := e.begin(app)
	err := e.scim.UpdateGroup(ctx, target(app.Provisioning), gp.ExternalID, old,
		scimpush.Group{DisplayName: g.Name, Members: members}, op.tr)
	if op.tr.Len() == op.start && err == nil { // same members in another order: nothing to send
		gp.Members = ids
		e.dir.SetGroupPush(gp)
		return g.Name, nil
	}
	if err := op.done(ctx, EventGroupUpdate, "Update pushed group in app", err, groupTargetOf(g)); err != nil {
		return g.Name, &opError{action: "updating group " + g.Name, subject: "group " + g.Name, app: app.Label, err: err}
	}
	gp.DisplayName, gp.Members = g.Name, ids
	e.dir.SetGroupPush(gp)
	return g.Name, nil
}

func groupTargetOf(g directory.Group) syslog.Target {
	return syslog.Target{ID: g.ID, Type: "UserGroup", AlternateID: "unknown", DisplayName: g.Name}
}
