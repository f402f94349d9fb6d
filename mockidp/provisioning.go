package mockidp

// Provisioning: the org's provisioning engine. The directory keeps, per app, what the app's SCIM
// server was last told (PushedUser, GroupPush); after every change the engine compares that with the
// directory and sends what Okta would send, in Okta's order, per the app's flavour and enabled features
// (okta-scim.md a.3):
//
//	user assigned, not pushed yet            Create: F(u), POST /Users (or link: GET + PUT)     A2/A3
//	pushed user's profile changed            Update: GET + PUT                                  A4
//	pushed active user unassigned or         Deactivate: OIN PATCH {active:false};              A5
//	  deactivated in Okta                      AIW GET + PUT active:false
//	suspended / deleted in Okta              nothing                                            A6/A7
//	inactive pushed user assigned again      Deactivate (covers reactivation): OIN PATCH         A8
//	  and ACTIVE                               {active:true}; AIW GET + PUT; same server id
//	PushGroup                                Push Groups: A12; then membership and renames      A12-A16
//	UnlinkGroup(deleteInApp)                 DELETE /Groups/{id} or nothing                     A18/A19
//
// Only the users and groups a change touches are compared (Provision, the console's "Push Now",
// compares the whole app), so a failed push is retried by Push Now or the next change of that user, not
// by every change in the org. A deleted Okta group's push link is dropped without a request; a deleted
// user is forgotten without one (A7). Every operation is one System Log event (application.provision.*,
// outcome SUCCESS or FAILURE) whose debug data lists each exchange's request line and status.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/scimpush"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// Provisioning flavours (Provisioning.Flavour).
const (
	FlavourOIN = directory.FlavourOIN // OIN catalog app: PATCH for active and groups (the default)
	FlavourAIW = directory.FlavourAIW // App Integration Wizard app: GET then PUT for everything
)

// ProvisioningFeatures are the "Provisioning to App" checkboxes: Create (Push New Users), Update (Push
// Profile Updates), Deactivate (Push User Deactivation and Reactivate Users) and PushGroups.
type ProvisioningFeatures = directory.Features

// System Log event types of provisioning operations (Okta's names, a.6).
const (
	EventProvisionUserPush       = "application.provision.user.push"
	EventProvisionUserDeactivate = "application.provision.user.deactivate"
	EventProvisionUserReactivate = "application.provision.user.reactivate"
	EventProvisionGroupAdd       = "application.provision.group.add"
	EventProvisionGroupUpdate    = "application.provision.group.update"
	EventProvisionGroupRemove    = "application.provision.group.remove"
	EventProvisionRateLimit      = "application.provision.integration.rate_limit_exceeded"
)

// ErrFeatureOff reports an operation whose provisioning feature is off, or an app without provisioning.
var ErrFeatureOff = errors.New("provisioning feature is off")

func toDirProvisioning(p Provisioning) directory.Provisioning {
	return directory.Provisioning{BaseURL: p.BaseURL, Token: p.Token, Flavour: p.Flavour, Features: p.Features}
}

// Provisioning returns an app's provisioning settings; ok is false when provisioning is off.
func (o *Org) Provisioning(appID string) (p Provisioning, ok bool) {
	a, found := o.dir.App(appID)
	if !found || a.Provisioning == nil {
		return Provisioning{}, false
	}
	d := a.Provisioning
	return Provisioning{BaseURL: d.BaseURL, Token: d.Token, Flavour: d.Flavour, Features: d.Features}, true
}

func target(p *directory.Provisioning) scimpush.Target {
	return scimpush.Target{BaseURL: p.BaseURL, Token: p.Token, Flavour: scimpush.Flavour(p.FlavourOrDefault())}
}

// UserUpdate changes an Okta user's profile; nil fields are kept.
type UserUpdate struct {
	Login, Email, FirstName, LastName, Password *string
}

// UpdateUser changes a user's profile and pushes the new profile to every app that provisions the user
// with Push Profile Updates on (A4: GET + PUT). The change stays when a push fails.
func (o *Org) UpdateUser(ctx context.Context, id string, in UserUpdate) (User, error) {
	u, err := o.dir.UpdateUser(id, directory.ProfileUpdate(in))
	if err != nil {
		return User{}, err
	}
	return toUser(u), o.SyncUsers(ctx, id)
}

