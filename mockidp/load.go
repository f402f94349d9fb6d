package mockidp

import (
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
	for _, fu := range fo.Users {
		if _, err := o.dir.CreateUser(directory.UserInput(fu)); err != nil {
			return err
		}
	}
	for _, fa := range fo.Apps {
		app, err := o.dir.CreateOIDCApp(directory.OIDCAppInput{Label: fa.Label,
			RedirectURIs: fa.OIDC.RedirectURIs, ClientID: fa.OIDC.ClientID, ClientSecret: fa.OIDC.ClientSecret})
		if err != nil {
			return err
		}
		if p := fa.Provisioning; p != nil {
			if err := o.dir.SetProvisioning(app.ID, directory.Provisioning(*p)); err != nil {
				return err
			}
		}
		for _, login := range fa.Assignments {
			u, ok := o.dir.UserByLogin(login)
			if !ok {
				return fmt.Errorf("assignment %q: user %w", login, directory.ErrNotFound)
			}
			if _, err := o.dir.Assign(app.ID, u.ID); err != nil { // no push at load time
				return err
			}
		}
	}
	return nil
}
