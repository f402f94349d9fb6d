package directory

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

func newTestOrg(t *testing.T) *Org {
	t.Helper()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	org, err := New(Config{Name: "acme", Now: func() time.Time { return now }, Log: syslog.New(syslog.Config{})})
	if err != nil {
		t.Fatal(err)
	}
	return org
}

func TestLifecycle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		staged  bool
		ops     []string
		want    string
		wantErr error
	}{
		{"active by default", false, nil, StatusActive, nil},
		{"staged", true, nil, StatusStaged, nil},
		{"activate staged", true, []string{OpActivate}, StatusActive, nil},
		{"activate active", false, []string{OpActivate}, StatusActive, ErrLifecycle},
		{"deactivate", false, []string{OpDeactivate}, StatusDeactivated, nil},
		{"deactivate twice", false, []string{OpDeactivate, OpDeactivate}, StatusDeactivated, ErrLifecycle},
		{"reactivate", false, []string{OpDeactivate, OpActivate}, StatusActive, nil},
		{"suspend", false, []string{OpSuspend}, StatusSuspended, nil},
		{"suspend staged", true, []string{OpSuspend}, StatusStaged, ErrLifecycle},
		{"unsuspend", false, []string{OpSuspend, OpUnsuspend}, StatusActive, nil},
		{"unsuspend active", false, []string{OpUnsuspend}, StatusActive, ErrLifecycle},
		{"deactivate suspended", false, []string{OpSuspend, OpDeactivate}, StatusDeactivated, nil},
		{"unknown op", false, []string{"explode"}, StatusActive, ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			org := newTestOrg(t)
			u, err := org.CreateUser(UserInput{Login: "a@x.test", Password: "pw", Staged: tc.staged})
			if err != nil {
				t.Fatal(err)
			}
			var last error
			for _, op := range tc.ops {
				last = org.Transition(u.ID, op)
			}
			if !errors.Is(last, tc.wantErr) {
				t.Errorf("last error = %v, want %v", last, tc.wantErr)
			}
			got, _ := org.User(u.ID)
			if got.Status != tc.want {
				t.Errorf("status = %s, want %s", got.Status, tc.want)
			}
			if _, ok := org.Authenticate("a@x.test", "pw"); ok != (tc.want == StatusActive) {
				t.Errorf("Authenticate = %v with status %s", ok, got.Status)
			}
		})
	}
}