// UpdateGroup renames a group (and sets its description); apps the group is pushed to get the new
// name (A16).
func (o *Org) UpdateGroup(ctx context.Context, id string, in GroupInput) (Group, error) {
	g, err := o.dir.UpdateGroup(id, directory.GroupInput(in))
	if err != nil {
		return Group{}, err
	}
	return toGroup(g), o.SyncGroup(ctx, id)
}

// SyncUsers pushes what changed about these users to every app with provisioning, then the membership
// of the pushed groups they are (or were) in. It returns the push errors joined.
func (o *Org) SyncUsers(ctx context.Context, userIDs ...string) error {
	o.pushMu.Lock()
	defer o.pushMu.Unlock()
	var errs []error
	for _, app := range o.dir.Apps() {
		if app.Provisioning == nil {
			continue
		}
		for _, uid := range userIDs {
			errs = append(errs, o.syncUser(ctx, app, uid))
		}
		for _, gp := range o.dir.GroupPushes(app.ID) {
			if o.touches(gp, userIDs) {
				errs = append(errs, o.syncGroupPush(ctx, app, gp))
			}
		}
	}
	return errors.Join(errs...)
}

// touches reports whether a pushed group has or had one of the users as a member.
func (o *Org) touches(gp directory.GroupPush, userIDs []string) bool {
	g, _ := o.dir.Group(gp.GroupID)
	for _, uid := range userIDs {
		if slices.Contains(gp.Members, uid) || slices.Contains(g.Members, uid) {
			return true
		}
	}
	return false
}

// SyncGroup pushes a group's name and membership to every app it is pushed to.
func (o *Org) SyncGroup(ctx context.Context, groupID string) error {
	o.pushMu.Lock()
	defer o.pushMu.Unlock()
	var errs []error
	for _, app := range o.dir.Apps() {
		if gp, ok := o.dir.GroupPush(app.ID, groupID); ok && app.Provisioning != nil {
			errs = append(errs, o.syncGroupPush(ctx, app, gp))
		}
	}
	return errors.Join(errs...)
}

