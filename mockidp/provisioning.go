package mockidp

// Provisioning: the org's Go API to its provisioning engine (package provisioner). Every change method of
// the Org (AssignUser, UpdateUser, DeactivateUser, AddGroupMember, ...) changes the directory, then tells
// the engine which users or groups changed and returns: the SCIM requests are sent by the engine, in the
// background, in a queue per app integration. Use WaitQuiet to wait for an app's queue, Tasks to see what
// was sent or failed, RetryTask / DismissTask for failed tasks, and Settle (WaitQuiet plus the failures
// since a mark) where a caller wants the old "change and get the push error" behaviour.
//
//	seq := org.TaskSeq()
//	_ = org.AssignUser(ctx, app.ID, u.ID)
//	err := org.Settle(ctx, app.ID, seq) // nil, or the failed tasks' errors in Okta's words

import (
	"context"
	"errors"
	"slices"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/provisioner"
	"github.com/ssoconform/ssoconform/mockidp/scimpush"
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
	EventProvisionUserPush       = provisioner.EventUserPush
	EventProvisionUserDeactivate = provisioner.EventUserDeactivate
	EventProvisionUserReactivate = provisioner.EventUserReactivate
	EventProvisionGroupAdd       = provisioner.EventGroupAdd
	EventProvisionGroupUpdate    = provisioner.EventGroupUpdate
	EventProvisionGroupRemove    = provisioner.EventGroupRemove
	EventProvisionRateLimit      = provisioner.EventRateLimit
)

// ErrFeatureOff reports an operation whose provisioning feature is off, or an app without provisioning.
var ErrFeatureOff = provisioner.ErrFeatureOff

// Task is one provisioning task of an app (Dashboard > Tasks): its status (TaskQueued ... TaskDismissed),
// the failure in Okta's words, and its exchanges in the app's transcript.
type Task = provisioner.Task

// Task statuses.
const (
	TaskQueued      = provisioner.StatusQueued
	TaskRunning     = provisioner.StatusRunning
	TaskRateLimited = provisioner.StatusRateLimited
	TaskFailed      = provisioner.StatusFailed
	TaskCompleted   = provisioner.StatusCompleted
	TaskDismissed   = provisioner.StatusDismissed
)

// SCIM authentication modes (Provisioning.Auth).
const (
	AuthBearer = directory.AuthBearer // Authorization: Bearer <token> (the default)
	AuthHeader = directory.AuthHeader // Authorization: <token> (OIN "Header Auth")
	AuthBasic  = directory.AuthBasic  // Authorization: Basic (Username, Token as password)
)

func toDirProvisioning(p Provisioning) directory.Provisioning {
	return directory.Provisioning{BaseURL: p.BaseURL, Token: p.Token, Auth: p.Auth, Username: p.Username,
		Flavour: p.Flavour, Features: p.Features}
}

// Provisioning returns an app's provisioning settings; ok is false when provisioning is off.
func (o *Org) Provisioning(appID string) (p Provisioning, ok bool) {
	a, found := o.dir.App(appID)
	if !found || a.Provisioning == nil {
		return Provisioning{}, false
	}
	d := a.Provisioning
	return Provisioning{BaseURL: d.BaseURL, Token: d.Token, Auth: d.Auth, Username: d.Username, Flavour: d.Flavour,
		Features: d.Features}, true
}

// UserUpdate changes an Okta user's profile; nil fields are kept.
type UserUpdate struct {
	Login, Email, FirstName, LastName, Password *string
}

// UpdateUser changes a user's profile; apps that provision the user with Push Profile Updates on get the
// new profile (A4: GET + PUT), and a new password goes to apps with Sync Password on (A9).
func (o *Org) UpdateUser(ctx context.Context, id string, in UserUpdate) (User, error) {
	u, err := o.dir.UpdateUser(id, directory.ProfileUpdate(in))
	if err != nil {
		return User{}, err
	}
	if in.Password != nil {
		o.eng.PasswordChanged(id, *in.Password)
	}
	return toUser(u), o.SyncUsers(ctx, id)
}

// TestAPICredentials is the Provisioning tab's "Test API Credentials" (A1): GET
// /Users?startIndex=1&count=2 now; the error says what failed in Okta's words.
func (o *Org) TestAPICredentials(ctx context.Context, appID string) error {
	return o.eng.TestCredentials(ctx, appID)
}

