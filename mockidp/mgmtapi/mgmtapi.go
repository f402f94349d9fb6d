// Package mgmtapi is a mock Okta org's management API: the subset of Okta's /api/v1 that apps and
// scripts use to manage users, groups and app assignments, with Okta's JSON shapes, Okta's error JSON
// and SSWS token authentication, so Okta's SDKs work against it.
//
// Paths (relative to the org base URL; every request needs "Authorization: SSWS <token>"):
//
//	GET    /api/v1/users                    ?q= ?filter= ?search= ?limit= ?after= (DEPROVISIONED users
//	                                        only through filter/search, as in Okta)
//	POST   /api/v1/users                    ?activate=true|false  {profile, credentials.password.value, groupIds}
//	GET    /api/v1/users/{id}               id or login
//	POST   /api/v1/users/{id}               partial profile / password update
//	DELETE /api/v1/users/{id}               deactivates; a second DELETE deletes (204)
//	POST   /api/v1/users/{id}/lifecycle/{activate|deactivate|suspend|unsuspend}
//	GET    /api/v1/users/{id}/groups
//	GET    /api/v1/groups                   ?q= (name prefix) ?limit= ?after=
//	POST   /api/v1/groups                   {profile: {name, description}}
//	GET|PUT|DELETE /api/v1/groups/{id}
//	GET    /api/v1/groups/{id}/users
//	PUT|DELETE /api/v1/groups/{id}/users/{userId}
//	GET    /api/v1/apps                     ?q= (label prefix)
//	GET|PUT /api/v1/apps/{id}               PUT: label, redirect URIs, SAML sign-on URLs (appupdate.go)
//	GET|POST /api/v1/apps/{id}/users        POST {id, scope: "USER"} assigns
//	GET|DELETE /api/v1/apps/{id}/users/{userId}
//	GET    /api/v1/apps/{id}/groups
//	GET|PUT|DELETE /api/v1/apps/{id}/groups/{groupId}
//	GET    /api/v1/logs                     ?since= ?until= ?filter=eventType eq "x" ?q= ?limit= ?sortOrder=
//	                                        ?after= (the cursor of the next link; a polling query, without
//	                                        until, always links a next page, even an empty one)
//	GET    /api/v1/apps/{id}/tasks          and retry / dismiss: provisioning tasks (mock-specific, tasks.go)
//	GET|PUT /api/v1/mock/apps/{id}/faults   the app's faults (mock only, tasks.go)
//
// The built-in group Everyone (type BUILT_IN, every user a member) is listed first in /api/v1/groups and
// in each user's groups; changing it or its members is refused with 403 E0000006.
//
// Filters understand `attr eq "v"` and `attr sw "v"` clauses joined by "and" / "or" (no parentheses) on
// id, status, lastUpdated, profile.login, profile.email, profile.firstName, profile.lastName. Lists are
// paged with limit and the after cursor, with Okta's Link headers. Errors: E0000005 (403, no API token),
// E0000011 (401, bad token), E0000007 (404), E0000001 (400, validation), E0000003 (400, malformed
// body), E0000016 (403, already active), E0000022 (405), E0000006 (403, a change to Everyone).
//
// Departures from Okta: a user created active without a password is ACTIVE (Okta: PROVISIONED, pending
// the activation email); activation returns an empty object (no activation token or email).
//
//	api, err := mgmtapi.New(mgmtapi.Config{BaseURL: "http://127.0.0.1:8080/acme", Directory: dir,
//		Log: log, Token: token})
//	api.Mount(mux) // mux serves the org's paths
package mgmtapi

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// Provisioner pushes directory changes to apps' SCIM servers the way Okta does; the root package
// implements it. The API changes the directory first, then calls it.
type Provisioner interface {
	// Provision pushes everything the app's SCIM server lacks ("Push Now").
	Provision(ctx context.Context, appID string) error
	// SyncUsers pushes what changed about these users (creates, profile updates, deactivation,
	// reactivation) and the membership of pushed groups they are in.
	SyncUsers(ctx context.Context, userIDs ...string) error
	// SyncGroup pushes a pushed group's new name and membership.
	SyncGroup(ctx context.Context, groupID string) error
}

