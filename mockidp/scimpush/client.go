// Package scimpush is the mock Okta's SCIM 2.0 client: it pushes users and
// groups to an app's SCIM server request by request the way Okta does
// (shared/reference/okta-scim.md a.2-a.6), and records a transcript of every
// exchange with secrets redacted.
//
// What it sends on every request (a.2): User-Agent "Okta SCIM Client 1.0.0",
// Accept application/scim+json, Accept-Charset utf-8, Accept-Encoding
// gzip,deflate (responses are decoded here), Connection: close, Authorization
// per Target.Auth ("Bearer <token>", the raw token, or Basic), and Content-Type "application/scim+json; charset=utf-8"
// only when there is a body.
//
// The sequences (a.3), per Target.Flavour: FlavourOIN is an OIN catalog app
// (PATCH for active and for groups, GET then PUT for profile updates);
// FlavourAIW is an App Integration Wizard app (GET then PUT for everything).
// F(u) is GET {base}/Users?filter=userName%20eq%20%22<userName>%22&startIndex=1&count=100.
//
//	PushUser      A2 F(u), POST /Users          A3 F(u) finds it: GET /Users/{id}, PUT (merged, active)
//	UpdateUser    A4 GET /Users/{id}, PUT /Users/{id} with Okta's profile merged into the server's body
//	SetActive     A5/A8 OIN: PATCH /Users/{id} {op: replace, value: {active}} (no path)
//	              AIW: GET /Users/{id}, PUT with the profile and active
//	PushGroup     A12 OIN: POST /Groups (members []), PATCH add members (when there are any)
//	              AIW: GET /Groups?filter=displayName eq, POST (or the match), GET /Groups/{id}, PUT
//	UpdateGroup   A16 OIN rename: PATCH {op: replace, value: {id, displayName}} (no path)
//	              A14 OIN members: PATCH with remove (members[value eq "id"]) and add ops
//	              AIW: GET /Groups/{id}, PUT {schemas, displayName, members (full list)}
//	DeleteGroup   A18 DELETE /Groups/{id}
//
// Okta's open points (a.9) are decided here as follows: OIN reactivation is the
// mirror of deactivation, without a filter lookup first (the server id is
// remembered); OIN group push sends no displayName filter before POST; a
// rename and a membership change in the same update are two PATCHes, rename
// first; a profile update is PUT for both flavours ("Support PATCH for User"
// is not modelled).
//
// A 429 answer is retried as Okta does (a.6): the first wait is Retry-After in
// integer seconds (missing or not an integer: 5 minutes), each further 429
// doubles it, and after 10 attempts the request fails. Waiting goes through
// Config.Sleep, so tests never sleep. Any other non-2xx answer, a body that is
// not a SCIM response, or a create answer without an id is a *PushError naming
// method, URL, status and a short body excerpt; there is no retry for 5xx.
//
//	c := scimpush.New(scimpush.Config{HTTPClient: http.DefaultClient})
//	var tr scimpush.Transcript
//	t := scimpush.Target{BaseURL: base, Token: tok, Flavour: scimpush.FlavourAIW}
//	res, err := c.PushUser(ctx, t, scimpush.User{ID: "00u...", UserName: "alice@acme.test",
//		Email: "alice@acme.test", GivenName: "Alice", FamilyName: "Anderson"}, &tr)
//	err = c.SetActive(ctx, t, res.ID, user, false, &tr) // GET + PUT active:false
package scimpush

import (
	"context"
	"crypto/rand"
	"encoding/base64"
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
	// Sleep waits d before a request that got 429 is sent again; it returns
	// early with ctx's error. Default: a timer that honours ctx.
	Sleep func(ctx context.Context, d time.Duration) error
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
	if c.Sleep == nil {
		c.Sleep = sleep
	}
	return c
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Client is Okta's SCIM client. It is safe for concurrent use.
type Client struct{ cfg Config }

// New returns a Client.
func New(cfg Config) *Client { return &Client{cfg: cfg.withDefaults()} }

// Target is an app's SCIM endpoint: its base URL (e.g.
// https://app.example/scim/v2), the token and how Okta sends it (Auth,
// default AuthBearer; with AuthBasic the token is the password of Username),
// and the integration's flavour (default FlavourOIN).
type Target struct {
	BaseURL, Token string
	Auth           Auth
	Username       string
	Flavour        Flavour
}

// Auth is the integration's "Authentication Mode" (okta-scim.md a.2).
type Auth string

// The authentication modes.
const (
	AuthBearer Auth = "bearer" // Authorization: Bearer <token> (AIW "HTTP Header", OAuth Bearer)
	AuthHeader Auth = "header" // Authorization: <token> (OIN "Header Auth": the raw token)
	AuthBasic  Auth = "basic"  // Authorization: Basic base64(username:token) (AIW and test apps only)
)

// authorization returns the Authorization header, the form a transcript shows (secret redacted) and the
// encoded secret to redact elsewhere.
func (t Target) authorization() (header, shown, secret string) {
	switch t.Auth {
	case AuthHeader:
		return t.Token, redacted, ""
	case AuthBasic:
		enc := base64.StdEncoding.EncodeToString([]byte(t.Username + ":" + t.Token))
		return "Basic " + enc, "Basic " + redacted, enc
	}
	return "Bearer " + t.Token, "Bearer " + redacted, ""
}

// Flavour is how the app integration was made in Okta (okta-scim.md a.1).
type Flavour string

// The two flavours.
const (
	FlavourOIN Flavour = "oin" // OIN catalog app: PATCH for active and groups
	FlavourAIW Flavour = "aiw" // App Integration Wizard app: GET then PUT for everything
)

func (t Target) aiw() bool { return t.Flavour == FlavourAIW }

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
