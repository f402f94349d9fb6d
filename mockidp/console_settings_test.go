package mockidp_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestConsoleRedirectURIEditReachesAuthorize edits an app's sign-in redirect URI in the admin console,
// over HTTP as a browser would, and checks that /authorize then accepts the new URI and refuses the old
// one with Okta's error: the console changes the same app the OIDC provider reads.
func TestConsoleRedirectURIEditReachesAuthorize(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := browser(t)
	if p := postForm(t, c, e.org.ConsoleURL()+"/login", url.Values{"secret": {e.org.ConsolePassword()}}); p.status != http.StatusSeeOther {
		t.Fatalf("console sign-in: %d", p.status)
	}
	const newURI = "https://app.test:9443/sso/oidc/callback"
	p := postForm(t, c, e.org.ConsoleURL()+"/apps/"+e.app.ID+"/settings", url.Values{"redirectUris": {newURI}})
	if loc := p.header.Get("Location"); p.status != http.StatusSeeOther || !strings.Contains(loc, "notice=") {
		t.Fatalf("save settings: %d, Location %q", p.status, loc)
	}

	accepted := get(t, browser(t), e.authorizeURL(map[string]string{"redirect_uri": newURI}))
	if accepted.status != http.StatusOK || !strings.Contains(accepted.body, "Sign In") || strings.Contains(accepted.body, "must be a Login redirect URI") {
		t.Errorf("authorize with the new redirect URI: %d, want the sign-in page:\n%.300s", accepted.status, accepted.body)
	}
	refused := get(t, browser(t), e.authorizeURL(nil)) // the old redirect URI
	if refused.status != http.StatusBadRequest || !strings.Contains(refused.body, "must be a Login redirect URI") {
		t.Errorf("authorize with the old redirect URI: %d, want 400 with Okta's invalid_request text:\n%.300s", refused.status, refused.body)
	}
}

func postForm(t *testing.T, c *http.Client, u string, form url.Values) page {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	return readPage(t, resp)
}
