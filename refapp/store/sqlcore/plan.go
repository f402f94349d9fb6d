package sqlcore

import (
	"context"
	"fmt"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// SetOrgPlan changes an organization's plan (a support operation: `refapp org plan`).
func (s *Store) SetOrgPlan(ctx context.Context, orgID string, plan store.Plan) error {
	res, err := s.exec(ctx, `UPDATE orgs SET plan = ? WHERE id = ?`, string(plan), orgID)
	if err != nil {
		return s.mapErr("set org plan", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("set org plan: %w", store.ErrNotFound)
	}
	return nil
}
