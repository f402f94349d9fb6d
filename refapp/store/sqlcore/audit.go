package sqlcore

import (
	"context"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// AppendAudit records an audit event.
func (s *Store) AppendAudit(ctx context.Context, e store.AuditEvent) error {
	_, err := s.exec(ctx, `INSERT INTO audit_events (id, org_id, at, actor, action, outcome, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, e.ID, e.OrgID, e.At, e.Actor, e.Action, e.Outcome, e.Detail)
	return s.mapErr("append audit", err)
}

// ListAudit returns the org's newest audit events first.
func (s *Store) ListAudit(ctx context.Context, orgID string, limit int) ([]store.AuditEvent, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.q().QueryContext(ctx, `SELECT id, org_id, at, actor, action, outcome, detail FROM audit_events
		WHERE org_id = ? ORDER BY at DESC, id DESC LIMIT ?`, orgID, limit)
	if err != nil {
		return nil, s.mapErr("list audit", err)
	}
	defer rows.Close()
	var out []store.AuditEvent
	for rows.Next() {
		var e store.AuditEvent
		if err := rows.Scan(&e.ID, &e.OrgID, at(&e.At), &e.Actor, &e.Action, &e.Outcome, &e.Detail); err != nil {
			return nil, s.mapErr("list audit", err)
		}
		out = append(out, e)
	}
	return out, s.mapErr("list audit", rows.Err())
}
