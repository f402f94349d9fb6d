package harness

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/harness/browser"
	"github.com/ssoconform/ssoconform/mockidp"
)

// TestConsoleScreens drives the mock Okta's admin console in Chromium through the provisioning pages (a
// failed task, Retry, the faults checklist, a profile edit that pushes, the System Log filtered with a row
// expanded, the app settings form refusing then saving a redirect URI, Test API Credentials, a SAML app's single logout settings) and saves a screenshot of each
// page to $SSOCONFORM_SCREENS_DIR (skipped when unset): the pictures for issue 10's closing note.
func TestConsoleScreens(t *testing.T) {
	dir := os.Getenv("SSOCONFORM_SCREENS_DIR")
	if dir == "" {
		t.Skip("SSOCONFORM_SCREENS_DIR is not set")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
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
	defer srv.Close()
	h, err := StartHostileSCIM(HostilePlain500)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	org, err := idp.CreateOrg(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	tn := &Tenant{IdPOrg: org}
	appID, err := tn.AddApp(ctx, "partner-app", h.URL)
	if err != nil {
		t.Fatal(err)
	}
	for _, login := range []string{"ann@acme.test", "bob@acme.test"} {
		u, err := org.CreateUser(ctx, mockidp.UserInput{Login: login, FirstName: login[:3], LastName: "Example", Password: "pw"})
		if err != nil {
			t.Fatal(err)
		}
		if err := org.AssignUser(ctx, appID, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := org.WaitQuiet(ctx, appID); err != nil {
		t.Fatal(err)
	}
	b, err := browser.Launch(ctx, browser.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	p, err := b.NewPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	shot := func(name, url string) {
		t.Helper()
		if err := p.Open(ctx, url); err != nil {
			t.Fatal(err)
		}
		png, err := p.Screenshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	save := func(name string) { // the page as it is now
		t.Helper()
		png, err := p.Screenshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	admin := org.ConsoleURL()
	if err := p.Open(ctx, admin+"/login"); err != nil {
		t.Fatal(err)
	}
	if err := p.Fill(ctx, "input[name=secret]", org.ConsolePassword()); err != nil {
		t.Fatal(err)
	}
	if err := p.Click(ctx, "button[type=submit]"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitAny(ctx, "table"); err != nil {
		t.Fatal(err)
	}
	shot("1-provisioning-tab", admin+"/apps/"+appID+"?tab=provisioning")
	shot("2-tasks-failed", admin+"/apps/"+appID+"?tab=tasks")
	if err := p.Click(ctx, "#tasks form[action$='/retry'] button"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitAny(ctx, ".banner"); err != nil { // the retry's redirect landed
		t.Fatal(err)
	}
	if err := org.WaitQuiet(ctx, appID); err != nil {
		t.Fatal(err)
	}
	shot("3-tasks-after-retry", admin+"/apps/"+appID+"?tab=tasks")
	shot("4-faults", admin+"/apps/"+appID+"?tab=faults")
	u, _ := org.UserByLogin("ann@acme.test")
	shot("5-person-profile", admin+"/users/"+u.ID)
	if err := p.Fill(ctx, "#firstName", "Annie"); err != nil {
		t.Fatal(err)
	}
	if err := p.Click(ctx, "#profile-save"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitAny(ctx, ".banner"); err != nil { // the save's redirect landed
		t.Fatal(err)
	}
	if err := org.WaitQuiet(ctx, appID); err != nil {
		t.Fatal(err)
	}
	shot("6-tasks-after-profile-edit", admin+"/apps/"+appID+"?tab=tasks")
	// The System Log filtered to this app's user pushes, the newest row expanded to its exchanges.
	if err := p.Open(ctx, admin+"/logs?app="+appID+"&type=application.provision.user.push&q=Annie"); err != nil {
		t.Fatal(err)
	}
	if err := p.Click(ctx, "#log-events details.event summary"); err != nil {
		t.Fatal(err)
	}
	save("7-system-log-expanded")
	// The General tab's edit form: a bad redirect URI is refused beside the field, a good one saved.
	if err := p.Open(ctx, admin+"/apps/"+appID+"?tab=general"); err != nil {
		t.Fatal(err)
	}
	// submit fills the settings form's fields (selector, value pairs), saves, and waits for want.
	submit := func(want string, fields ...string) {
		t.Helper()
		for i := 0; i < len(fields); i += 2 {
			if err := p.Fill(ctx, fields[i], fields[i+1]); err != nil {
				t.Fatal(err)
			}
		}
		if err := p.Click(ctx, "#settings-save"); err != nil {
			t.Fatal(err)
		}
		if _, err := p.WaitAny(ctx, want); err != nil {
			t.Fatal(err)
		}
	}
	submit("#redirectUris-error", "#redirectUris", "app.test/callback#frag")
	save("8-settings-refused")
	submit(".banner.notice", "#redirectUris", "https://app.test:9443/sso/oidc/callback")
	save("9-settings-saved")
	// Test API Credentials against the failing SCIM server: the banner and the last test's outcome.
	if err := p.Open(ctx, admin+"/apps/"+appID+"?tab=provisioning"); err != nil {
		t.Fatal(err)
	}
	if err := p.Click(ctx, "#prov-test"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitAny(ctx, ".banner"); err != nil {
		t.Fatal(err)
	}
	save("10-test-api-credentials")
	// A SAML app's settings form refusing an audience that is not a URI.
	samlApp, err := org.CreateSAMLApp(ctx, mockidp.SAMLAppInput{Label: "saml-app", SSOURL: "http://sp.test/acs",
		Audience: "http://sp.test/sp", Attributes: []mockidp.SAMLAttribute{{Name: "email", Value: "email"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Open(ctx, admin+"/apps/"+samlApp.ID+"?tab=general"); err != nil {
		t.Fatal(err)
	}
	submit("#audience-error", "#audience", "my app")
	save("11-saml-settings-refused")
	// Single logout on: a Single Logout URL that is not http(s) is refused beside the field.
	submit("#sloUrl-error", "#audience", "http://sp.test/sp", "#sloUrl", "ftp://sp.test/slo")
	save("12-saml-slo-refused")
	submit(".banner.notice", "#sloUrl", "http://sp.test/sso/saml/slo")
	shot("13-saml-signon-slo", admin+"/apps/"+samlApp.ID+"?tab=signon")
}
