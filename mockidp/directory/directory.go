// Package directory holds the state of one mock Okta org: its users and their lifecycle, its groups,
// its app integrations, the assignments of users and groups to apps and each app's provisioning
// settings. Everything is in memory and safe for concurrent use; getters return copies, so callers
// never share mutable state with the org.
//
// Ids have Okta's shapes: 20 characters from [0-9A-Za-z] with a type prefix (users "00u", groups "00g",
// apps "0oa", the org "00o"), drawn from the injected random source (crypto/rand by default).
//
// User lifecycle (Okta's statuses and transitions): STAGED -activate-> ACTIVE -suspend-> SUSPENDED
// -unsuspend-> ACTIVE; any status but DEPROVISIONED -deactivate-> DEPROVISIONED -activate-> ACTIVE; only a
// DEPROVISIONED user can be deleted. Only an ACTIVE user can sign in (Authenticate).
//
// Assignments: a user is assigned to an app directly (scope USER) or through a group assigned to the app
// (scope GROUP). Either way the org keeps one app-user record per (app, user), with the app username
// (from the app's username format) and the external id the app's SCIM server returned; IsAssigned,
// Assignment and AppUsers see both kinds. Unassigning a direct assignment of a user who is also covered by
// a group keeps the record with scope GROUP; a user covered only through a group cannot be unassigned
// individually (ErrInvalid), as in Okta.
//
// Changes are recorded in the org's System Log (Config.Log) and reported to Config.OnChange, which the
// state file uses; Snapshot and Restore export and import the whole org.
//
//	org, err := directory.New(directory.Config{Name: "acme"})
//	u, err := org.CreateUser(directory.UserInput{Login: "alice@acme.test", Password: "pw"})
//	g, err := org.CreateGroup(directory.GroupInput{Name: "Engineering"})
//	err = org.AddGroupMember(g.ID, u.ID)
//	app, err := org.CreateOIDCApp(directory.OIDCAppInput{Label: "refapp",
//		RedirectURIs: []string{"http://localhost:8081/sso/oidc/callback"}})
//	err = org.AssignGroup(app.ID, g.ID) // alice is now assigned, scope GROUP
//	err = org.Deactivate(u.ID)          // alice can no longer sign in
package directory

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// Errors callers can test with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("already exists")
	ErrInvalid  = errors.New("invalid input")
	// ErrLifecycle reports a lifecycle transition the user's status does not allow.
	ErrLifecycle = errors.New("invalid lifecycle transition")
)

// ClientSecretLength is the length of generated client secrets (Okta's is 40).
const ClientSecretLength = 40

// Config configures an Org.
type Config struct {
	// Name is the org name. Required.
	Name string
	// ID is the org id; default: a new "00o..." id.
	ID string
	// Rand is the random source for ids and secrets. Default: crypto/rand.Reader.
	Rand io.Reader
	// Now stamps created / lastUpdated times. Default: time.Now.
	Now func() time.Time
	// Log receives lifecycle, membership and assignment events. Default: none.
	Log *syslog.Log
	// OnChange is called after every change (with the org's lock released or not: it must not block and
	// must not call back into the org). Default: none.
	OnChange func()
}

// Provisioning is an app's SCIM target and the provisioning settings of its Provisioning tab. Token is
// sent as Auth says (a Bearer token by default).
type Provisioning struct {
	BaseURL string `json:"baseUrl"`
	Token   string `json:"token"`
	// Auth is the "Authentication Mode": AuthBearer ("Authorization: Bearer <Token>", the default),
	// AuthHeader (the raw token: "Authorization: <Token>") or AuthBasic (Username and Token as password).
	Auth     string `json:"auth,omitempty"`
	Username string `json:"username,omitempty"`
	// Flavour is how the app integration was made, which decides Okta's requests: FlavourOIN (an OIN
	// catalog app: PATCH for active and groups) or FlavourAIW (an App Integration Wizard app: GET then PUT
	// for everything). Default: FlavourOIN.
	Flavour string `json:"flavour,omitempty"`
	// Features are the "Provisioning to App" checkboxes. Default (nil): all on.
	Features *Features `json:"features,omitempty"`
}

// Authentication modes of a SCIM target (Provisioning.Auth).
const (
	AuthBearer = "bearer"
	AuthHeader = "header"
	AuthBasic  = "basic"
)

// Provisioning flavours.
const (
	FlavourOIN = "oin"
	FlavourAIW = "aiw"
)

