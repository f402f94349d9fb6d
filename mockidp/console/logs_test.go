package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// logsFixture appends three marked events: ann signs in to refapp (12:00 UTC), bob is pushed to other
// (13:00), a lifecycle event for nobody (14:00).
func logsFixture(t *testing.T) (*env, directory.App, directory.User) {
	t.Helper()
	e := newEnv(t)
	e.signIn()
	app, err := e.dir.CreateOIDCApp(directory.OIDCAppInput{Label: "refapp", RedirectURIs: []string{"http://x/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.dir.CreateOIDCApp(directory.OIDCAppInput{Label: "other", RedirectURIs: []string{"http://y/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	ann, err := e.dir.CreateUser(directory.UserInput{Login: "ann@acme.test"})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	ctx := context.Background()
	e.log.Append(ctx, syslog.Event{Published: at, EventType: syslog.TypeSSO, DisplayMessage: "MARK-ANN-SSO",
		Actor: syslog.UserActor(ann.ID, ann.Login, "Ann"), Targets: []syslog.Target{syslog.AppTarget(app.ID, app.Label)}})
	e.log.Append(ctx, syslog.Event{Published: at.Add(time.Hour), EventType: syslog.TypeProvisionPush,
		DisplayMessage: "MARK-BOB-PUSH", Targets: []syslog.Target{{ID: "00ubob", Type: "User", AlternateID: "bob@acme.test"},
			syslog.AppTarget(other.ID, other.Label)},
		Exchanges: []syslog.Exchange{{Method: "POST", URL: "https://other.test/scim/v2/Users", Status: 201,
			RequestBody: `{"userName":"bob@acme.test"}`, ResponseBody: `{"id":"scim-id-4242"}`}}})
	e.log.Append(ctx, syslog.Event{Published: at.Add(2 * time.Hour), EventType: "user.lifecycle.create",
		DisplayMessage: "MARK-LIFECYCLE"})
	return e, app, ann
}

func TestLogsPageFilters(t *testing.T) {
	t.Parallel()
	e, app, ann := logsFixture(t)
	all := []string{"MARK-ANN-SSO", "MARK-BOB-PUSH", "MARK-LIFECYCLE"}
	cases := []struct {
		name  string
		query url.Values
		want  []string
	}{
		{"no filter", nil, all},
		{"by app", url.Values{"app": {app.ID}}, []string{"MARK-ANN-SSO"}},
		{"by user id", url.Values{"user": {ann.ID}}, []string{"MARK-ANN-SSO"}},
		{"by user login", url.Values{"user": {"bob@acme.test"}}, []string{"MARK-BOB-PUSH"}},
		{"by event type", url.Values{"type": {syslog.TypeProvisionPush}}, []string{"MARK-BOB-PUSH"}},
		{"by event type prefix", url.Values{"type": {"user.lifecycle."}}, []string{"MARK-LIFECYCLE"}},
		{"free text in an exchange body", url.Values{"q": {"SCIM-ID-4242"}}, []string{"MARK-BOB-PUSH"}},
		{"from", url.Values{"from": {"2026-12-05T13:00"}}, []string{"MARK-BOB-PUSH", "MARK-LIFECYCLE"}},
		{"to", url.Values{"to": {"2026-12-05T13:00:00"}}, []string{"MARK-ANN-SSO"}},
		{"from and to", url.Values{"from": {"2026-12-05T12:30"}, "to": {"2026-12-05T13:30"}}, []string{"MARK-BOB-PUSH"}},
		{"filters combine", url.Values{"app": {app.ID}, "type": {syslog.TypeProvisionPush}}, nil},
	}
	for _, c := range cases {
		status, body := e.get("/admin/logs?" + c.query.Encode())
		if status != http.StatusOK {
			t.Fatalf("%s: status %d", c.name, status)
		}
		for _, mark := range all {
			want := strings.Contains(strings.Join(c.want, " "), mark)
			if strings.Contains(body, mark) != want {
				t.Errorf("%s: page shows %s = %v, want %v", c.name, mark, !want, want)
			}
		}
	}
	// The form echoes the filter, so the filtered view is its own URL.
	_, body := e.get("/admin/logs?" + url.Values{"q": {"needle"}, "app": {app.ID}, "from": {"2026-12-05T12:30"}}.Encode())
	for _, echo := range []string{`value="needle"`, `value="` + app.ID + `" selected`, `value="2026-12-05T12:30"`} {
		if !strings.Contains(body, echo) {
			t.Errorf("filter form does not echo %s", echo)
		}
	}
}

func TestLogsPageRefusesABadTimeRange(t *testing.T) {
	t.Parallel()
	e, _, _ := logsFixture(t)
	for _, q := range []url.Values{{"from": {"yesterday"}}, {"from": {"2026-12-05T14:00"}, "to": {"2026-12-05T13:00"}}} {
		status, body := e.get("/admin/logs?" + q.Encode())
		if status != http.StatusBadRequest || !strings.Contains(body, "Filter not applied") || strings.Contains(body, "MARK-") {
			t.Errorf("%v: status %d, want 400 with the error banner and no events", q, status)
		}
	}
}

func TestLogsPageShowsTheExchangeRedacted(t *testing.T) {
	t.Parallel()
	e, app, _ := logsFixture(t)
	const bearer, ssws = "scim-bearer-b1b2b3b4", "00SSWS-token-s1s2s3s4"
	e.log.Append(context.Background(), syslog.Event{EventType: syslog.TypeProvisionPush, DisplayMessage: "MARK-SECRETS",
		Targets: []syslog.Target{syslog.AppTarget(app.ID, app.Label)},
		Exchanges: []syslog.Exchange{{Method: "PUT", URL: "https://app.test/scim/v2/Users/1", Status: 200,
			RequestHeader:  http.Header{"Authorization": {"Bearer " + bearer}, "User-Agent": {"Okta SCIM Client 1.0.0"}},
			RequestBody:    `{"userName":"ann@acme.test","password":"pw-p1p2p3"}`,
			ResponseHeader: http.Header{"Content-Type": {"application/scim+json"}, "X-Debug": {"SSWS " + ssws}},
			ResponseBody:   `{"id":"1","note":"called with SSWS ` + ssws + `"}`}}})
	status, body := e.get("/admin/logs?q=MARK-SECRETS")
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	for _, secret := range []string{bearer, ssws, "pw-p1p2p3"} {
		if strings.Contains(body, secret) {
			t.Errorf("the System Log page shows the secret %q", secret)
		}
	}
	for _, shown := range []string{"<details", "PUT https://app.test/scim/v2/Users/1", "Bearer [REDACTED]",
		"Okta SCIM Client 1.0.0", "Content-Type: application/scim", "ann@acme.test", `&#34;id&#34;: &#34;1&#34;`} {
		if !strings.Contains(body, shown) {
			t.Errorf("the expanded row lacks %q", shown)
		}
	}
}
