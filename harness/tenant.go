package harness

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"

	"github.com/ssoconform/ssoconform/mockidp"
)

// TenantSpec describes one organization set up on both sides: in refapp (on a plan, with an admin) and
// in the mock Okta (an org with an OIDC app integration pointing at refapp, provisioning to refapp's SCIM
// server with a scim-scoped key), and refapp connected to that app.
type TenantSpec struct {
	// Name prefixes the generated, unique organization name. Default: "org".
	Name string
	// Plan is refapp's plan. Default: "pro".
	Plan string
	// DefaultRole is the role SSO and SCIM give new members. Default: "member".
	DefaultRole string
	// ClientSecret, when set, is what refapp is configured with instead of the app's real secret (to
	// prove a wrong secret is refused).
	ClientSecret string
	// Protocol is how refapp signs in through the mock: "oidc" (an OIDC app) or "saml" (a SAML 2.0 app
	// whose Single sign-on URL and Audience come from `refapp sso show`). Default: "oidc".
	Protocol string
	// Enforce turns on "Require your organization members to use SSO to access". Default: off.
	Enforce bool
}

// Tenant is an organization set up on both sides.
type Tenant struct {
	Org           string // the name typed on refapp's SSO page; also the mock org's name
	AdminEmail    string
	AdminPassword string
	IdPOrg        *mockidp.Org
	OIDCApp       mockidp.App     // the OIDC app (Protocol "oidc")
	SAMLApp       mockidp.SAMLApp // the SAML app (Protocol "saml")
	Protocol      string
	SCIM          SCIMTarget // refapp's SCIM server with this org's key

	passwords map[string]string
}

// NewTenant creates a uniquely named organization in refapp and in the mock Okta and connects them.
func (st *Stack) NewTenant(ctx context.Context, spec TenantSpec) (*Tenant, error) {
	spec = spec.withDefaults()
	tn := &Tenant{
		Org:           uniqueName(spec.Name),
		AdminPassword: randomSecret(),
		passwords:     map[string]string{},
	}
	tn.AdminEmail = "admin@" + tn.Org + ".test"
	err := st.App.CreateOrg(ctx, OrgSpec{Name: tn.Org, Plan: spec.Plan, AdminEmail: tn.AdminEmail, AdminPassword: tn.AdminPassword})
	if err != nil {
		return nil, fmt.Errorf("new tenant: %w", err)
	}
	key, err := st.App.CreateAPIKey(ctx, tn.Org, "scim")
	if err != nil {
		return nil, fmt.Errorf("new tenant: %w", err)
	}
	tn.SCIM = SCIMTarget{BaseURL: st.App.LocalURL + "/scim/v2", Authorization: "Bearer " + key}
	info, err := st.App.SSOShow(ctx, tn.Org)
	if err != nil {
		return nil, fmt.Errorf("new tenant: %w", err)
	}
	if tn.IdPOrg, err = st.IdP.CreateOrg(ctx, tn.Org); err != nil {
		return nil, fmt.Errorf("new tenant: mock okta org: %w", err)
	}
	tn.Protocol = spec.Protocol
	if spec.Protocol == "saml" {
		err = st.connectSAML(ctx, tn, spec, info, key)
	} else {
		err = st.connectOIDC(ctx, tn, spec, info, key)
	}
	if err != nil {
		return nil, fmt.Errorf("new tenant: %w", err)
	}
	return tn, nil
}

func (st *Stack) connectOIDC(ctx context.Context, tn *Tenant, spec TenantSpec, info SSOInfo, key string) error {
	var err error
	tn.OIDCApp, err = tn.IdPOrg.CreateOIDCApp(ctx, mockidp.OIDCAppInput{Label: "refapp", RedirectURIs: []string{info.RedirectURI}})
	if err != nil {
		return fmt.Errorf("mock okta app: %w", err)
	}
	if err = tn.IdPOrg.SetProvisioning(ctx, tn.OIDCApp.ID, mockidp.Provisioning{BaseURL: tn.SCIM.BaseURL, Token: key}); err != nil {
		return fmt.Errorf("mock okta provisioning: %w", err)
	}
	secret := tn.OIDCApp.ClientSecret
	if spec.ClientSecret != "" {
		secret = spec.ClientSecret
	}
	return st.App.SetOIDC(ctx, tn.Org, OIDCSettings{MetadataURL: tn.IdPOrg.DiscoveryURL(), ClientID: tn.OIDCApp.ClientID,
		ClientSecret: secret, DefaultRole: spec.DefaultRole, Enforce: spec.Enforce})
}

