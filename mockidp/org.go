package mockidp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/fixture"
	"github.com/ssoconform/ssoconform/mockidp/oidcop"
	"github.com/ssoconform/ssoconform/mockidp/provisioner"
	"github.com/ssoconform/ssoconform/mockidp/ratelimit"
	"github.com/ssoconform/ssoconform/mockidp/samlidp"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// Errors callers can test with errors.Is.
var (
	ErrOrgExists   = errors.New("org already exists")
	ErrInvalidName = errors.New("invalid org name")
	ErrNotFound    = directory.ErrNotFound
	ErrConflict    = directory.ErrConflict
)

// UserInput describes a user to create. Email defaults to Login; Staged
// creates the user STAGED instead of ACTIVE.
type UserInput struct {
	Login, Email, FirstName, LastName, Password string
	Staged                                      bool
}

// User is an Okta user: ID is "00u" + 17 characters; Status is STAGED,
// ACTIVE, SUSPENDED or DEPROVISIONED.
type User struct {
	ID, Login, Email, FirstName, LastName, DisplayName, Status string
}

// OIDCAppInput describes an OIDC app integration (web app, client secret).
type OIDCAppInput struct {
	Label        string
	RedirectURIs []string
}

// App is an app integration: ID is "0oa" + 17 characters and, for OIDC
// apps, equal to ClientID; ClientSecret has 40 characters. SignOnMode is
// OPENID_CONNECT or SAML_2_0.
type App struct {
	ID, Label, SignOnMode, ClientID, ClientSecret string
	RedirectURIs                                  []string
}

// Provisioning is an app's SCIM target: base URL (e.g. .../scim/v2) and the
// token sent as Auth says (default "Authorization: Bearer <Token>"), with the settings of the
// app's Provisioning tab: Flavour (FlavourOIN, the default, or FlavourAIW)
// and the enabled features (nil: all on). See provisioning.go.
type Provisioning struct {
	BaseURL, Token string
	// Auth is AuthBearer (""), AuthHeader or AuthBasic (with Username).
	Auth, Username string
	Flavour        string
	Features       *ProvisioningFeatures
}

// Exchange is one recorded SCIM request and response. The Authorization
// header and the create password placeholder are redacted.
type Exchange = syslog.Exchange

// Org is one mock Okta org.
type Org struct {
	name, baseURL   string
	dir             *directory.Org
	log             *syslog.Log
	apiToken        string // "Authorization: SSWS <apiToken>" on the management API
	consolePassword string // the admin console's password (the API token works too)
	handler         http.Handler
	eng             *provisioner.Engine
	oidc            *oidcop.Provider // set once by mount
	saml            *samlidp.IdP     // set once by mount
	limiter         *ratelimit.Limiter
}

// CreateOrg creates an org. The name must match [a-z0-9][a-z0-9-]* (at most
// 63 characters) and not be taken. The org gets its own System Log, API token
// and console password.
func (s *Server) CreateOrg(ctx context.Context, name string) (*Org, error) {
	return s.addOrg(ctx, name, nil)
}

// addOrg creates an org, restoring it from st when not nil.
func (s *Server) addOrg(ctx context.Context, name string, st *orgState) (*Org, error) {
	if !fixture.OrgName.MatchString(name) {
		return nil, fmt.Errorf("create org %q: %w: must match %s", name, ErrInvalidName, fixture.OrgName)
	}
	o := &Org{name: name, baseURL: s.orgBaseURL(name), log: syslog.New(syslog.Config{Now: s.cfg.Now})}
	dcfg := directory.Config{Name: name, Rand: s.cfg.Rand, Now: s.cfg.Now, Log: o.log, OnChange: s.changed}
	var err error
	if st != nil {
		o.apiToken, o.consolePassword = st.APIToken, st.ConsolePassword
		if o.dir, err = directory.Restore(dcfg, st.Directory); err == nil {
			o.dir.SetLog(o.log)
		}
	} else {
		o.dir, err = directory.New(dcfg)
	}
	if err == nil && o.apiToken == "" {
		o.apiToken, err = directory.NewSecret(s.cfg.Rand, 40)
		o.apiToken = "00" + o.apiToken // Okta API tokens: "00" + 40 characters
	}
	if err == nil && o.consolePassword == "" {
		o.consolePassword, err = directory.NewSecret(s.cfg.Rand, 16)
	}
	if err == nil {
		o.eng, err = provisioner.New(provisioner.Config{Directory: o.dir, Log: o.log, HTTPClient: s.cfg.HTTPClient,
			Rand: s.cfg.Rand, Now: s.cfg.Now, Sleep: s.cfg.SCIMSleep, Logger: s.cfg.Logger.With("org", name)})
	}
	if err != nil {
		return nil, fmt.Errorf("create org %q: %w", name, err)
	}
	mux := http.NewServeMux()
	if err := o.mount(s.cfg, mux); err != nil {
		return nil, fmt.Errorf("create org %q: %w", name, err)
	}
	o.limiter = ratelimit.New(ratelimit.Config{Now: s.cfg.Now})
	// X-Okta-Request-Id and the transaction of the request's events, then Okta's rate limits.
	o.handler = syslog.Middleware(o.limiter.Wrap(mux))
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, taken := s.orgs[name]; taken {
		return nil, fmt.Errorf("create org %q: %w", name, ErrOrgExists)
	}
	s.orgs[name] = o
	s.cfg.Logger.InfoContext(ctx, "org created", "org", name, "id", o.dir.ID())
	s.changed()
	return o, nil
}

