package refappdriver

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/harness"
)

// TestRefAppSignsInThroughApp drives refapp through the App interface over both protocols: a user
// signs in and refapp names them; with a wrong-issuer fault nobody is signed in.
func TestRefAppSignsInThroughApp(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	st, err := harness.StartStack(ctx, harness.StackConfig{RefAppBin: refAppBin(t), Dir: t.TempDir(), NoBrowser: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(context.Background())
	app := New(st)
	wrongIssuer := map[string]string{"oidc": "oidc-iss-wrong", "saml": "saml-wrong-issuer"}
	for _, protocol := range app.Protocols() {
		tn, err := app.Connect(ctx, protocol)
		if err != nil {
			t.Fatal(err)
		}
		login, pw, err := tn.AddUser(ctx, "Rita", "Ref")
		if err != nil {
			t.Fatal(err)
		}
		client := harness.HeadlessClient()
		land, err := harness.AppSignIn(ctx, client, app.SignInURL(tn.Org, protocol), login, pw)
		if err != nil {
			t.Fatal(err)
		}
		if who, ok, err := app.Identity(ctx, client, land); err != nil || !ok || !who.Shows(login) {
			t.Errorf("%s: want signed in as %s, got %+v ok=%v err=%v", protocol, login, who, ok, err)
		}
		if err := tn.SetFaults(ctx, wrongIssuer[protocol]); err != nil {
			t.Fatal(err)
		}
		client = harness.HeadlessClient()
		if land, err = harness.AppSignIn(ctx, client, app.SignInURL(tn.Org, protocol), login, pw); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := app.Identity(ctx, client, land); err != nil || ok {
			t.Errorf("%s: a wrong issuer must leave nobody signed in, got ok=%v err=%v", protocol, ok, err)
		}
	}
}

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
