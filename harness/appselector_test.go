package harness

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

func TestSelectorFirst(t *testing.T) {
	page := `<html><body>
<div class="nav top" id="nav"><span class="who" data-role="user">ada@example.test</span></div>
<main><p class="who">grace@example.test</p><section><b data-x="1">bold <i>text</i></b></section></main>
</body></html>`
	for _, c := range []struct{ sel, want string }{
		{"span", "ada@example.test"},
		{"#nav", "ada@example.test"},
		{".who", "ada@example.test"},
		{"p.who", "grace@example.test"},
		{"main .who", "grace@example.test"},
		{"div.nav.top [data-role=user]", "ada@example.test"},
		{`span[data-role="user"]`, "ada@example.test"},
		{"body main section b", "bold text"},
		{"main span", ""},      // span is not inside main
		{"div.nav.bottom", ""}, // every class must be there
		{"[data-role=admin]", ""},
		{"section main b", ""}, // ancestors in order
	} {
		sel, err := parseSelector(c.sel)
		if err != nil {
			t.Fatalf("%s: %v", c.sel, err)
		}
		who, ok, err := identityBySelector(sel, page)
		if err != nil || ok != (c.want != "") || who.Page != c.want {
			t.Errorf("%s: got %q ok=%v err=%v, want %q", c.sel, who.Page, ok, err, c.want)
		}
	}
	for _, bad := range []string{"", "a > b", "a:first-child", "[x~=y]", "a,b", "[x", "*"} {
		if _, err := parseSelector(bad); err == nil {
			t.Errorf("%q: want an error (outside the subset)", bad)
		}
	}
}

// TestYAMLAppIdentityBySelector: an app that shows its user on a page is recognised by
// signed_in.selector, on the page the sign-in ended on or on signed_in.page; a page without the element,
// or a redirect away from signed_in.page, is no session.
func TestYAMLAppIdentityBySelector(t *testing.T) {
	const email = "ada@example.test"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := r.Cookie("session"); err != nil {
			http.Redirect(w, r, "/login", http.StatusFound)
			return
		}
		_, _ = w.Write([]byte(`<p id="who">Signed in as <b class="email">` + email + `</b></p>`))
	}))
	defer srv.Close()
	app := func(page string) *YAMLApp {
		return &YAMLApp{file: AppFile{SignedIn: AppSignedIn{Selector: "#who .email", Page: page}},
			vars: expander{"base_url": srv.URL}}
	}
	ctx := context.Background()
	signedIn := Landing{Status: 200, Body: `<html><p id="who">Hello <span class="email">` + email + `</span></p>`}
	if who, ok, err := app("").Identity(ctx, HeadlessClient(), signedIn); err != nil || !ok || !who.Shows(email) {
		t.Errorf("landing page with the element: got %+v ok=%v err=%v", who, ok, err)
	}
	refused := Landing{Status: 403, Body: `<html><h1>Forbidden</h1><p class="email">` + email + `</p>`}
	if _, ok, err := app("").Identity(ctx, HeadlessClient(), refused); err != nil || ok {
		t.Errorf("landing page without the element: want no session, got ok=%v err=%v", ok, err)
	}
	client := HeadlessClient()
	if _, ok, err := app("/account").Identity(ctx, client, signedIn); err != nil || ok {
		t.Errorf("signed_in.page redirecting to the login page: want no session, got ok=%v err=%v", ok, err)
	}
	client.Jar.SetCookies(mustURL(t, srv.URL), []*http.Cookie{{Name: "session", Value: "s"}})
	if who, ok, err := app("/account").Identity(ctx, client, refused); err != nil || !ok || !who.Shows(email) {
		t.Errorf("signed_in.page with a session: got %+v ok=%v err=%v", who, ok, err)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
