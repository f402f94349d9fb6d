package mockidp

import (
	"cmp"
	"context"
	"fmt"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/fixture"
)

// LoadFile creates the orgs of a YAML fixture file (format: package
// mockidp/fixture). Assignments are recorded without any SCIM push.
func (s *Server) LoadFile(path string) error {
	f, err := fixture.Load(path)
	if err != nil {
		return err
	}
	return s.LoadFixture(context.Background(), f)
}

// LoadFixture creates the orgs of a parsed fixture. It fails if an org
// already exists.
func (s *Server) LoadFixture(ctx context.Context, f *fixture.File) error {
	if err := f.Validate(); err != nil {
		return err
	}
	for _, fo := range f.Orgs {
		org, err := s.CreateOrg(ctx, fo.Name)
		if err != nil {
			return fmt.Errorf("load fixture: %w", err)
		}
		if err := org.load(fo); err != nil {
			return fmt.Errorf("load fixture org %s: %w", fo.Name, err)
		}
	}
	return nil
}

func (o *Org) load(fo fixture.Org) error {
	for bucket, perMinute := range fo.RateLimits {
		o.SetRateLimit(bucket, perMinute)
	}
	for _, fu := range fo.Users {
		if err := o.loadUser(fu); err != nil {
			return err
		}
	}
	groups := map[string]string{} // name -> id
	for _, fg := range fo.Groups {
		g, err := o.dir.CreateGroup(directory.GroupInput{Name: fg.Name, Description: fg.Description})
		if err != nil {
			return err
		}
		groups[fg.Name] = g.ID
		for _, login := range fg.Members {
			u, _ := o.dir.UserByLogin(login) // validated
			if err := o.dir.AddGroupMember(g.ID, u.ID); err != nil {
				return err
			}
		}
	}
	for _, fa := range fo.Apps {
		if err := o.loadApp(fa); err != nil {
			return fmt.Errorf("app %q: %w", fa.Label, err)
		}
	}
	return nil
}

func (o *Org) loadUser(fu fixture.User) error {
	u, err := o.dir.CreateUser(directory.UserInput{Login: fu.Login, Email: fu.Email, FirstName: fu.FirstName,
		LastName: fu.LastName, Password: fu.Password, Staged: fu.Status == directory.StatusStaged})
	if err != nil {
		return err
	}
	if fu.TOTPSecret != "" {
		if err := o.dir.SetTOTPSecret(u.ID, fu.TOTPSecret); err != nil {
			return err
		}
	}
	switch fu.Status {
	case directory.StatusSuspended:
		return o.dir.Suspend(u.ID)
	case directory.StatusDeactivated:
		return o.dir.Deactivate(u.ID)
	}
	return nil
}

func (o *Org) loadApp(fa fixture.App) error {
	app, err := o.createFixtureApp(fa)
	if err != nil {
		return err
	}
	_, err = o.dir.UpdateApp(app.ID, func(a *directory.App) error {
		a.UsernameFormat, a.Faults, a.RequireMFA = fa.UsernameFormat, fa.Faults, fa.MFA
		if p := fa.Provisioning; p != nil {
			a.Provisioning = &directory.Provisioning{BaseURL: p.BaseURL, Token: p.Token}
		}
		if c := fa.OIDC; c != nil {
			a.PostLogoutRedirectURIs, a.TokenEndpointAuthMethod = c.PostLogoutRedirectURIs, c.TokenEndpointAuthMethod
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, login := range fa.Assignments {
		u, _ := o.dir.UserByLogin(login)                      // validated
		if _, err := o.dir.Assign(app.ID, u.ID); err != nil { // no push at load time
			return err
		}
	}
	for _, name := range fa.GroupAssignments {
		g, _ := o.dir.GroupByName(name) // validated
		if _, err := o.dir.AssignGroup(app.ID, g.ID); err != nil {
			return err
		}
	}
	return nil
}

// attrUnspecified is Okta's default attribute name format ("Unspecified").
const attrUnspecified = "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified"

func (o *Org) createFixtureApp(fa fixture.App) (directory.App, error) {
	if c := fa.OIDC; c != nil {
		return o.dir.CreateOIDCApp(directory.OIDCAppInput{Label: fa.Label, RedirectURIs: c.RedirectURIs,
			ClientID: c.ClientID, ClientSecret: c.ClientSecret})
	}
	s := fa.SAML
	set := directory.SAMLSettings{ExternalKey: s.ExternalKey, AppName: s.AppName, SSOURL: s.SSOURL,
		Recipient: s.Recipient, Destination: s.Destination, Audience: s.Audience,
		RequestableSSOURLs: s.RequestableSSOURLs, NameIDFormat: s.NameIDFormatURN(),
		DefaultRelayState: s.DefaultRelayState, SLOURL: s.SLOURL, SPIssuer: s.SPIssuer,
		SPCertificate: s.SPCertificate}
	for _, a := range s.Attributes {
		set.Attributes = append(set.Attributes, directory.SAMLAttribute{Name: a.Name,
			NameFormat: cmp.Or(a.NameFormat, attrUnspecified), Value: a.Value})
	}
	if g := s.GroupAttribute; g != nil {
		set.GroupAttribute = &directory.SAMLGroupAttribute{Name: g.Name,
			NameFormat: cmp.Or(g.NameFormat, attrUnspecified), Filter: g.Filter, Value: g.Value}
	}
	return o.dir.CreateSAMLApp(directory.SAMLAppInput{Label: fa.Label, Settings: set,
		UnsignedResponse:  s.ResponseSigned != nil && !*s.ResponseSigned,
		UnsignedAssertion: s.AssertionSigned != nil && !*s.AssertionSigned})
}
