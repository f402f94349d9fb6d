package sqlcore

import (
	"context"

	"github.com/ssoconform/ssoconform/refapp/store"
)

func (s *Store) AppendAudit(ctx context.Context, e store.AuditEvent) error {
	return s.write(ctx, "append audit", `INSERT INTO audit_events (id, org_id, at, actor, action, outcome, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, e.ID, e.OrgID, e.At, e.Actor, e.Action, e.Outcome, e.Detail)
}

func (s *Store) ListAudit(ctx context.Context, orgID string, limit int) ([]store.AuditEvent, error) {
	if limit <= 0 {
		limit = 100
	}
	return list(ctx, s, "list audit", fields(func(e *store.AuditEvent) []any {
		return []any{&e.ID, &e.OrgID, at(&e.At), &e.Actor, &e.Action, &e.Outcome, &e.Detail}
	}), `SELECT id, org_id, at, actor, action, outcome, detail FROM audit_events
		WHERE org_id = ? ORDER BY at DESC, id DESC LIMIT ?`, orgID, limit)
}
