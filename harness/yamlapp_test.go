package harness

import (
	"context"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/mockidp"
)

// startMockIdP serves a mock Okta on a free loopback port until the test ends.
func startMockIdP(t *testing.T) *mockidp.Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	idp, err := mockidp.New(mockidp.Config{BaseURL: "http://" + ln.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: idp, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return idp
}

// TestYAMLAppNotes drives the example partner app through its app.yaml: it signs a user in over both
// protocols, refuses a response for another audience, and an unassigned user gets no session.
func TestYAMLAppNotes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	app, err := StartYAMLApp(ctx, "../fixtures/apps/notes/app.yaml", startMockIdP(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close(context.Background())
	if got := strings.Join(app.Protocols(), ","); got != "oidc,saml" {
		t.Errorf("protocols: got %s", got)
	}
	if got := app.CallbackPath(); got != "/auth/oidc/callback" {
		t.Errorf("callback path: got %q", got)
	}
	for _, protocol := range app.Protocols() {
		tn, err := app.Connect(ctx, protocol)
		if err != nil {
			t.Fatal(err)
		}
		login, pw, err := tn.AddUser(ctx, "Nora", "Notes")
		if err != nil {
			t.Fatal(err)
		}
		client := HeadlessClient()
		land, err := AppSignIn(ctx, client, app.SignInURL(tn.Org, protocol), login, pw)
		if err != nil {
			t.Fatalf("%s: %v", protocol, err)
		}
		who, ok, err := app.Identity(ctx, client, land)
		if err != nil || !ok || !who.Shows(login) {
			t.Errorf("%s: want signed in as %s, got %+v ok=%v err=%v (landed %+v); log: %s", protocol, login, who, ok, err, land, app.Log(2000))
		}
		// the page the sign-in ended on shows the user, so signed_in.selector could recognise it too
		if who, ok, err := identityBySelector(selector{{tag: "p", id: "signed-in"}, {id: "email"}}, land.Body); err != nil || !ok || !who.Shows(login) {
			t.Errorf("%s: notes' home page by selector: got %+v ok=%v err=%v", protocol, who, ok, err)
		}
	}
	tn, err := app.Connect(ctx, "saml")
	if err != nil {
		t.Fatal(err)
	}
	if err := tn.SetFaults(ctx, "saml-wrong-audience"); err != nil {
		t.Fatal(err)
	}
	login, pw, err := tn.AddUser(ctx, "Wanda", "Wrong")
	if err != nil {
		t.Fatal(err)
	}
	client := HeadlessClient()
	land, err := AppSignIn(ctx, client, app.SignInURL(tn.Org, "saml"), login, pw)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := app.Identity(ctx, client, land); err != nil || ok {
		t.Errorf("a response for another audience: want no session, got ok=%v err=%v (landed %+v)", ok, err, land)
	}
}

func TestAppFileValidate(t *testing.T) {
	for name, yml := range map[string]string{
		"no name":          "signed_in: {url: /me}\nconnect: {static: {}}\noidc: {sign_in: /a, redirect_uri: /b}\n",
		"no protocol":      "name: x\nsigned_in: {url: /me}\nconnect: {static: {}}\n",
		"saml partial":     "name: x\nsigned_in: {url: /me}\nconnect: {static: {}}\nsaml: {sign_in: /a}\n",
		"no connect":       "name: x\nsigned_in: {url: /me}\noidc: {sign_in: /a, redirect_uri: /b}\n",
		"two connects":     "name: x\nsigned_in: {url: /me}\nconnect: {static: {}, command: [true]}\noidc: {sign_in: /a, redirect_uri: /b}\n",
		"create alone":     "name: x\nsigned_in: {url: /me}\nconnect: {static: {}, create: [true]}\noidc: {sign_in: /a, redirect_uri: /b}\n",
		"port unset":       "name: x\nbase_url: http://x.test:{port}\nsigned_in: {url: /me}\nconnect: {static: {}}\noidc: {sign_in: /a, redirect_uri: /b}\n",
		"unknown key":      "name: x\nsigned_in: {url: /me}\nconnect: {static: {}}\noidc: {sign_in: /a, redirect_uri: /b}\nextra: 1\n",
		"url and selector": "name: x\nsigned_in: {url: /me, selector: '#me'}\nconnect: {static: {}}\noidc: {sign_in: /a, redirect_uri: /b}\n",
		"no signed_in":     "name: x\nconnect: {static: {}}\noidc: {sign_in: /a, redirect_uri: /b}\n",
		"bad selector":     "name: x\nsigned_in: {selector: 'a > b'}\nconnect: {static: {}}\noidc: {sign_in: /a, redirect_uri: /b}\n",
		"page with url":    "name: x\nsigned_in: {url: /me, page: /home}\nconnect: {static: {}}\noidc: {sign_in: /a, redirect_uri: /b}\n",
	} {
		path := t.TempDir() + "/app.yaml"
		if err := writeFile(path, yml); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadAppFile(path); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o644) }

func TestRefusalPageCheck(t *testing.T) {
	refusal := RefusalPage{MinStatus: 400, Text: "Sign-in failed"}
	for _, c := range []struct {
		land Landing
		ok   bool
	}{
		{Landing{Status: 403, Body: "<p>Sign-in failed: wrong audience</p>"}, true},
		{Landing{Status: 200, Body: "<p>Sign-in failed</p>"}, false}, // a refusal answers an error status
		{Landing{Status: 500, Body: "<p>Welcome back</p>"}, false},   // and shows the app's error page
		{Landing{Status: 302, Body: "redirecting to /home"}, false},
	} {
		if err := refusal.Check(c.land); (err == nil) != c.ok {
			t.Errorf("%d %q: got %v, want ok=%v", c.land.Status, c.land.Body, err, c.ok)
		}
	}
	if err := (RefusalPage{}).Check(Landing{Status: 200}); err != nil {
		t.Errorf("an app that says nothing of its refusal page accepts any page: %v", err)
	}
}