// Import queues "Import Now" (A10; A11 too when groups): the app's users are read with paging and
// matched to Okta users by exact userName (login) or email, linked or created.
func (o *Org) Import(_ context.Context, appID string, groups bool) error {
	return o.eng.Import(appID, groups)
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

// SyncUsers records that these users changed: each app with provisioning gets the tasks that bring its
// server in line (and the pushed groups they are or were in). It never fails; it exists for the console
// and the management API, which change the directory themselves.
func (o *Org) SyncUsers(_ context.Context, userIDs ...string) error {
	o.eng.UsersChanged(userIDs...)
	return nil
}

// SyncGroup records that a group was renamed: the apps it is pushed to get the new name.
func (o *Org) SyncGroup(_ context.Context, groupID string) error {
	o.eng.GroupChanged(groupID)
	return nil
}

// Provision is "Provision User" for every user of the app: users assigned before provisioning was on are
// created or linked, and every difference (including failed changes) is pushed again; pushed groups
// too. It fails only for an unknown app or one without provisioning.
func (o *Org) Provision(_ context.Context, appID string) error { return o.eng.Provision(appID) }

// ForceSync is the Provisioning tab's "Force Sync" (A21): every user already provisioned to the app gets
// its profile pushed again; users never provisioned get nothing.
func (o *Org) ForceSync(_ context.Context, appID string) error { return o.eng.ForceSync(appID) }

// WaitQuiet waits until the app's provisioning queue is empty and idle (a task waiting after a 429 is
// not idle), or ctx ends.
func (o *Org) WaitQuiet(ctx context.Context, appID string) error { return o.eng.WaitQuiet(ctx, appID) }

// TaskSeq marks the tasks made so far: pass it to Settle to look only at later ones.
func (o *Org) TaskSeq() int { return o.eng.Seq() }

// Settle waits until the app's queue is quiet, then returns the errors of the app's tasks made after seq
// that failed, joined (nil when none failed).
func (o *Org) Settle(ctx context.Context, appID string, seq int) error {
	if err := o.eng.WaitQuiet(ctx, appID); err != nil {
		return err
	}
	var errs []error
	for _, t := range o.eng.Tasks(appID) {
		if t.Seq > seq && t.Status == TaskFailed {
			errs = append(errs, errors.New(t.Message), t.Err())
		}
	}
	return errors.Join(errs...)
}

// Tasks returns the app's provisioning tasks in creation order. Tasks that had nothing to send are not
// kept.
func (o *Org) Tasks(appID string) []Task { return o.eng.Tasks(appID) }

// RetryTask queues a failed task again ("Retry Selected").
func (o *Org) RetryTask(_ context.Context, id string) error { return o.eng.Retry(id) }

// RetryTasks queues every failed task of the app again and returns how many.
func (o *Org) RetryTasks(_ context.Context, appID string) int { return o.eng.RetryAll(appID) }

// DismissTask dismisses a failed task.
func (o *Org) DismissTask(_ context.Context, id string) error { return o.eng.Dismiss(id) }

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
// were not provisioned yet are pushed first (to this app only), then the group is created on the server
// (A12) and linked, so later membership changes and renames follow (A14, A16). Pushing a linked group
// pushes its current name and membership. The app must have provisioning with Push Groups on
// (ErrFeatureOff otherwise).
func (o *Org) PushGroup(_ context.Context, appID, groupID string) error {
	return o.eng.PushGroup(appID, groupID)
}

// UnlinkGroup unlinks a pushed group (Push Groups tab, "Unlink pushed group"): with deleteInApp ("Delete
// the group in the target app") Okta sends DELETE /Groups/{id} (A18); otherwise ("Leave the group in the
// target app") nothing is sent (A19). Users are never touched. A failed DELETE keeps the link.
func (o *Org) UnlinkGroup(_ context.Context, appID, groupID string, deleteInApp bool) error {
	return o.eng.UnlinkGroup(appID, groupID, deleteInApp)
}

// SCIMMaxAttempts is how many times a SCIM request is sent while the app answers 429.
const SCIMMaxAttempts = scimpush.MaxAttempts

// provisioningActor is Okta's provisioning engine as the System Log actor.
var provisioningActor = provisioner.Actor
