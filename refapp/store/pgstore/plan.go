package pgstore

import (
	"context"
	"fmt"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// SetOrgPlan changes an organization's plan (a support operation: `refapp org plan`).
func (s *Store) SetOrgPlan(ctx context.Context, orgID string, plan store.Plan) error {
	tag, err := s.pool.Exec(ctx, `UPDATE orgs SET plan = $1 WHERE id = $2`, string(plan), orgID)
	if err != nil {
		return mapErr("set org plan", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("set org plan: %w", store.ErrNotFound)
	}
	return nil
}
