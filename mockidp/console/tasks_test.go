package console_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/mockidp/console"
	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/provisioner"
)

// fakeActions records the console's calls and serves fixed tasks.
type fakeActions struct {
	console.Actions // calls not overridden panic
	tasks           []provisioner.Task
	calls           []string
	testErr         error
}

func (f *fakeActions) Tasks(string) []provisioner.Task { return f.tasks }
func (f *fakeActions) RetryTask(_ context.Context, id string) error {
	f.calls = append(f.calls, "retry "+id)
	return nil
}
func (f *fakeActions) DismissTask(_ context.Context, id string) error {
	f.calls = append(f.calls, "dismiss "+id)
	return nil
}
func (f *fakeActions) TestAPICredentials(context.Context, string) error {
	f.calls = append(f.calls, "test")
	return f.testErr
}
func (f *fakeActions) SetFaults(_ context.Context, _ string, names ...string) error {
	f.calls = append(f.calls, "faults "+strings.Join(names, ","))
	return nil
}

func TestTasksTab(t *testing.T) {
	t.Parallel()
	acts := &fakeActions{tasks: []provisioner.Task{
		{ID: "tsk1", Kind: provisioner.KindUser, Subject: "ann@acme.test", Status: provisioner.StatusFailed, Attempts: 1,
			Message: "Automatic provisioning of user ann@acme.test to app refapp failed: Error while creating user ann@acme.test: Conflict."},
		{ID: "tsk2", Kind: provisioner.KindUser, Subject: "bob@acme.test", Status: provisioner.StatusRateLimited, RateLimits: 1},
	}}
	e := newActionsEnv(t, console.Config{Actions: acts})
	app, err := e.dir.CreateOIDCApp(directory.OIDCAppInput{Label: "refapp", RedirectURIs: []string{"http://a.test/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	base := "/admin/apps/" + app.ID
	_, body := e.get(base + "?tab=tasks")
	for _, want := range []string{"Error while creating user ann@acme.test: Conflict.", "RATE_LIMITED", base + "/tasks/tsk1/retry"} {
		if !strings.Contains(body, want) {
			t.Errorf("Tasks tab lacks %q", want)
		}
	}
	if strings.Contains(body, base+"/tasks/tsk2/retry") {
		t.Error("a task that is not failed must offer no Retry")
	}
	e.post(base+"/tasks/tsk1/retry", nil)
	e.post(base+"/tasks/tsk1/dismiss", nil)
	acts.testErr = errors.New("Error authenticating: Unauthorized.")
	if _, body := e.post(base+"/provisioning/test", nil); !strings.Contains(body, "Error authenticating: Unauthorized.") {
		t.Error("a failed credential test must be shown")
	}
	if diff := cmp.Diff([]string{"retry tsk1", "dismiss tsk1", "test"}, acts.calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestFaultsTab(t *testing.T) {
	t.Parallel()
	acts := &fakeActions{}
	e := newActionsEnv(t, console.Config{Actions: acts, Faults: []console.Fault{
		{Name: "oidc-iss-wrong", Rule: "iss must be the issuer", Description: "iss is another org"},
		{Name: "oidc-exp-past", Rule: "exp in the future", Description: "expired"},
		{Name: "saml-unsigned", Rule: "signed", Description: "no signature"},
	}})
	app, err := e.dir.CreateOIDCApp(directory.OIDCAppInput{Label: "refapp", RedirectURIs: []string{"http://a.test/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.dir.SetFaults(app.ID, []string{"oidc-exp-past"}); err != nil {
		t.Fatal(err)
	}
	base := "/admin/apps/" + app.ID
	_, body := e.get(base + "?tab=faults")
	if !strings.Contains(body, `value="oidc-exp-past" id="fault-oidc-exp-past" checked`) || !strings.Contains(body, "oidc-iss-wrong") {
		t.Error("the checklist must list the OIDC faults with the app's checked")
	}
	if strings.Contains(body, "saml-unsigned") {
		t.Error("an OIDC app must not list SAML faults")
	}
	e.post(base+"/faults", url.Values{"fault": {"oidc-iss-wrong", "oidc-exp-past"}})
	if diff := cmp.Diff([]string{"faults oidc-iss-wrong,oidc-exp-past"}, acts.calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

// Saving a person's profile changes the directory and records the change for the provisioning engine.
func TestProfileEditPushes(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	e := newActionsEnv(t, console.Config{Provisioner: rec})
	u, err := e.dir.CreateUser(directory.UserInput{Login: "ann@acme.test", FirstName: "Ann", LastName: "Lee"})
	if err != nil {
		t.Fatal(err)
	}
	if _, body := e.get("/admin/users/" + u.ID); !strings.Contains(body, `value="Ann"`) {
		t.Fatal("the person page must show the profile")
	}
	_, body := e.post("/admin/users/"+u.ID+"/profile", url.Values{"firstName": {"Annie"}, "lastName": {"Lee"},
		"login": {"ann@acme.test"}, "email": {"annie@acme.test"}})
	if !strings.Contains(body, "Profile saved") {
		t.Errorf("after save:\n%s", body)
	}
	if got, _ := e.dir.User(u.ID); got.FirstName != "Annie" || got.Email != "annie@acme.test" {
		t.Errorf("profile after save: %+v", got)
	}
	if diff := cmp.Diff([]string{"users " + u.ID}, rec.take()); diff != "" {
		t.Errorf("provisioning calls (-want +got):\n%s", diff)
	}
}

func TestProvisioningAuthMode(t *testing.T) {
	t.Parallel()
	e := newActionsEnv(t, console.Config{})
	app, err := e.dir.CreateOIDCApp(directory.OIDCAppInput{Label: "refapp", RedirectURIs: []string{"http://a.test/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	e.post("/admin/apps/"+app.ID+"/provisioning", url.Values{"enabled": {"on"}, "baseUrl": {"http://127.0.0.1:9/scim/v2"},
		"token": {"pw"}, "auth": {"basic"}, "username": {"okta"}, "flavour": {"oin"}, "create": {"on"}})
	if a, _ := e.dir.App(app.ID); a.Provisioning == nil || a.Provisioning.Auth != "basic" || a.Provisioning.Username != "okta" {
		t.Fatalf("provisioning after save: %+v", a.Provisioning)
	}
	if _, body := e.get("/admin/apps/" + app.ID + "?tab=provisioning"); !strings.Contains(body, `<option value="basic" selected>`) {
		t.Error("the tab must show Basic Auth selected")
	}
	_, body := e.post("/admin/apps/"+app.ID+"/provisioning", url.Values{"enabled": {"on"}, "baseUrl": {"http://127.0.0.1:9/scim/v2"},
		"auth": {"basic"}, "flavour": {"oin"}})
	if !strings.Contains(body, "username") {
		t.Error("Basic Auth without a username must be refused")
	}
}