// Features are the provisioning features an admin enables ("Provisioning to App"). A feature that is
// off means Okta sends nothing for that action. Deactivate also covers reactivation, as in Okta.
type Features struct {
	Create     bool `json:"create"`
	Update     bool `json:"update"`
	Deactivate bool `json:"deactivate"`
	PushGroups bool `json:"pushGroups"`
	// SyncPassword pushes a password set in Okta (A9). It is off by default, as in Okta, and not part of
	// AllFeatures.
	SyncPassword bool `json:"syncPassword,omitempty"`
}

// AllFeatures has every feature on.
var AllFeatures = Features{Create: true, Update: true, Deactivate: true, PushGroups: true}

// Enabled returns the features in effect (all of them when none were set).
func (p Provisioning) Enabled() Features {
	if p.Features == nil {
		return AllFeatures
	}
	return *p.Features
}

// FlavourOrDefault returns the flavour in effect (FlavourOIN when unset).
func (p Provisioning) FlavourOrDefault() string {
	if p.Flavour == "" {
		return FlavourOIN
	}
	return p.Flavour
}

// Validate checks the flavour and that a target has a base URL.
func (p Provisioning) Validate() error {
	if !slices.Contains([]string{"", FlavourOIN, FlavourAIW}, p.Flavour) {
		return fmt.Errorf("provisioning flavour %q: must be %q or %q: %w", p.Flavour, FlavourOIN, FlavourAIW, ErrInvalid)
	}
	if strings.TrimSpace(p.BaseURL) == "" {
		return fmt.Errorf("provisioning: base URL is required: %w", ErrInvalid)
	}
	if !slices.Contains([]string{"", AuthBearer, AuthHeader, AuthBasic}, p.Auth) {
		return fmt.Errorf("provisioning authentication %q: must be %q, %q or %q: %w", p.Auth, AuthBearer, AuthHeader, AuthBasic, ErrInvalid)
	}
	if p.Auth == AuthBasic && p.Username == "" {
		return fmt.Errorf("provisioning: Basic authentication needs a username: %w", ErrInvalid)
	}
	return nil
}

// App is an app integration. For OIDC apps ClientID equals ID, as in Okta.
type App struct {
	ID           string        `json:"id"`
	Label        string        `json:"label"`
	SignOnMode   string        `json:"signOnMode"`
	ClientID     string        `json:"clientId,omitempty"`
	ClientSecret string        `json:"clientSecret,omitempty"`
	RedirectURIs []string      `json:"redirectUris,omitempty"`
	Provisioning *Provisioning `json:"provisioning,omitempty"`
	// SAML holds the SAML 2.0 settings of a SAML app (SignOnMode SAML_2_0); nil for OIDC apps.
	SAML *SAMLSettings `json:"saml,omitempty"`
	// TokenEndpointAuthMethod is client_secret_basic (the default), client_secret_post, private_key_jwt
	// or none.
	TokenEndpointAuthMethod string `json:"tokenEndpointAuthMethod,omitempty"`
	// JWKS is the client's public key set (JSON) for private_key_jwt.
	JWKS []byte `json:"jwks,omitempty"`
	// PostLogoutRedirectURIs are the "Sign-out redirect URIs".
	PostLogoutRedirectURIs []string `json:"postLogoutRedirectUris,omitempty"`
	// UsernameFormat is the "Application username format": "email" (the default), "login" or "prefix"
	// (the login's part before @).
	UsernameFormat string `json:"usernameFormat,omitempty"`
	// RequireMFA is the app's sign-on policy: a second factor (the user's TOTP) at sign-in, once per Okta
	// session. Default: off.
	RequireMFA bool `json:"requireMfa,omitempty"`
	// Faults are the names of the deliberate defects this app's responses carry (see SetFaults). The
	// protocol packages define and document the names; the directory only stores them.
	Faults []string `json:"faults,omitempty"`
	// Created and LastUpdated are zero for apps made before the org had a clock (none today).
	Created     time.Time `json:"created,omitzero"`
	LastUpdated time.Time `json:"lastUpdated,omitzero"`
}

// Username formats (the app's "Application username format").
const (
	UsernameEmail  = "email"
	UsernameLogin  = "login"
	UsernamePrefix = "prefix"
)

// SignOnModeOIDC is Okta's signOnMode for OIDC app integrations.
const SignOnModeOIDC = "OPENID_CONNECT"

// OIDCAppInput describes an OIDC app integration to create. ClientID and ClientSecret are generated
// when empty; a fixed ClientID also becomes the app id (Okta's client_id is the app id).
type OIDCAppInput struct {
	Label                  string
	RedirectURIs           []string
	ClientID, ClientSecret string
}

