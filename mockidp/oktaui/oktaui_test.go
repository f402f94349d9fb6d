package oktaui

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func TestRenderLoginWithHiddenFieldsAndOwnPage(t *testing.T) {
	t.Parallel()
	own := fstest.MapFS{"pages/extra.html": {Data: []byte(`<html>{{template "style"}}<p id="x">{{.}}</p></html>`)}}
	pages := MustParse(own, "pages/*.html")

	rec := httptest.NewRecorder()
	pages.Render(rec, slog.New(slog.DiscardHandler), http.StatusUnauthorized, LoginTemplate, Login{
		OrgName: "acme", Action: "/acme/login/signin", Username: "alice@acme.test", Error: "Unable to sign in",
		Hidden: []Field{{Name: "fromURI", Value: `/acme/oauth2/v1/authorize?a=1&b="2"`}}})
	body := rec.Body.String()
	for _, want := range []string{`id="okta-signin-username"`, `value="alice@acme.test"`, `id="okta-signin-password"`,
		`id="okta-signin-submit" value="Sign In"`, "Unable to sign in", `action="/acme/login/signin"`,
		`name="fromURI" value="/acme/oauth2/v1/authorize?a=1&amp;b=&#34;2&#34;"`, "<style>"} {
		if !strings.Contains(body, want) {
			t.Errorf("login page lacks %s", want)
		}
	}
	if rec.Code != http.StatusUnauthorized || rec.Header().Get("X-Frame-Options") != "DENY" ||
		!strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Errorf("status %d, headers %v", rec.Code, rec.Header())
	}

	rec = httptest.NewRecorder()
	pages.Render(rec, slog.New(slog.DiscardHandler), http.StatusOK, "extra.html", "hi")
	if !strings.Contains(rec.Body.String(), `<p id="x">hi</p>`) || !strings.Contains(rec.Body.String(), "<style>") {
		t.Errorf("own page: %s", rec.Body.String())
	}
}
