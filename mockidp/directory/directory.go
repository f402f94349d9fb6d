// Package directory holds the state of one mock Okta org: its users, its app
// integrations, the assignments of users to apps and each app's provisioning
// settings. Everything is in memory and safe for concurrent use; getters
// return copies, so callers never share mutable state with the org.
//
// Ids have Okta's shapes: 20 characters from [0-9A-Za-z] with a type prefix
// (users "00u", apps "0oa", the org "00o"), drawn from the injected random
// source (crypto/rand by default).
//
//	org, err := directory.NewOrg("acme", nil)
//	u, err := org.CreateUser(directory.UserInput{Login: "alice@acme.test", Password: "pw"})
//	app, err := org.CreateOIDCApp(directory.OIDCAppInput{Label: "refapp",
//		RedirectURIs: []string{"http://localhost:8081/sso/oidc/callback"}})
//	err = org.Assign(app.ID, u.ID)
package directory

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
)

// Errors callers can test with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("already exists")
	ErrInvalid  = errors.New("invalid input")
)

// User statuses (Okta's user lifecycle names).
const (
	StatusActive      = "ACTIVE"
	StatusDeactivated = "DEPROVISIONED"
)

// ClientSecretLength is the length of generated client secrets (Okta's is 40).
const ClientSecretLength = 40

// User is an Okta user. Password is the plain password of this mock user; it
// must never be logged.
type User struct {
	ID, Login, Email, FirstName, LastName, Status string
	Password                                      string
}

// DisplayName is "First Last", Okta's default display name.
func (u User) DisplayName() string {
	return strings.TrimSpace(u.FirstName + " " + u.LastName)
}

// UserInput describes a user to create. Email defaults to Login.
type UserInput struct {
	Login, Email, FirstName, LastName, Password string
}

// Provisioning is an app's SCIM target. Token is sent as a Bearer token.
type Provisioning struct {
	BaseURL, Token string
}

// App is an app integration. For OIDC apps ClientID equals ID, as in Okta.
type App struct {
	ID, Label, SignOnMode  string
	ClientID, ClientSecret string
	RedirectURIs           []string
	Provisioning           *Provisioning
	// SAML holds the SAML 2.0 settings of a SAML app (SignOnMode SAML_2_0); nil for OIDC apps.
	SAML *SAMLSettings
	// TokenEndpointAuthMethod is client_secret_basic (the default), client_secret_post, private_key_jwt
	// or none.
	TokenEndpointAuthMethod string
	// JWKS is the client's public key set (JSON) for private_key_jwt.
	JWKS []byte
	// PostLogoutRedirectURIs are the "Sign-out redirect URIs".
	PostLogoutRedirectURIs []string
	// UsernameFormat is the "Application username format": "email" (the default), "login" or "prefix"
	// (the login's part before @).
	UsernameFormat string
	// Faults are the names of the deliberate defects this app's responses carry (see SetFaults). The
	// protocol packages define and document the names; the directory only stores them.
	Faults []string
}

// SignOnModeOIDC is Okta's signOnMode for OIDC app integrations.
const SignOnModeOIDC = "OPENID_CONNECT"

// OIDCAppInput describes an OIDC app integration to create. ClientID and
// ClientSecret are generated when empty; a fixed ClientID also becomes the
// app id (Okta's client_id is the app id).
type OIDCAppInput struct {
	Label                  string
	RedirectURIs           []string
	ClientID, ClientSecret string
}

// Assignment links a user to an app. UserName is the app username (the
// user's email by default); ExternalID is the id the app's SCIM server
// returned for the user, empty until the user has been pushed.
type Assignment struct {
	AppID, UserID, UserName, ExternalID string
}

// Org is one Okta org.
type Org struct {
	id, name string
	rand     io.Reader

	mu          sync.RWMutex
	users       map[string]*User  // by id
	logins      map[string]string // lower-cased login -> id
	apps        map[string]*App   // by id
	appOrder    []string
	userOrder   []string
	assignments map[string]map[string]*Assignment // app id -> user id -> assignment
}

