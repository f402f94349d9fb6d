package admin

import (
	"context"
	"errors"
	"fmt"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// SupportActor is the audit actor of support operations (`refapp sso reset`).
const SupportActor = "support"

// ResetSSO is the support path after an SSO break: it lifts "Require your organization members to use
// SSO to access" so members can sign in with their passwords again, and with disconnect removes the
// connection altogether. It writes the audit event "sso.reset" with actor "support".
func (a *Admin) ResetSSO(ctx context.Context, orgName string, disconnect bool) error {
	org, err := a.org(ctx, orgName)
	if err != nil {
		return fmt.Errorf("reset sso: %w", err)
	}
	c, err := a.cfg.Store.SSOConnection(ctx, org.ID)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("reset sso: organization %q has no SSO connection: %w", org.Name, err)
	}
	if err != nil {
		return fmt.Errorf("reset sso: %w", err)
	}
	detail := "enforcement lifted"
	if disconnect {
		if err := a.cfg.Store.DeleteSSOConnection(ctx, org.ID); err != nil {
			return fmt.Errorf("reset sso: %w", err)
		}
		detail = "enforcement lifted; SSO connection removed"
	} else {
		c.Enforce, c.UpdatedAt = false, a.cfg.Now()
		if err := a.cfg.Store.PutSSOConnection(ctx, c); err != nil {
			return fmt.Errorf("reset sso: %w", err)
		}
	}
	a.audit(ctx, org.ID, SupportActor, ActionSSOReset, "success", detail)
	a.cfg.Logger.InfoContext(ctx, "sso reset", "org", org.Name, "disconnect", disconnect)
	return nil
}

// RevokeAPIKey revokes one of the organization's API keys by id.
func (a *Admin) RevokeAPIKey(ctx context.Context, orgName, id string) error {
	org, err := a.org(ctx, orgName)
	if err != nil {
		return fmt.Errorf("revoke api key: %w", err)
	}
	if err := a.cfg.Store.RevokeAPIKey(ctx, org.ID, id); err != nil {
		return fmt.Errorf("revoke api key: %w", err)
	}
	a.audit(ctx, org.ID, a.cfg.Actor, ActionKeyRevoke, "success", "key "+id+" revoked")
	return nil
}

// ListAPIKeys returns the organization's API keys (prefixes, never hashes), newest first.
func (a *Admin) ListAPIKeys(ctx context.Context, orgName string) ([]store.APIKeyUse, error) {
	org, err := a.org(ctx, orgName)
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	ks, err := a.cfg.Store.ListAPIKeys(ctx, org.ID)
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	return ks, nil
}
