package directory

import "testing"

// TestRestoreDerivesPushedUsers: a state file written before pushed users existed gets them from the
// assignments' external ids, so the next push does not create the users again.
func TestRestoreDerivesPushedUsers(t *testing.T) {
	t.Parallel()
	org, err := New(Config{Name: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := org.CreateUser(UserInput{Login: "alice@x.test", FirstName: "Alice", LastName: "A"})
	app, _ := org.CreateOIDCApp(OIDCAppInput{Label: "app", RedirectURIs: []string{"http://x/cb"}})
	_, _ = org.Assign(app.ID, u.ID)
	_ = org.SetExternalID(app.ID, u.ID, "ext-1")
	snap := org.Snapshot()
	snap.PushedUsers = nil // an older file
	restored, err := Restore(Config{Name: "acme"}, snap)
	if err != nil {
		t.Fatal(err)
	}
	p, ok := restored.PushedUser(app.ID, u.ID)
	want := PushedUser{AppID: app.ID, UserID: u.ID, ExternalID: "ext-1", UserName: "alice@x.test",
		GivenName: "Alice", FamilyName: "A", Email: "alice@x.test", DisplayName: "Alice A", Active: true}
	if !ok || p != want {
		t.Errorf("pushed user = %+v, %v; want %+v", p, ok, want)
	}
	if err := restored.DeleteUser(u.ID); err == nil {
		t.Fatal("deleting an active user must fail")
	}
	_ = restored.Deactivate(u.ID)
	_ = restored.DeleteUser(u.ID)
	if _, ok := restored.PushedUser(app.ID, u.ID); ok {
		t.Error("a deleted user's pushed record must be forgotten")
	}
}
