package refappdriver

import (
	"context"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/harness"
)

// BenchmarkBrowserSignIn measures one SP-initiated OIDC sign-in in Chromium through refapp's SSO path
// (login page, SSO, organization, Continue, Sign in with Okta, the mock's sign-in page, back signed in),
// each in a fresh incognito page. Set-up (stack, tenant, user) is outside the timing.
func BenchmarkBrowserSignIn(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	st, err := harness.StartStack(ctx, harness.StackConfig{RefAppBin: refAppBin(b), Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close(context.Background())
	tn, err := st.NewTenant(ctx, harness.TenantSpec{Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	u, err := tn.AddOktaUser(ctx, "Bench", "User")
	if err != nil {
		b.Fatal(err)
	}
	if err := tn.Assign(ctx, u); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		p, err := st.Browser.NewPage(ctx)
		if err != nil {
			b.Fatal(err)
		}
		out, err := harness.SignInWithOkta(ctx, Pages{URL: st.App.URL}, p, tn.Org, u.Login, tn.Password(u))
		if err != nil || !out.SignedIn {
			b.Fatalf("sign-in: %v, %+v", err, out)
		}
		_ = p.Close()
	}
}