// Org is one Okta org.
type Org struct {
	id, name string
	rand     io.Reader
	now      func() time.Time
	log      *syslog.Log
	created  time.Time // when this process made the org: the Everyone group's created time

	mu               stateMutex
	users            map[string]*User  // by id
	logins           map[string]string // lower-cased login -> id
	userOrder        []string
	apps             map[string]*App // by id
	appOrder         []string
	groups           map[string]*Group // by id
	groupOrder       []string
	assignments      map[string]map[string]*appUser    // app id -> user id -> record
	groupAssignments map[string][]*GroupAssignment     // app id -> groups in priority order
	pushedUsers      map[string]map[string]*PushedUser // app id -> user id -> what the app was told
	groupPushes      map[string]map[string]*GroupPush  // app id -> group id -> pushed group link
}

// stateMutex is the org's lock; releasing the write lock reports a change, so every mutator (including
// those in other files of this package) feeds the state file without remembering to.
type stateMutex struct {
	sync.RWMutex
	onChange func()
}

// Unlock releases the write lock and reports a change.
func (m *stateMutex) Unlock() {
	m.RWMutex.Unlock()
	if m.onChange != nil {
		m.onChange()
	}
}

// NewOrg creates an empty org. r is the random source for ids and secrets (nil = crypto/rand).
func NewOrg(name string, r io.Reader) (*Org, error) {
	return New(Config{Name: name, Rand: r})
}

// New creates an empty org.
func New(cfg Config) (*Org, error) {
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ID == "" {
		id, err := NewID(cfg.Rand, PrefixOrg)
		if err != nil {
			return nil, fmt.Errorf("create org %q: %w", cfg.Name, err)
		}
		cfg.ID = id
	}
	o := &Org{
		id: cfg.ID, name: cfg.Name, rand: cfg.Rand, now: cfg.Now, log: cfg.Log,
		users: map[string]*User{}, logins: map[string]string{},
		apps: map[string]*App{}, groups: map[string]*Group{},
		assignments:      map[string]map[string]*appUser{},
		groupAssignments: map[string][]*GroupAssignment{},
		pushedUsers:      map[string]map[string]*PushedUser{},
		groupPushes:      map[string]map[string]*GroupPush{},
	}
	o.created = o.stamp()
	o.mu.onChange = cfg.OnChange
	return o, nil
}

// ID returns the org id ("00o...").
func (o *Org) ID() string { return o.id }

// Name returns the org name.
func (o *Org) Name() string { return o.name }

// Log returns the org's System Log (nil when none was configured).
func (o *Org) Log() *syslog.Log { return o.log }

// stamp returns the current time truncated to milliseconds, Okta's precision.
func (o *Org) stamp() time.Time { return o.now().UTC().Truncate(time.Millisecond) }

// CreateOIDCApp adds an OIDC app integration with a client id and secret.
func (o *Org) CreateOIDCApp(in OIDCAppInput) (App, error) {
	if strings.TrimSpace(in.Label) == "" {
		return App{}, fmt.Errorf("create app: label is required: %w", ErrInvalid)
	}
	if err := checkAppURLs(&App{SignOnMode: SignOnModeOIDC, RedirectURIs: in.RedirectURIs}, nil); err != nil {
		return App{}, fmt.Errorf("create app %q: %w", in.Label, err)
	}
	var err error
	id := in.ClientID
	if id == "" {
		if id, err = NewID(o.rand, PrefixApp); err != nil {
			return App{}, fmt.Errorf("create app %q: %w", in.Label, err)
		}
	}
	secret := in.ClientSecret
	if secret == "" {
		if secret, err = NewSecret(o.rand, ClientSecretLength); err != nil {
			return App{}, fmt.Errorf("create app %q: %w", in.Label, err)
		}
	}
	now := o.stamp()
	a := &App{ID: id, Label: in.Label, SignOnMode: SignOnModeOIDC, ClientID: id,
		ClientSecret: secret, RedirectURIs: slices.Clone(in.RedirectURIs), Created: now, LastUpdated: now}
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, taken := o.apps[id]; taken {
		return App{}, fmt.Errorf("create app %q: client id %q %w", in.Label, id, ErrConflict)
	}
	o.apps[id] = a
	o.appOrder = append(o.appOrder, id)
	return a.clone(), nil
}

