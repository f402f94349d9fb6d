package harness

import (
	"context"
	"testing"
	"time"
)

// TestHeadlessSignIn proves the headless driver signs in through both protocols and fails for a user
// the mock refuses, so the benchmark measures real sign-ins.
func TestHeadlessSignIn(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	st, err := StartStack(ctx, StackConfig{RefAppBin: refAppBin(t), Dir: t.TempDir(), NoBrowser: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(context.Background())
	for _, protocol := range []string{"oidc", "saml"} {
		tn, err := st.NewTenant(ctx, TenantSpec{Name: "headless" + protocol, Protocol: protocol})
		if err != nil {
			t.Fatal(err)
		}
		u, err := tn.AddOktaUser(ctx, "Hedda", "Less")
		if err != nil {
			t.Fatal(err)
		}
		if err := HeadlessSignIn(ctx, HeadlessClient(), st.App.URL, tn.Org, u.Login, tn.Password(u)); err == nil {
			t.Errorf("%s: an unassigned user signed in", protocol)
		}
		if err := tn.Assign(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := HeadlessSignIn(ctx, HeadlessClient(), st.App.URL, tn.Org, u.Login, tn.Password(u)); err != nil {
			t.Errorf("%s: %v", protocol, err)
		}
	}
}