// SystemLog returns the org's System Log.
func (o *Org) SystemLog() *syslog.Log { return o.log }

// APIToken returns the org's management API token, sent as
// "Authorization: SSWS <token>"; it also opens the admin console.
func (o *Org) APIToken() string { return o.apiToken }

// ConsolePassword returns the admin console's password.
func (o *Org) ConsolePassword() string { return o.consolePassword }

// ConsoleURL returns the URL of the org's admin console.
func (o *Org) ConsoleURL() string { return o.baseURL + "/admin" }

// Name returns the org name.
func (o *Org) Name() string { return o.name }

// ID returns the org id ("00o...", the idp claim of ID tokens).
func (o *Org) ID() string { return o.dir.ID() }

// BaseURL returns the org base URL, which is the OIDC issuer.
func (o *Org) BaseURL() string { return o.baseURL }

// DiscoveryURL returns the URL of the org's OpenID discovery document.
func (o *Org) DiscoveryURL() string { return o.baseURL + oidcop.PathDiscovery }

// CreateUser creates a user, ACTIVE unless in.Staged.
func (o *Org) CreateUser(ctx context.Context, in UserInput) (User, error) {
	u, err := o.dir.CreateUser(directory.UserInput(in))
	if err != nil {
		return User{}, err
	}
	return toUser(u), nil
}

// Users returns the org's users in creation order.
func (o *Org) Users() []User {
	var out []User
	for _, u := range o.dir.Users() {
		out = append(out, toUser(u))
	}
	return out
}

func toUser(u directory.User) User {
	return User{ID: u.ID, Login: u.Login, Email: u.Email, FirstName: u.FirstName,
		LastName: u.LastName, DisplayName: u.DisplayName(), Status: u.Status}
}

// CreateOIDCApp creates an OIDC app integration with a generated client id
// and secret.
func (o *Org) CreateOIDCApp(ctx context.Context, in OIDCAppInput) (App, error) {
	a, err := o.dir.CreateOIDCApp(directory.OIDCAppInput{Label: in.Label, RedirectURIs: in.RedirectURIs})
	if err != nil {
		return App{}, err
	}
	return toApp(a), nil
}

// Apps returns the org's app integrations in creation order.
func (o *Org) Apps() []App {
	var out []App
	for _, a := range o.dir.Apps() {
		out = append(out, toApp(a))
	}
	return out
}

func toApp(a directory.App) App {
	return App{ID: a.ID, Label: a.Label, SignOnMode: a.SignOnMode, ClientID: a.ClientID,
		ClientSecret: a.ClientSecret, RedirectURIs: slices.Clone(a.RedirectURIs)}
}

// SetProvisioning sets an app's SCIM target and provisioning settings; a
// zero Provisioning turns provisioning off. Nothing is pushed: assignments
// made before are pushed by Provision ("Push Now"), as Okta's "Provision
// User" does.
func (o *Org) SetProvisioning(ctx context.Context, appID string, p Provisioning) error {
	return o.dir.SetProvisioning(appID, toDirProvisioning(p))
}

// AssignUser assigns a user to an app. When the app has provisioning, the
// engine pushes the user the Okta way in the background (userName filter,
// then POST /Users; or reactivation of a user the app had deactivated); see
// WaitQuiet and Tasks.
func (o *Org) AssignUser(ctx context.Context, appID, userID string) error {
	if _, err := o.dir.Assign(appID, userID); err != nil {
		return err
	}
	return o.SyncUsers(ctx, userID)
}

// Transcript returns the SCIM exchanges with an app, oldest first.
func (o *Org) Transcript(appID string) []Exchange { return o.eng.Transcript(appID) }

// ExternalID returns the id the app's SCIM server gave the user (Okta keeps
// it as the app user's externalId); ok is false until the user was pushed.
// The id stays known after the user was unassigned and deactivated in the
// app, as the server keeps the user.
func (o *Org) ExternalID(appID, userID string) (id string, ok bool) {
	p, found := o.dir.PushedUser(appID, userID)
	return p.ExternalID, found && p.ExternalID != ""
}
