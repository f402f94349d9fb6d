// Package scimpush is the mock Okta's SCIM 2.0 client: it pushes users to an
// app's SCIM server request by request the way Okta does
// (shared/reference/okta-scim.md a.2-a.4), and records a transcript of every
// exchange with secrets redacted.
//
// What it sends on every request (a.2): User-Agent "Okta SCIM Client 1.0.0",
// Accept application/scim+json, Accept-Charset utf-8, Accept-Encoding
// gzip,deflate (responses are decoded here), Connection: close, Authorization
// "Bearer <token>", and Content-Type "application/scim+json; charset=utf-8"
// only when there is a body.
//
// Assigning a user (a.3 A2/A3): GET {base}/Users?filter=userName%20eq%20%22
// <userName>%22&startIndex=1&count=100; when totalResults is 0, POST {base}/Users
// with Okta's create body (a.4) and keep the server's id. When the server
// already has the user, its id is linked; the profile GET+PUT that Okta then
// sends (A3) is not implemented yet.
//
// Any non-2xx answer, a body that is not a SCIM response, or a create answer
// without an id is a *PushError naming method, URL, status and a short body
// excerpt.
//
//	c := scimpush.New(scimpush.Config{HTTPClient: http.DefaultClient})
//	var tr scimpush.Transcript
//	res, err := c.PushUser(ctx, scimpush.Target{BaseURL: base, Token: tok}, scimpush.User{
//		ID: "00u...", UserName: "alice@acme.test", Email: "alice@acme.test",
//		GivenName: "Alice", FamilyName: "Anderson"}, &tr)
package scimpush

import (
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Config configures a Client.
type Config struct {
	// HTTPClient sends the requests. Default: a client with a 60 s timeout
	// (Okta gives up on a server after 60 s).
	HTTPClient *http.Client
	// Logger receives one line per exchange (method, URL, status). Default: discard.
	Logger *slog.Logger
	// Rand is the source of password placeholders. Default: crypto/rand.Reader.
	Rand io.Reader
	// Now timestamps transcript entries. Default: time.Now.
	Now func() time.Time
}

func (c Config) withDefaults() Config {
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 60 * time.Second}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Client is Okta's SCIM client. It is safe for concurrent use.
type Client struct{ cfg Config }

// New returns a Client.
func New(cfg Config) *Client { return &Client{cfg: cfg.withDefaults()} }

// Target is an app's SCIM endpoint: its base URL (e.g.
// https://app.example/scim/v2) and the token Okta sends as a Bearer token.
type Target struct {
	BaseURL, Token string
}

func (t Target) base() string { return strings.TrimSuffix(t.BaseURL, "/") }

// PushError is a failed SCIM exchange.
type PushError struct {
	Method, URL string
	Status      int    // 0 when no response arrived
	Body        string // short excerpt, secrets redacted
	Err         error  // transport or decoding error, if any
}

func (e *PushError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "scim %s %s", e.Method, e.URL)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": status %d", e.Status)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if e.Body != "" {
		fmt.Fprintf(&b, ": body %q", e.Body)
	}
	return b.String()
}

func (e *PushError) Unwrap() error { return e.Err }

// excerptLen bounds the body excerpt carried by a PushError.
const excerptLen = 300

func excerpt(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > excerptLen {
		return s[:excerptLen] + "..."
	}
	return s
}