// Config configures an API.
type Config struct {
	// BaseURL is the org base URL, used in _links. Required.
	BaseURL string
	// Directory is the org's state. Required.
	Directory *directory.Org
	// Log is the org's System Log, served at /api/v1/logs. Default: none (empty list).
	Log *syslog.Log
	// Token is the API token; requests send "Authorization: SSWS <Token>". Required.
	Token string
	// Provisioner is called after every change of users, groups or assignments: user create, profile
	// update, lifecycle, assignment, membership, group rename and delete (push errors are logged, not
	// returned, as Okta reports them in its task list). Default: none.
	Provisioner Provisioner
	// Actions serve the provisioning task and mock fault endpoints (tasks.go). Default: none (they fail).
	Actions Actions
	// Rand draws error ids. Default: crypto/rand.Reader.
	Rand io.Reader
	// Logger receives failures, never tokens. Default: discard.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
	return c
}

// Validate reports the first missing field.
func (c Config) Validate() error {
	switch {
	case c.BaseURL == "":
		return errors.New("mgmtapi config: BaseURL is required")
	case c.Directory == nil:
		return errors.New("mgmtapi config: Directory is required")
	case c.Token == "":
		return errors.New("mgmtapi config: Token is required")
	}
	return nil
}

// API serves the management API of one org.
type API struct {
	cfg Config
	dir *directory.Org
}

// New returns an API.
func New(cfg Config) (*API, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &API{cfg: cfg, dir: cfg.Directory}, nil
}

// handlerFunc is an endpoint: it writes a success response or returns an error for writeError.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// wrap authenticates the request and maps returned errors to Okta's error JSON.
func (a *API) wrap(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := a.authenticate(r); err != nil {
			a.writeError(w, r, err)
			return
		}
		if err := h(w, r); err != nil {
			a.writeError(w, r, err)
		}
	}
}

// authenticate checks the API token as Okta does: a request that presents no API credentials at all
// (no Authorization header, or one with a scheme Okta does not know) is judged as a browser request
// without an Okta session, 403 E0000005 "Invalid session"; an SSWS or Bearer credential that is not
// valid is 401 E0000011 "Invalid token provided". Okta's documentation lists both codes in its error
// catalogue; which one a request gets follows what Okta orgs answer (and okta-sdk-golang reports either
// as an *okta.GenericOpenAPIError with the body's errorCode).
func (a *API) authenticate(r *http.Request) error {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	switch {
	case !ok || (!strings.EqualFold(scheme, "SSWS") && !strings.EqualFold(scheme, "Bearer")):
		return errInvalidSession
	case strings.EqualFold(scheme, "SSWS") &&
		subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(a.cfg.Token)) == 1:
		return nil
	}
	return errInvalidToken
}

// syncUsers pushes the users' changes; failures are logged, as Okta lists them as tasks.
func (a *API) syncUsers(ctx context.Context, userIDs ...string) {
	if a.cfg.Provisioner == nil || len(userIDs) == 0 {
		return
	}
	if err := a.cfg.Provisioner.SyncUsers(ctx, userIDs...); err != nil {
		a.cfg.Logger.WarnContext(ctx, "provisioning failed", "users", userIDs, "err", err.Error())
	}
}

// syncGroup pushes a group's rename; failures are logged.
func (a *API) syncGroup(ctx context.Context, groupID string) {
	if a.cfg.Provisioner == nil {
		return
	}
	if err := a.cfg.Provisioner.SyncGroup(ctx, groupID); err != nil {
		a.cfg.Logger.WarnContext(ctx, "group provisioning failed", "group", groupID, "err", err.Error())
	}
}

// members returns a group's member ids (none when the group is unknown).
func (a *API) members(groupID string) []string {
	g, _ := a.dir.Group(groupID)
	return g.Members
}
