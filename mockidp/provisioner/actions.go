package provisioner

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/scimpush"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// System Log event types of the actions below (Okta's names, a.6; the credential test's is the mock's).
const (
	EventUserPassword = "application.provision.user.password"
	EventUserImport   = "application.provision.user.import"
	EventGroupImport  = "application.provision.group_membership.import"
	EventTestAPI      = "application.provision.integration.test_credentials"
)

// TestCredentials is the Provisioning tab's "Test API Credentials" (A1): it sends GET
// /Users?startIndex=1&count=2 right away (not through the queue, as Okta answers on the page) and returns
// the failure in Okta's words.
func (e *Engine) TestCredentials(ctx context.Context, appID string) error {
	app, err := e.provisioned(appID)
	if err != nil {
		return err
	}
	op := e.begin(app)
	err = e.scim.TestCredentials(ctx, target(app.Provisioning), op.tr)
	if err := op.done(ctx, EventTestAPI, "Test API credentials", err, syslog.AppTarget(app.ID, app.Label)); err != nil {
		return errors.New("Error authenticating: " + reason(err))
	}
	return nil
}

// PasswordChanged records that a user's Okta password was set: apps with Sync Password on that have the
// user provisioned and active get a password task (A9).
func (e *Engine) PasswordChanged(userID, password string) {
	for _, app := range e.dir.Apps() {
		if app.Provisioning == nil || !app.Provisioning.Enabled().SyncPassword {
			continue
		}
		if p, ok := e.dir.PushedUser(app.ID, userID); ok && p.Active {
			e.enqueue(Task{AppID: app.ID, Kind: KindPassword, UserID: userID, secret: password})
		}
	}
}

func (e *Engine) syncPassword(ctx context.Context, app directory.App, userID, password string) (string, error) {
	u, ok := e.dir.User(userID)
	p, pushed := e.dir.PushedUser(app.ID, userID)
	if !ok || !pushed || !p.Active || password == "" {
		return p.UserName, nil
	}
	w := wanted(u, p.UserName)
	op := e.begin(app)
	err := e.scim.SetPassword(ctx, target(app.Provisioning), p.ExternalID, w, password, op.tr)
	if err := op.done(ctx, EventUserPassword, "Push password update to app", err, userTargetOf(w)); err != nil {
		return w.UserName, &opError{action: "updating the password of user " + w.UserName, subject: "user " + w.UserName, app: app.Label, err: err}
	}
	return w.UserName, nil
}

// Import queues "Import Now" (A10, then A11 when groups is true): the app's users are read page by page
// and matched to Okta users by an exact match of userName with the Okta login or of the email; a match is
// linked (assigned, with the server's id), a user without a match is created in Okta (STAGED) and linked.
// Groups are matched by name, created when missing, and get the members Okta knows by server id.
func (e *Engine) Import(appID string, groups bool) error {
	if _, err := e.provisioned(appID); err != nil {
		return err
	}
	e.enqueue(Task{AppID: appID, Kind: KindImport, Subject: "users", WithGroups: groups})
	return nil
}

func (e *Engine) importUsers(ctx context.Context, app directory.App, groups bool) error {
	op := e.begin(app)
	users, err := e.scim.ImportUsers(ctx, target(app.Provisioning), op.tr)
	var linked, created int
	for _, im := range users {
		isNew, lerr := e.link(app, im)
		err = errors.Join(err, lerr)
		if lerr == nil && isNew {
			created++
		} else if lerr == nil {
			linked++
		}
	}
	msg := fmt.Sprintf("Import users from app: %d matched, %d created", linked, created)
	if err := op.done(ctx, EventUserImport, msg, err, syslog.AppTarget(app.ID, app.Label)); err != nil {
		return &opError{action: "importing users", subject: "users", app: app.Label, err: err}
	}
	if groups {
		return e.importGroups(ctx, app)
	}
	return nil
}

// link matches an imported user to an Okta user (exact userName = login, else exact email), creating one
// when none matches, assigns it to the app and records the server's id.
func (e *Engine) link(app directory.App, im scimpush.Imported) (created bool, err error) {
	u, ok := e.dir.UserByLogin(im.UserName)
	if ok && u.Login != im.UserName {
		ok = false // UserByLogin ignores case; Okta's match is exact
	}
	if !ok && im.Email != "" {
		for _, cand := range e.dir.Users() {
			if cand.Email == im.Email {
				u, ok = cand, true
				break
			}
		}
	}
	if !ok {
		email := im.Email
		if email == "" {
			email = im.UserName
		}
		if u, err = e.dir.CreateUser(directory.UserInput{Login: im.UserName, Email: email,
			FirstName: im.GivenName, LastName: im.FamilyName, Staged: true}); err != nil {
			return false, fmt.Errorf("import %s: %w", im.UserName, err)
		}
		created = true
	}
	if _, err := e.dir.Assign(app.ID, u.ID); err != nil {
		return created, fmt.Errorf("import %s: %w", im.UserName, err)
	}
	e.dir.SetPushedUser(directory.PushedUser{AppID: app.ID, UserID: u.ID, ExternalID: im.ID, UserName: im.UserName,
		GivenName: im.GivenName, FamilyName: im.FamilyName, Email: im.Email,
		DisplayName: strings.TrimSpace(im.GivenName + " " + im.FamilyName), Active: true})
	return created, nil
}

func (e *Engine) importGroups(ctx context.Context, app directory.App) error {
	op := e.begin(app)
	groups, err := e.scim.ImportGroups(ctx, target(app.Provisioning), op.tr)
	byServerID := map[string]string{}
	for _, p := range e.dir.PushedUsers(app.ID) {
		byServerID[p.ExternalID] = p.UserID
	}
	for _, im := range groups {
		g, ok := e.dir.GroupByName(im.DisplayName)
		if !ok {
			var cerr error
			if g, cerr = e.dir.CreateGroup(directory.GroupInput{Name: im.DisplayName}); cerr != nil {
				err = errors.Join(err, cerr)
				continue
			}
		}
		for _, sid := range im.Members {
			if uid, known := byServerID[sid]; known {
				if merr := e.dir.AddGroupMember(g.ID, uid); merr != nil && !errors.Is(merr, directory.ErrConflict) {
					err = errors.Join(err, merr)
				}
			}
		}
	}
	msg := fmt.Sprintf("Import groups from app: %d groups", len(groups))
	if err := op.done(ctx, EventGroupImport, msg, err, syslog.AppTarget(app.ID, app.Label)); err != nil {
		return &opError{action: "importing groups", subject: "groups", app: app.Label, err: err}
	}
	return nil
}