func (a *App) clone() App {
	c := *a
	c.RedirectURIs = slices.Clone(a.RedirectURIs)
	c.Faults = slices.Clone(a.Faults)
	c.JWKS = slices.Clone(a.JWKS)
	c.PostLogoutRedirectURIs = slices.Clone(a.PostLogoutRedirectURIs)
	if a.SAML != nil {
		c.SAML = a.SAML.clone()
	}
	if a.Provisioning != nil {
		p := *a.Provisioning
		if p.Features != nil {
			f := *p.Features
			p.Features = &f
		}
		c.Provisioning = &p
	}
	return c
}

// App returns the app with the given id.
func (o *Org) App(id string) (App, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	a, ok := o.apps[id]
	if !ok {
		return App{}, false
	}
	return a.clone(), true
}

// AppByClientID returns the OIDC app whose client id is clientID.
func (o *Org) AppByClientID(clientID string) (App, bool) {
	a, ok := o.App(clientID) // client id == app id
	if !ok || a.SignOnMode != SignOnModeOIDC {
		return App{}, false
	}
	return a, true
}

// Apps returns every app in creation order.
func (o *Org) Apps() []App {
	o.mu.RLock()
	defer o.mu.RUnlock()
	out := make([]App, 0, len(o.appOrder))
	for _, id := range o.appOrder {
		out = append(out, o.apps[id].clone())
	}
	return out
}

// SetProvisioning sets (or, with a zero Provisioning, clears) an app's SCIM target and settings.
func (o *Org) SetProvisioning(appID string, p Provisioning) error {
	if p != (Provisioning{}) {
		if err := p.Validate(); err != nil {
			return fmt.Errorf("set provisioning: %w", err)
		}
	}
	return o.updateApp(appID, func(a *App) error {
		if p == (Provisioning{}) {
			a.Provisioning = nil
		} else {
			c := p
			if p.Features != nil {
				f := *p.Features
				c.Features = &f
			}
			a.Provisioning = &c
		}
		return nil
	})
}

// SetUsernameFormat sets the app's username format (UsernameEmail, UsernameLogin or UsernamePrefix; ""
// means email). App usernames already recorded are kept, as in Okta.
func (o *Org) SetUsernameFormat(appID, format string) error {
	if !slices.Contains([]string{"", UsernameEmail, UsernameLogin, UsernamePrefix}, format) {
		return fmt.Errorf("set username format %q: %w", format, ErrInvalid)
	}
	return o.updateApp(appID, func(a *App) error { a.UsernameFormat = format; return nil })
}

// SetRedirectURIs replaces an OIDC app's redirect URIs (at least one) and sign-out redirect URIs.
func (o *Org) SetRedirectURIs(appID string, redirect, postLogout []string) error {
	_, err := o.UpdateApp(appID, func(a *App) error {
		if a.SignOnMode != SignOnModeOIDC {
			return fmt.Errorf("app %q is not an OIDC app: %w", appID, ErrInvalid)
		}
		a.RedirectURIs, a.PostLogoutRedirectURIs = slices.Clone(redirect), slices.Clone(postLogout)
		return nil
	})
	return err
}

// UpdateApp applies fn to a copy of the app and stores the result; fn may change any setting but the
// id, the sign-on mode and the client id. URL settings fn changed are checked (FieldErrors when refused,
// and then nothing is stored).
func (o *Org) UpdateApp(appID string, fn func(*App) error) (App, error) {
	var out App
	err := o.updateApp(appID, func(a *App) error {
		c := a.clone()
		if err := fn(&c); err != nil {
			return err
		}
		c.ID, c.SignOnMode, c.ClientID, c.Created = a.ID, a.SignOnMode, a.ClientID, a.Created
		if err := checkAppURLs(&c, a); err != nil {
			return err
		}
		*a = c
		out = c.clone()
		return nil
	})
	return out, err
}

func (o *Org) updateApp(appID string, fn func(*App) error) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	a, ok := o.apps[appID]
	if !ok {
		return fmt.Errorf("update app: app %q %w", appID, ErrNotFound)
	}
	if err := fn(a); err != nil {
		return fmt.Errorf("update app %q: %w", appID, err)
	}
	a.LastUpdated = o.stamp()
	return nil
}

// appUserName is the username the app knows the user by, per the app's username format.
func appUserName(a *App, u *User) string {
	switch a.UsernameFormat {
	case UsernameLogin:
		return u.Login
	case UsernamePrefix:
		login, _, _ := strings.Cut(u.Login, "@")
		return login
	default:
		return u.Email
	}
}
