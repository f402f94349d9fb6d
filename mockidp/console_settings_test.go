package mockidp_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/ssoconform/ssoconform/mockidp"
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

// TestConsoleTestAPICredentialsShowsTheResult presses Test API Credentials against a SCIM server that
// refuses the token: the banner says the test failed, the Provisioning tab shows the last test's outcome,
// and the System Log view it links to holds the request and response with the token redacted.
func TestConsoleTestAPICredentialsShowsTheResult(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const token = "scim-token-9f8e7d6c5b4a"
	scim := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"bad token","status":"401"}`))
	}))
	t.Cleanup(scim.Close)
	if err := e.org.SetProvisioning(t.Context(), e.app.ID, mockidp.Provisioning{BaseURL: scim.URL + "/scim/v2", Token: token}); err != nil {
		t.Fatal(err)
	}
	c := browser(t)
	postForm(t, c, e.org.ConsoleURL()+"/login", url.Values{"secret": {e.org.ConsolePassword()}})
	p := postForm(t, c, e.org.ConsoleURL()+"/apps/"+e.app.ID+"/provisioning/test", nil)
	banner := get(t, c, absolute(e.org.ConsoleURL(), p.header.Get("Location")))
	if !strings.Contains(banner.body, "Test API Credentials failed") || strings.Contains(banner.body, "Could not save") {
		t.Errorf("banner after a refused test:\n%.2000s", banner.body)
	}
	tab := get(t, c, e.org.ConsoleURL()+"/apps/"+e.app.ID+"?tab=provisioning")
	last := tab.body[strings.Index(tab.body, `id="prov-test-last"`):]
	if !strings.Contains(last[:min(len(last), 600)], "FAILURE") {
		t.Errorf("the Provisioning tab does not show the last test's outcome:\n%.600s", last)
	}
	logs := get(t, c, e.org.ConsoleURL()+"/logs?"+url.Values{"app": {e.app.ID}, "type": {"application.provision.integration.test_credentials"}}.Encode())
	for _, want := range []string{"GET " + scim.URL + "/scim/v2/Users?", "Bearer [REDACTED]", "bad token"} {
		if !strings.Contains(logs.body, want) {
			t.Errorf("the System Log lacks %q", want)
		}
	}
	if strings.Contains(logs.body+tab.body+banner.body, token) {
		t.Error("the console shows the SCIM token")
	}
}

// absolute resolves a Location header against the console URL.
func absolute(base, loc string) string {
	b, _ := url.Parse(base)
	u, _ := b.Parse(loc)
	return u.String()
}
