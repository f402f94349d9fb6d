package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html"
)

// HeadlessClient is an HTTP client that behaves like a browser without one: it keeps cookies, follows
// redirects, and reaches every *.test host on 127.0.0.1 (as the browser's host-resolver rule does), so a
// sign-in can run without Chromium, e.g. in benchmarks.
func HeadlessClient() *http.Client {
	jar, _ := cookiejar.New(nil) // only fails with options
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err == nil && strings.HasSuffix(host, ".test") {
				addr = net.JoinHostPort("127.0.0.1", port)
			}
			return dialer.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: 16,
	}
	return &http.Client{Jar: jar, Transport: tr, Timeout: 30 * time.Second}
}

// RefAppSSOStart is where the reference app at appURL starts SP-initiated SSO for an organization (what
// its "Sign in with Okta" button links to).
func RefAppSSOStart(appURL, org string) string {
	return appURL + "/sso/" + url.PathEscape(org) + "/start"
}

// HeadlessSignIn runs the SP-initiated sign-in of the reference app without a browser: GET
// {appURL}/sso/{org}/start, the mock Okta's sign-in form, and, for SAML, the auto-submitted response
// form; it succeeds when the app's /api/v1/me answers 200 for the client's session. client must come
// from HeadlessClient (one per sign-in: it holds the session).
func HeadlessSignIn(ctx context.Context, client *http.Client, appURL, org, username, password string) error {
	page, err := fetch(ctx, client, http.MethodGet, RefAppSSOStart(appURL, org), nil)
	if err != nil {
		return fmt.Errorf("headless sign-in: %w", err)
	}
	if err := finishAtOkta(ctx, client, page, appURL, username, password); err != nil {
		return fmt.Errorf("headless sign-in: %w", err)
	}
	return nil
}

// HeadlessFollowLink follows an account-linking link from the app's email without a browser: the link
// page, its "Confirm and sign in with Okta" link (#link-confirm), the mock Okta's sign-in form and, for
// SAML, the response form; it succeeds when the app's /api/v1/me answers 200 for the client's session.
func HeadlessFollowLink(ctx context.Context, client *http.Client, appURL, link, username, password string) error {
	page, err := fetch(ctx, client, http.MethodGet, link, nil)
	if err != nil {
		return fmt.Errorf("follow link: %w", err)
	}
	confirm, err := findLink(page, "link-confirm")
	if err != nil {
		return fmt.Errorf("follow link: link page %s: %w", RedactURL(page.url), err)
	}
	if page, err = fetch(ctx, client, http.MethodGet, confirm, nil); err != nil {
		return fmt.Errorf("follow link: %w", err)
	}
	if err := finishAtOkta(ctx, client, page, appURL, username, password); err != nil {
		return fmt.Errorf("follow link: %w", err)
	}
	return nil
}

// finishAtOkta fills the mock Okta's sign-in form on page, posts the SAML response form when one comes
// back, and checks that the app's /api/v1/me answers 200.
func finishAtOkta(ctx context.Context, client *http.Client, page fetched, appURL, username, password string) error {
	login, err := formHolding(page, "okta-signin-username")
	if err != nil {
		return fmt.Errorf("okta sign-in page %s: %w", RedactURL(page.url), err)
	}
	login.values.Set("username", username)
	login.values.Set("password", password)
	if page, err = fetch(ctx, client, http.MethodPost, login.action, login.values); err != nil {
		return err
	}
	if page, err = postSAMLForm(ctx, client, page); err != nil {
		return err
	}
	me, err := fetch(ctx, client, http.MethodGet, appURL+"/api/v1/me", nil)
	if err != nil {
		return err
	}
	if me.status != http.StatusOK {
		return fmt.Errorf("not signed in: /api/v1/me answered %d after landing on %s (%d)",
			me.status, RedactURL(page.url), page.status)
	}
	return nil
}

// findLink returns the href of the anchor with this id, resolved against the page's URL.
func findLink(page fetched, id string) (string, error) {
	doc, err := html.Parse(strings.NewReader(page.body))
	if err != nil {
		return "", fmt.Errorf("parse page: %w", err)
	}
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "a" && attr(n, "id") == id {
			href, err := page.resolve(attr(n, "href"))
			if err != nil {
				return "", fmt.Errorf("link %s: %w", id, err)
			}
			return href, nil
		}
	}
	return "", fmt.Errorf("no link #%s (status %d)", id, page.status)
}

type fetched struct {
	url    string
	status int
	body   string
}

func fetch(ctx context.Context, client *http.Client, method, target string, form url.Values) (fetched, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return fetched{}, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		// a browser sends its page's origin with a form post; the apps' CSRF checks rely on it
		if u, err := url.Parse(target); err == nil {
			req.Header.Set("Origin", u.Scheme+"://"+u.Host)
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fetched{}, fmt.Errorf("%s %s: %w", method, RedactURL(target), err)
	}
	defer resp.Body.Close()
	// 32 MiB: the IdP's post form carrying an oversized response (saml-oversized) is about 16 MB
	b, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return fetched{}, fmt.Errorf("%s %s: read: %w", method, RedactURL(target), err)
	}
	return fetched{url: resp.Request.URL.String(), status: resp.StatusCode, body: string(b)}, nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// Replay GETs target again with client (its cookies included) and returns the status, as an attacker
// holding a captured redirect would. It does not follow redirects, so the answer is the app's own.
func Replay(ctx context.Context, client *http.Client, target string) (int, error) {
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	page, err := fetch(ctx, &c, http.MethodGet, target, nil)
	if err != nil {
		return 0, fmt.Errorf("replay: %w", err)
	}
	return page.status, nil
}

// RecordRedirects makes client remember every URL it is redirected to whose path ends with suffix
// (e.g. "/sso/oidc/callback"), in order, and returns a function reading them.
func RecordRedirects(client *http.Client, suffix string) func() []string {
	var seen []string
	next := client.CheckRedirect
	client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if strings.HasSuffix(req.URL.Path, suffix) {
			seen = append(seen, req.URL.String())
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return func() []string { return seen }
}

// HeadlessGet GETs target with client (its session included), following redirects, and returns the
// final status and body (at most 1 MiB): e.g. the app's /api/v1/me after HeadlessSignIn.
func HeadlessGet(ctx context.Context, client *http.Client, target string) (int, string, error) {
	page, err := fetch(ctx, client, http.MethodGet, target, nil)
	if err != nil {
		return 0, "", fmt.Errorf("headless get: %w", err)
	}
	return page.status, page.body, nil
}
