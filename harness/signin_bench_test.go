package harness

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// refAppBin returns SSOCONFORM_REFAPP_BIN, or builds refapp into a temporary directory.
func refAppBin(tb testing.TB) string {
	tb.Helper()
	if bin := os.Getenv("SSOCONFORM_REFAPP_BIN"); bin != "" {
		return bin
	}
	bin := filepath.Join(tb.TempDir(), "refapp")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/ssoconform/ssoconform/cmd/refapp").CombinedOutput()
	if err != nil {
		tb.Fatalf("build refapp: %v\n%s", err, out)
	}
	return bin
}

// BenchmarkBrowserSignIn measures one SP-initiated OIDC sign-in in Chromium through refapp's SSO path
// (login page, SSO, organization, Continue, Sign in with Okta, the mock's sign-in page, back signed in),
// each in a fresh incognito page. Set-up (stack, tenant, user) is outside the timing.
func BenchmarkBrowserSignIn(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	st, err := StartStack(ctx, StackConfig{RefAppBin: refAppBin(b), Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close(context.Background())
	tn, err := st.NewTenant(ctx, TenantSpec{Name: "bench"})
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
		out, err := SignInWithOkta(ctx, st.Driver, p, tn.Org, u.Login, tn.Password(u))
		if err != nil || !out.SignedIn {
			b.Fatalf("sign-in: %v, %+v", err, out)
		}
		_ = p.Close()
	}
}