func TestDeleteUser(t *testing.T) {
	t.Parallel()
	org := newTestOrg(t)
	u, _ := org.CreateUser(UserInput{Login: "a@x.test"})
	g, _ := org.CreateGroup(GroupInput{Name: "Eng"})
	app, _ := org.CreateOIDCApp(OIDCAppInput{Label: "app", RedirectURIs: []string{"http://x/cb"}})
	if err := org.AddGroupMember(g.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := org.Assign(app.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	if err := org.DeleteUser(u.ID); !errors.Is(err, ErrLifecycle) {
		t.Fatalf("delete active user: err = %v, want ErrLifecycle", err)
	}
	if err := org.Deactivate(u.ID); err != nil {
		t.Fatal(err)
	}
	if err := org.DeleteUser(u.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok := org.User(u.ID); ok || org.IsAssigned(app.ID, u.ID) {
		t.Error("user or assignment survived the delete")
	}
	if m, _ := org.GroupMembers(g.ID); len(m) != 0 {
		t.Errorf("members = %v, want none", m)
	}
	if _, err := org.CreateUser(UserInput{Login: "A@x.test"}); err != nil {
		t.Errorf("login not freed: %v", err)
	}
}

func TestGroupAssignments(t *testing.T) {
	t.Parallel()
	org := newTestOrg(t)
	alice, _ := org.CreateUser(UserInput{Login: "alice@x.test"})
	bob, _ := org.CreateUser(UserInput{Login: "bob@x.test"})
	eng, _ := org.CreateGroup(GroupInput{Name: "Engineering"})
	ops, _ := org.CreateGroup(GroupInput{Name: "Ops"})
	app, _ := org.CreateOIDCApp(OIDCAppInput{Label: "app", RedirectURIs: []string{"http://x/cb"}})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	scope := func(uid string) string {
		a, ok := org.Assignment(app.ID, uid)
		if !ok {
			return "-"
		}
		return a.Scope
	}
	must(org.AddGroupMember(eng.ID, alice.ID))
	_, err := org.AssignGroup(app.ID, eng.ID)
	must(err)
	if got := [2]string{scope(alice.ID), scope(bob.ID)}; got != [2]string{ScopeGroup, "-"} {
		t.Fatalf("after group assignment: scopes = %v", got)
	}
	must(org.AddGroupMember(eng.ID, bob.ID)) // joining an assigned group assigns
	if scope(bob.ID) != ScopeGroup {
		t.Errorf("bob not assigned after joining the group")
	}
	if err := org.Unassign(app.ID, bob.ID); !errors.Is(err, ErrInvalid) {
		t.Errorf("unassign group-only user: err = %v, want ErrInvalid", err)
	}
	_, err = org.Assign(app.ID, bob.ID)
	must(err)
	must(org.RemoveGroupMember(eng.ID, bob.ID))
	if scope(bob.ID) != ScopeUser {
		t.Errorf("direct assignment lost when leaving the group: %s", scope(bob.ID))
	}
	must(org.AddGroupMember(ops.ID, alice.ID))
	_, err = org.AssignGroup(app.ID, ops.ID)
	must(err)
	must(org.UnassignGroup(app.ID, eng.ID))
	if scope(alice.ID) != ScopeGroup {
		t.Errorf("alice lost the app though Ops is still assigned")
	}
	if gas := org.AppGroups(app.ID); len(gas) != 1 || gas[0].GroupID != ops.ID || gas[0].Priority != 0 {
		t.Errorf("app groups = %+v", gas)
	}
	must(org.DeleteGroup(ops.ID))
	if org.IsAssigned(app.ID, alice.ID) {
		t.Error("alice still assigned after her only assigned group was deleted")
	}
	must(org.Unassign(app.ID, bob.ID))
	if org.IsAssigned(app.ID, bob.ID) {
		t.Error("bob still assigned after unassign")
	}
	if diff := cmp.Diff([]string{"Engineering", EveryoneName}, org.GroupNames(alice.ID)); diff != "" {
		t.Errorf("GroupNames (-want +got):\n%s", diff)
	}
	if _, err := org.CreateGroup(GroupInput{Name: "engineering"}); !errors.Is(err, ErrConflict) {
		t.Errorf("duplicate group name: err = %v", err)
	}
}

func TestUsernameFormat(t *testing.T) {
	t.Parallel()
	tests := []struct{ format, want string }{
		{"", "alice.mail@x.test"}, {UsernameLogin, "alice@x.test"}, {UsernamePrefix, "alice"},
	}
	for _, tc := range tests {
		org := newTestOrg(t)
		u, _ := org.CreateUser(UserInput{Login: "alice@x.test", Email: "alice.mail@x.test"})
		app, _ := org.CreateOIDCApp(OIDCAppInput{Label: "app", RedirectURIs: []string{"http://x/cb"}})
		if err := org.SetUsernameFormat(app.ID, tc.format); err != nil {
			t.Fatal(err)
		}
		a, err := org.Assign(app.ID, u.ID)
		if err != nil || a.UserName != tc.want {
			t.Errorf("format %q: user name %q (%v), want %q", tc.format, a.UserName, err, tc.want)
		}
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	t.Parallel()
	var changes atomic.Int32
	org, err := New(Config{Name: "acme", OnChange: func() { changes.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := org.CreateUser(UserInput{Login: "alice@x.test", Password: "pw"})
	v, _ := org.CreateUser(UserInput{Login: "bob@x.test", Staged: true})
	g, _ := org.CreateGroup(GroupInput{Name: "Eng", Description: "engineers"})
	app, _ := org.CreateOIDCApp(OIDCAppInput{Label: "app", RedirectURIs: []string{"http://x/cb"}})
	saml, err := org.CreateSAMLApp(SAMLAppInput{Label: "saml", Settings: SAMLSettings{SSOURL: "http://x/acs", Audience: "urn:aud"}})
	if err != nil {
		t.Fatal(err)
	}
	_ = org.AddGroupMember(g.ID, v.ID)
	_, _ = org.AssignGroup(saml.ID, g.ID)
	_, _ = org.Assign(app.ID, u.ID)
	_ = org.SetExternalID(app.ID, u.ID, "ext-1")
	_ = org.SetFaults(saml.ID, []string{"saml-unsigned"})
	if changes.Load() < 9 {
		t.Errorf("OnChange called %d times, want one per change", changes.Load())
	}
	snap := org.Snapshot()
	restored, err := Restore(Config{Name: "acme"}, snap)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(snap, restored.Snapshot()); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if !restored.IsAssigned(saml.ID, v.ID) || restored.ID() != org.ID() {
		t.Error("restored org lost the group assignment or its id")
	}
	if _, ok := restored.Authenticate("alice@x.test", "pw"); !ok {
		t.Error("restored user cannot sign in")
	}
}
