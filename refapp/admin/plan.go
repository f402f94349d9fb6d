package admin

import (
	"context"
	"errors"
	"fmt"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// planSetter is the store method SetPlan needs; the SQLite and PostgreSQL stores have it.
type planSetter interface {
	SetOrgPlan(ctx context.Context, orgID string, plan store.Plan) error
}

// SetPlan moves an organization to another plan (support's `refapp org plan`). The SSO settings are
// kept: on the free plan they stay unused (no SSO, no SCIM) until the organization upgrades again.
func (a *Admin) SetPlan(ctx context.Context, orgName, plan string) (store.Org, error) {
	p := store.Plan(plan)
	if !p.Valid() {
		return store.Org{}, fmt.Errorf("set plan: unknown plan %q (valid: free, pro, enterprise)", plan)
	}
	ps, ok := a.cfg.Store.(planSetter)
	if !ok {
		return store.Org{}, errors.New("set plan: this store cannot change plans")
	}
	org, err := a.cfg.Store.OrgByName(ctx, orgName)
	if err != nil {
		return store.Org{}, fmt.Errorf("set plan: organization %q: %w", orgName, err)
	}
	if err := ps.SetOrgPlan(ctx, org.ID, p); err != nil {
		return store.Org{}, fmt.Errorf("set plan: %w", err)
	}
	org.Plan = p
	return org, nil
}
