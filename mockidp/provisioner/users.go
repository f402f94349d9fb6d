package provisioner

import (
	"context"
	"fmt"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/scimpush"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// System Log event types of provisioning operations (Okta's names, a.6).
const (
	EventUserPush       = "application.provision.user.push"
	EventUserDeactivate = "application.provision.user.deactivate"
	EventUserReactivate = "application.provision.user.reactivate"
	EventGroupAdd       = "application.provision.group.add"
	EventGroupUpdate    = "application.provision.group.update"
	EventGroupRemove    = "application.provision.group.remove"
	EventRateLimit      = "application.provision.integration.rate_limit_exceeded"
)

// run does one task against the directory as it is now; it returns the task's subject (a login or a
// group name) and its failure.
func (e *Engine) run(ctx context.Context, t Task) (string, error) {
	app, ok := e.dir.App(t.AppID)
	if !ok || app.Provisioning == nil {
		return "", nil // app deleted or provisioning turned off meanwhile: nothing to send
	}
	switch t.Kind {
	case KindUser:
		return e.syncUser(ctx, app, t.UserID, t.Force)
	case KindGroup:
		return e.syncGroup(ctx, app, t.GroupID)
	case KindPushGroup:
		return e.pushGroup(ctx, app, t.GroupID)
	case KindUnlinkGroup:
		return t.Subject, e.unlinkGroup(ctx, app, t.GroupID, t.DeleteInApp)
	case KindPassword:
		return e.syncPassword(ctx, app, t.UserID, t.secret)
	case KindImport:
		return t.Subject, e.importUsers(ctx, app, t.WithGroups)
	}
	return "", fmt.Errorf("unknown task kind %q", t.Kind)
}

func target(p *directory.Provisioning) scimpush.Target {
	return scimpush.Target{BaseURL: p.BaseURL, Token: p.Token, Auth: scimpush.Auth(p.Auth), Username: p.Username,
		Flavour: scimpush.Flavour(p.FlavourOrDefault())}
}

// wanted is the profile Okta pushes for the user: the app username (the assignment's, or the one last
// pushed when the user is no longer assigned) and the mapped attributes.
func wanted(u directory.User, userName string) scimpush.User {
	return scimpush.User{ID: u.ID, UserName: userName, GivenName: u.FirstName, FamilyName: u.LastName,
		Email: u.Email, DisplayName: u.DisplayName()}
}

func samePushed(p directory.PushedUser, w scimpush.User) bool {
	return p.UserName == w.UserName && p.GivenName == w.GivenName && p.FamilyName == w.FamilyName &&
		p.Email == w.Email && p.DisplayName == w.DisplayName
}

func pushedRecord(appID string, w scimpush.User, externalID string, active bool) directory.PushedUser {
	return directory.PushedUser{AppID: appID, UserID: w.ID, ExternalID: externalID, UserName: w.UserName,
		GivenName: w.GivenName, FamilyName: w.FamilyName, Email: w.Email, DisplayName: w.DisplayName,
		Active: active}
}

// syncUser sends what the app's server needs to match the directory for one user (see the package
// table); force re-pushes the profile of a provisioned active user even when it did not change.
func (e *Engine) syncUser(ctx context.Context, app directory.App, userID string, force bool) (string, error) {
	feats := app.Provisioning.Enabled()
	u, exists := e.dir.User(userID)
	p, pushed := e.dir.PushedUser(app.ID, userID)
	if !exists {
		return "", nil // deleted: Okta sends nothing (A7)
	}
	asg, assigned := e.dir.Assignment(app.ID, userID)
	userName := p.UserName
	if assigned {
		userName = asg.UserName
	}
	w := wanted(u, userName)
	wantActive := assigned && u.Status != directory.StatusDeactivated
	switch {
	case !pushed:
		if !wantActive || !feats.Create || force {
			return w.UserName, nil
		}
		return w.UserName, e.pushNewUser(ctx, app, w)
	case p.Active && !wantActive:
		if !feats.Deactivate {
			return w.UserName, nil
		}
		return w.UserName, e.setActive(ctx, app, p, w, false)
	case !p.Active && wantActive && u.Status == directory.StatusActive:
		if !feats.Deactivate {
			return w.UserName, nil
		}
		if err := e.setActive(ctx, app, p, w, true); err != nil {
			return w.UserName, err
		}
		p, _ = e.dir.PushedUser(app.ID, userID)
	}
	if p.Active && wantActive && feats.Update && (force || !samePushed(p, w)) {
		return w.UserName, e.updateUser(ctx, app, p, w)
	}
	return w.UserName, nil
}

func (e *Engine) pushNewUser(ctx context.Context, app directory.App, w scimpush.User) error {
	op := e.begin(app)
	res, err := e.scim.PushUser(ctx, target(app.Provisioning), w, op.tr)
	msg := "Push user to app (link existing account)"
	if res.Created {
		msg = "Push new user to app"
	}
	if err := op.done(ctx, EventUserPush, msg, err, userTargetOf(w)); err != nil {
		return &opError{action: "creating user " + w.UserName, subject: "user " + w.UserName, app: app.Label, err: err}
	}
	e.dir.SetPushedUser(pushedRecord(app.ID, w, res.ID, true))
	return nil
}

func (e *Engine) setActive(ctx context.Context, app directory.App, p directory.PushedUser, w scimpush.User, active bool) error {
	op := e.begin(app)
	err := e.scim.SetActive(ctx, target(app.Provisioning), p.ExternalID, w, active, op.tr)
	ev, msg, verb := EventUserDeactivate, "Deactivate user in app", "deactivating"
	if active {
		ev, msg, verb = EventUserReactivate, "Reactivate user in app", "reactivating"
	}
	if err := op.done(ctx, ev, msg, err, userTargetOf(w)); err != nil {
		return &opError{action: verb + " user " + w.UserName, subject: "user " + w.UserName, app: app.Label, err: err}
	}
	rec := p
	rec.Active = active
	if app.Provisioning.FlavourOrDefault() == directory.FlavourAIW { // the PUT carried the profile too
		rec = pushedRecord(app.ID, w, p.ExternalID, active)
	}
	e.dir.SetPushedUser(rec)
	return nil
}

func (e *Engine) updateUser(ctx context.Context, app directory.App, p directory.PushedUser, w scimpush.User) error {
	op := e.begin(app)
	err := e.scim.UpdateUser(ctx, target(app.Provisioning), p.ExternalID, w, op.tr)
	if err := op.done(ctx, EventUserPush, "Push profile update to app", err, userTargetOf(w)); err != nil {
		return &opError{action: "updating user " + w.UserName, subject: "user " + w.UserName, app: app.Label, err: err}
	}
	e.dir.SetPushedUser(pushedRecord(app.ID, w, p.ExternalID, true))
	return nil
}

func userTargetOf(w scimpush.User) syslog.Target {
	return syslog.Target{ID: w.ID, Type: "User", AlternateID: w.UserName, DisplayName: w.DisplayName}
}
