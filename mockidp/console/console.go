// Package console is a mock Okta org's admin console: server-rendered pages (html/template, no
// JavaScript) that look like Okta's Admin Console. Paths, relative to the org base URL:
//
//	/admin/login            sign in with the org's API token or console password
//	/admin/users            list, create, activate / deactivate / suspend / unsuspend / delete
//	/admin/groups[/{id}]    list, create, members
//	/admin/apps[/{id}]      list; per app the tabs General (with an edit form for redirect URIs, or the
//	                        SAML ACS URL, audience, NameID format and attributes; see settings.go), Sign On (client ID and secret, the
//	                        discovery / metadata URLs an admin copies) and Assignments (users and groups)
//	/admin/logs             the System Log: rows expand to their exchanges; search and filters as
//	                        GET parameters (q, app, user, type, from, to; see logs.go)
//
// Sessions are random cookies kept in memory (8 hours), scoped to the console's path. Every POST is
// protected against cross-site requests by http.CrossOriginProtection (Sec-Fetch-Site / Origin checks),
// so forms carry no token. Secrets typed into the console are never logged.
//
//	c, err := console.New(console.Config{BaseURL: "http://127.0.0.1:8080/acme", Directory: dir,
//		Log: log, Token: apiToken, Password: consolePassword})
//	c.Mount(mux) // mux serves the org's paths
package console

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"errors"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// Provisioner pushes directory changes to apps' SCIM servers the way Okta does; the root package
// implements it. The console changes the directory first, then calls it.
type Provisioner interface {
	// Provision pushes everything the app's SCIM server lacks ("Push Now").
	Provision(ctx context.Context, appID string) error
	// SyncUsers pushes what changed about these users and the pushed groups they are in.
	SyncUsers(ctx context.Context, userIDs ...string) error
	// SyncGroup pushes a pushed group's new name and membership.
	SyncGroup(ctx context.Context, groupID string) error
	// PushGroup pushes a group to the app (Push Groups tab).
	PushGroup(ctx context.Context, appID, groupID string) error
	// UnlinkGroup unlinks a pushed group, deleting the app's group when deleteInApp.
	UnlinkGroup(ctx context.Context, appID, groupID string, deleteInApp bool) error
}

// Config configures a Console.
type Config struct {
	// BaseURL is the org base URL; its path prefixes every link. Required.
	BaseURL string
	// OrgName is shown in the header. Default: the last segment of BaseURL's path or host.
	OrgName string
	// Directory is the org's state. Required.
	Directory *directory.Org
	// Log is the org's System Log. Default: none.
	Log *syslog.Log
	// Token and Password both open the console; at least one is required.
	Token, Password string
	// Provisioner is called after every change Okta provisions (assignments, lifecycle, membership) and
	// by the Provisioning and Push Groups tabs. Default: none (nothing is pushed; the two tabs' buttons
	// report that provisioning is unavailable).
	Provisioner Provisioner
	// Actions back the Tasks tab, the Provisioning tab's Test API Credentials, Force Sync and Import Now,
	// and the Faults tab. Default: none (those buttons report that they are unavailable).
	Actions Actions
	// Faults is the mock's fault catalogue, listed in the Faults tab. Default: none.
	Faults []Fault
	// Now is the session clock. Default: time.Now.
	Now func() time.Time
	// Rand draws session ids. Default: crypto/rand.Reader.
	Rand io.Reader
	// Logger receives failures. Default: discard.
	Logger *slog.Logger
}

// SessionLifetime is how long a console sign-in lasts.
const SessionLifetime = 8 * time.Hour

func (c Config) withDefaults() Config {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
	if c.OrgName == "" && c.Directory != nil {
		c.OrgName = c.Directory.Name()
	}
	return c
}

// Validate reports the first invalid field.
func (c Config) Validate() error {
	switch {
	case c.BaseURL == "":
		return errors.New("console config: BaseURL is required")
	case c.Directory == nil:
		return errors.New("console config: Directory is required")
	case c.Token == "" && c.Password == "":
		return errors.New("console config: Token or Password is required")
	}
	if _, err := url.Parse(c.BaseURL); err != nil {
		return errors.New("console config: BaseURL is not a URL")
	}
	return nil
}

// Console serves the admin console of one org.
type Console struct {
	cfg    Config
	dir    *directory.Org
	path   string // the console's path: base path + "/admin"
	secure bool
	pages  map[string]*template.Template

	mu       sync.Mutex
	sessions map[string]time.Time // session id -> expiry
}

//go:embed pages/*.html
var pageFS embed.FS

// New returns a Console.
func New(cfg Config) (*Console, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	u, _ := url.Parse(cfg.BaseURL) // validated
	c := &Console{cfg: cfg, dir: cfg.Directory, path: strings.TrimSuffix(u.Path, "/") + "/admin",
		secure: u.Scheme == "https", sessions: map[string]time.Time{}, pages: map[string]*template.Template{}}
	for _, name := range []string{"login", "users", "user", "groups", "group", "apps", "app", "logs"} {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(pageFS, "pages/layout.html", "pages/"+name+".html")
		if err != nil {
			return nil, err
		}
		c.pages[name] = t
	}
	return c, nil
}

var funcs = template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("Jan 2, 2006 15:04:05 UTC")
	},
	"lower":  strings.ToLower,
	"pretty": prettyBody,
	"join":   strings.Join,
}

// authorized reports whether the request carries a live session.
func (c *Console) authorized(r *http.Request) bool {
	ck, err := r.Cookie(cookieName)
	if err != nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	exp, ok := c.sessions[ck.Value]
	if ok && !c.cfg.Now().Before(exp) {
		delete(c.sessions, ck.Value)
		return false
	}
	return ok
}

const cookieName = "mockidp_admin"

// checkSecret compares a typed secret with the API token and the console password.
func (c *Console) checkSecret(s string) bool {
	ok := false
	for _, want := range []string{c.cfg.Token, c.cfg.Password} {
		if want != "" && subtle.ConstantTimeCompare([]byte(s), []byte(want)) == 1 {
			ok = true
		}
	}
	return ok
}

func (c *Console) startSession(w http.ResponseWriter) error {
	id, err := directory.NewSecret(c.cfg.Rand, 43)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.sessions[id] = c.cfg.Now().Add(SessionLifetime)
	c.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: id, Path: c.path, HttpOnly: true,
		Secure: c.secure, SameSite: http.SameSiteLaxMode, MaxAge: int(SessionLifetime.Seconds())})
	return nil
}

func (c *Console) endSession(w http.ResponseWriter, r *http.Request) {
	if ck, err := r.Cookie(cookieName); err == nil {
		c.mu.Lock()
		delete(c.sessions, ck.Value)
		c.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: c.path, MaxAge: -1, HttpOnly: true})
}

// syncUsers pushes the users' changes; failures are logged and shown in the System Log, as Okta lists
// them as tasks, and never undo the change.
func (c *Console) syncUsers(ctx context.Context, userIDs ...string) {
	if c.cfg.Provisioner == nil || len(userIDs) == 0 {
		return
	}
	if err := c.cfg.Provisioner.SyncUsers(ctx, userIDs...); err != nil {
		c.cfg.Logger.WarnContext(ctx, "provisioning failed", "users", userIDs, "err", err.Error())
	}
}

// members returns a group's member ids (none when the group is unknown).
func (c *Console) members(groupID string) []string {
	g, _ := c.dir.Group(groupID)
	return g.Members
}