// NewOrg creates an empty org. r is the random source for ids and secrets
// (nil = crypto/rand).
func NewOrg(name string, r io.Reader) (*Org, error) {
	if r == nil {
		r = rand.Reader
	}
	id, err := NewID(r, PrefixOrg)
	if err != nil {
		return nil, fmt.Errorf("create org %q: %w", name, err)
	}
	return &Org{
		id: id, name: name, rand: r,
		users: map[string]*User{}, logins: map[string]string{},
		apps: map[string]*App{}, assignments: map[string]map[string]*Assignment{},
	}, nil
}

// ID returns the org id ("00o...").
func (o *Org) ID() string { return o.id }

// Name returns the org name.
func (o *Org) Name() string { return o.name }

// CreateUser adds an ACTIVE user. Logins are unique, case-insensitively.
func (o *Org) CreateUser(in UserInput) (User, error) {
	if strings.TrimSpace(in.Login) == "" {
		return User{}, fmt.Errorf("create user: login is required: %w", ErrInvalid)
	}
	if in.Email == "" {
		in.Email = in.Login
	}
	id, err := NewID(o.rand, PrefixUser)
	if err != nil {
		return User{}, fmt.Errorf("create user %q: %w", in.Login, err)
	}
	u := &User{ID: id, Login: in.Login, Email: in.Email, FirstName: in.FirstName,
		LastName: in.LastName, Password: in.Password, Status: StatusActive}
	o.mu.Lock()
	defer o.mu.Unlock()
	key := strings.ToLower(in.Login)
	if _, taken := o.logins[key]; taken {
		return User{}, fmt.Errorf("create user %q: login %w", in.Login, ErrConflict)
	}
	o.users[id] = u
	o.logins[key] = id
	o.userOrder = append(o.userOrder, id)
	return *u, nil
}

// User returns the user with the given id.
func (o *Org) User(id string) (User, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	u, ok := o.users[id]
	if !ok {
		return User{}, false
	}
	return *u, true
}

// UserByLogin returns the user with the given login (case-insensitive).
func (o *Org) UserByLogin(login string) (User, bool) {
	o.mu.RLock()
	id, ok := o.logins[strings.ToLower(login)]
	o.mu.RUnlock()
	if !ok {
		return User{}, false
	}
	return o.User(id)
}

// Users returns every user in creation order.
func (o *Org) Users() []User {
	o.mu.RLock()
	defer o.mu.RUnlock()
	out := make([]User, 0, len(o.userOrder))
	for _, id := range o.userOrder {
		out = append(out, *o.users[id])
	}
	return out
}

// Authenticate checks a login and password and returns the ACTIVE user they
// belong to. Every failure reports false, without saying why.
func (o *Org) Authenticate(login, password string) (User, bool) {
	u, ok := o.UserByLogin(login)
	if !ok || u.Status != StatusActive || u.Password == "" {
		return User{}, false
	}
	if subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) != 1 {
		return User{}, false
	}
	return u, true
}

// CreateOIDCApp adds an OIDC app integration with a client id and secret.
func (o *Org) CreateOIDCApp(in OIDCAppInput) (App, error) {
	if strings.TrimSpace(in.Label) == "" {
		return App{}, fmt.Errorf("create app: label is required: %w", ErrInvalid)
	}
	if len(in.RedirectURIs) == 0 {
		return App{}, fmt.Errorf("create app %q: at least one redirect URI is required: %w", in.Label, ErrInvalid)
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
	a := &App{ID: id, Label: in.Label, SignOnMode: SignOnModeOIDC, ClientID: id,
		ClientSecret: secret, RedirectURIs: slices.Clone(in.RedirectURIs)}
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

// SetProvisioning sets (or, with a zero Provisioning, clears) an app's SCIM target.
func (o *Org) SetProvisioning(appID string, p Provisioning) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	a, ok := o.apps[appID]
	if !ok {
		return fmt.Errorf("set provisioning: app %q %w", appID, ErrNotFound)
	}
	if p == (Provisioning{}) {
		a.Provisioning = nil
		return nil
	}
	a.Provisioning = &p
	return nil
}