// Provision is the Provisioning tab's "Push Now": it compares every user the app has (assigned or
// pushed) and every pushed group with the directory and sends what differs. It returns the push errors
// joined; the directory is never rolled back.
func (o *Org) Provision(ctx context.Context, appID string) error {
	app, ok := o.dir.App(appID)
	if !ok {
		return fmt.Errorf("provision app %q: %w", appID, ErrNotFound)
	}
	if app.Provisioning == nil {
		return nil
	}
	o.pushMu.Lock()
	defer o.pushMu.Unlock()
	seen := map[string]bool{}
	var errs []error
	for _, asg := range o.dir.AppUsers(appID) {
		seen[asg.UserID] = true
		errs = append(errs, o.syncUser(ctx, app, asg.UserID))
	}
	for _, p := range o.dir.PushedUsers(appID) {
		if !seen[p.UserID] {
			errs = append(errs, o.syncUser(ctx, app, p.UserID))
		}
	}
	for _, gp := range o.dir.GroupPushes(appID) {
		errs = append(errs, o.syncGroupPush(ctx, app, gp))
	}
	return errors.Join(errs...)
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

// syncUser sends what the app's server needs to match the directory for one user (see the table above).
func (o *Org) syncUser(ctx context.Context, app directory.App, userID string) error {
	feats := app.Provisioning.Enabled()
	u, exists := o.dir.User(userID)
	p, pushed := o.dir.PushedUser(app.ID, userID)
	if !exists {
		return nil // deleted: Okta sends nothing (A7)
	}
	asg, assigned := o.dir.Assignment(app.ID, userID)
	userName := p.UserName
	if assigned {
		userName = asg.UserName
	}
	w := wanted(u, userName)
	wantActive := assigned && u.Status != directory.StatusDeactivated
	switch {
	case !pushed:
		if !wantActive || !feats.Create {
			return nil
		}
		return o.pushNewUser(ctx, app, w)
	case p.Active && !wantActive:
		if !feats.Deactivate {
			return nil
		}
		return o.setActive(ctx, app, p, w, false)
	case !p.Active && wantActive && u.Status == directory.StatusActive:
		if !feats.Deactivate {
			return nil
		}
		if err := o.setActive(ctx, app, p, w, true); err != nil {
			return err
		}
		p, _ = o.dir.PushedUser(app.ID, userID)
	}
	if p.Active && wantActive && feats.Update && !samePushed(p, w) {
		return o.updateUser(ctx, app, p, w)
	}
	return nil
}

func (o *Org) pushNewUser(ctx context.Context, app directory.App, w scimpush.User) error {
	op := o.begin(app)
	res, err := o.scim.PushUser(ctx, target(app.Provisioning), w, op.tr)
	msg := "Push user to app (link existing account)"
	if res.Created {
		msg = "Push new user to app"
	}
	if err := op.done(ctx, EventProvisionUserPush, msg, err, userTargetOf(w)); err != nil {
		return fmt.Errorf("push user %s to app %s: %w", w.UserName, app.Label, err)
	}
	o.dir.SetPushedUser(pushedRecord(app.ID, w, res.ID, true))
	return nil
}

func (o *Org) setActive(ctx context.Context, app directory.App, p directory.PushedUser, w scimpush.User, active bool) error {
	op := o.begin(app)
	err := o.scim.SetActive(ctx, target(app.Provisioning), p.ExternalID, w, active, op.tr)
	ev, msg, verb := EventProvisionUserDeactivate, "Deactivate user in app", "deactivate"
	if active {
		ev, msg, verb = EventProvisionUserReactivate, "Reactivate user in app", "reactivate"
	}
	if err := op.done(ctx, ev, msg, err, userTargetOf(w)); err != nil {
		return fmt.Errorf("%s user %s in app %s: %w", verb, w.UserName, app.Label, err)
	}
	rec := p
	rec.Active = active
	if app.Provisioning.FlavourOrDefault() == FlavourAIW { // the PUT carried the profile too
		rec = pushedRecord(app.ID, w, p.ExternalID, active)
	}
	o.dir.SetPushedUser(rec)
	return nil
}

func (o *Org) updateUser(ctx context.Context, app directory.App, p directory.PushedUser, w scimpush.User) error {
	op := o.begin(app)
	err := o.scim.UpdateUser(ctx, target(app.Provisioning), p.ExternalID, w, op.tr)
	if err := op.done(ctx, EventProvisionUserPush, "Push profile update to app", err, userTargetOf(w)); err != nil {
		return fmt.Errorf("push profile of %s to app %s: %w", w.UserName, app.Label, err)
	}
	o.dir.SetPushedUser(pushedRecord(app.ID, w, p.ExternalID, true))
	return nil
}

func userTargetOf(w scimpush.User) syslog.Target {
	return syslog.Target{ID: w.ID, Type: "User", AlternateID: w.UserName, DisplayName: w.DisplayName}
}

// provisioningActor is Okta's provisioning engine as the System Log actor.
var provisioningActor = syslog.Actor{ID: "0oa0mockidpscim00000", Type: "SystemPrincipal",
	AlternateID: "system@okta.com", DisplayName: "Okta System"}

// operation is one provisioning operation in progress: its exchanges are those the app's transcript
// gained since begin.
type operation struct {
	o     *Org
	app   directory.App
	tr    *scimpush.Transcript
	start int
}

func (o *Org) begin(app directory.App) operation {
	tr := o.transcript(app.ID)
	return operation{o: o, app: app, tr: tr, start: tr.Len()}
}

// done logs the operation with its exchanges and outcome, and returns err.
func (op operation) done(ctx context.Context, eventType, msg string, err error, targets ...syslog.Target) error {
	debug := map[string]string{}
	for i, ex := range op.tr.Since(op.start) {
		line := ex.Method + " " + ex.URL + " -> " + strconv.Itoa(ex.Status)
		if ex.Err != "" {
			line += " (" + ex.Err + ")"
		}
		debug["exchange"+strconv.Itoa(i+1)] = line
		if ex.Status == 429 {
			op.o.log.Append(ctx, syslog.Event{EventType: EventProvisionRateLimit, Actor: provisioningActor,
				DisplayMessage: "App rate limit reached; retrying later", Outcome: syslog.Failure("429 Too Many Requests"),
				Targets: []syslog.Target{syslog.AppTarget(op.app.ID, op.app.Label)}, Debug: map[string]string{"exchange": line}})
		}
	}
	outcome := syslog.Success()
	if err != nil {
		outcome = syslog.Failure(err.Error())
		msg += " failed"
	}
	op.o.log.Append(ctx, syslog.Event{EventType: eventType, Actor: provisioningActor, DisplayMessage: msg,
		Outcome: outcome, Targets: append(targets, syslog.AppTarget(op.app.ID, op.app.Label)), Debug: debug})
	return err
}

// SCIMMaxAttempts is how many times a SCIM request is sent while the app answers 429.
const SCIMMaxAttempts = scimpush.MaxAttempts