func (st *Stack) connectSAML(ctx context.Context, tn *Tenant, spec TenantSpec, info SSOInfo, key string) error {
	var err error
	if tn.SAMLApp, err = tn.IdPOrg.CreateSAMLApp(ctx, samlAppInput(info)); err != nil {
		return fmt.Errorf("mock okta saml app: %w", err)
	}
	if err = tn.IdPOrg.SetProvisioning(ctx, tn.SAMLApp.ID, mockidp.Provisioning{BaseURL: tn.SCIM.BaseURL, Token: key}); err != nil {
		return fmt.Errorf("mock okta provisioning: %w", err)
	}
	return st.App.SetSAML(ctx, tn.Org, SAMLSettings{MetadataURL: tn.SAMLApp.MetadataURL, DefaultRole: spec.DefaultRole,
		Enforce: spec.Enforce})
}

// samlAppInput is the SAML 2.0 app integration for refapp: its ACS URL and Audience from info, the
// email as NameID, the attributes refapp maps, and single logout enabled with refapp's SLO URL and
// signature certificate.
func samlAppInput(info SSOInfo) mockidp.SAMLAppInput {
	return mockidp.SAMLAppInput{Label: "refapp", SSOURL: info.ACSURL, SLOURL: info.SLOURL, SPCertificate: info.SPCertificate,
		Audience: info.SPEntityID, NameIDFormat: mockidp.NameIDEmail, Attributes: []mockidp.SAMLAttribute{
			{Name: "email", Value: "email"}, {Name: "firstName", Value: "firstName"},
			{Name: "lastName", Value: "lastName"}, {Name: "displayName", Value: "displayName"}}}
}

// UseSAMLApp adds a SAML 2.0 app integration for refapp to the tenant's mock Okta org, provisioned with
// the current app's SCIM settings, and makes it the tenant's app (Assign, sign-ins, SAMLApp). refapp is
// not told: a spec connects it, e.g. on the settings page with SAMLApp.MetadataURL.
func (tn *Tenant) UseSAMLApp(ctx context.Context, app *RefApp) error {
	info, err := app.SSOShow(ctx, tn.Org)
	if err != nil {
		return fmt.Errorf("use a saml app: %w", err)
	}
	prov, ok := tn.IdPOrg.Provisioning(tn.AppID())
	if !ok {
		return fmt.Errorf("use a saml app: app %s has no provisioning", tn.AppID())
	}
	sa, err := tn.IdPOrg.CreateSAMLApp(ctx, samlAppInput(info))
	if err != nil {
		return fmt.Errorf("use a saml app: %w", err)
	}
	if err := tn.IdPOrg.SetProvisioning(ctx, sa.ID, prov); err != nil {
		return fmt.Errorf("use a saml app: %w", err)
	}
	tn.SAMLApp, tn.Protocol = sa, "saml"
	return nil
}

// AppID is the id of the tenant's app integration in the mock (OIDC or SAML).
func (tn *Tenant) AppID() string {
	if tn.Protocol == "saml" {
		return tn.SAMLApp.ID
	}
	return tn.OIDCApp.ID
}

func (s TenantSpec) withDefaults() TenantSpec {
	s.Name = withDefault(s.Name, "org")
	s.Plan = withDefault(s.Plan, "pro")
	s.DefaultRole = withDefault(s.DefaultRole, "member")
	s.Protocol = withDefault(s.Protocol, "oidc")
	return s
}

// AddOktaUser creates a user in the tenant's mock Okta org with a random password. The login is
// first@ORG.test, lowercased and keeping only ASCII letters and digits of first ("user" when none is
// left), so a name full of symbols ("#John") still has a plain email login ("john@ORG.test").
func (tn *Tenant) AddOktaUser(ctx context.Context, first, last string) (mockidp.User, error) {
	pw := randomSecret()
	login := loginPart(first) + "@" + tn.Org + ".test"
	u, err := tn.IdPOrg.CreateUser(ctx, mockidp.UserInput{Login: login, Email: login, FirstName: first, LastName: last, Password: pw})
	if err != nil {
		return mockidp.User{}, fmt.Errorf("add okta user %s: %w", login, err)
	}
	tn.passwords[u.Login] = pw
	return u, nil
}

// Password is the Okta password of a user made by AddOktaUser.
func (tn *Tenant) Password(u mockidp.User) string { return tn.passwords[u.Login] }

// Assign assigns the user to the tenant's app in the mock Okta, which pushes it to refapp by SCIM.
func (tn *Tenant) Assign(ctx context.Context, u mockidp.User) error {
	if err := tn.settled(ctx, func() error { return tn.IdPOrg.AssignUser(ctx, tn.AppID(), u.ID) }); err != nil {
		return fmt.Errorf("assign %s: %w", u.Login, err)
	}
	return nil
}

// uniqueName is prefix plus 8 random lowercase letters and digits: names never collide between specs
// running in parallel against one app.
func uniqueName(prefix string) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return prefix + "-" + string(b)
}

// randomSecret is a 22-character password-safe random string.
func randomSecret() string { return rand.Text()[:22] }

// loginPart is first lowercased, keeping ASCII letters and digits only; "user" when nothing is left.
func loginPart(first string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(first) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "user"
	}
	return b.String()
}
