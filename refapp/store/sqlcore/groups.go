package sqlcore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/ssoconform/ssoconform/refapp/store"
)

func (s *Store) CreateGroup(ctx context.Context, g store.Group) error {
	return s.tx(ctx, "create group", func(tx querier) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO teams (id, org_id, display_name, display_key, external_id, created_at,
			updated_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, `+s.d.NextSeq("teams")+`)`,
			g.ID, g.OrgID, g.DisplayName, key(g.DisplayName), g.ExternalID, g.CreatedAt, g.UpdatedAt)
		if err != nil {
			return err
		}
		return insertGroupMembers(ctx, tx, g)
	})
}

// insertGroupMembers adds g's members in order, skipping repeats; a member id
// that is not in g's organization is ErrInvalidReference.
func insertGroupMembers(ctx context.Context, tx querier, g store.Group) error {
	seen := make(map[string]bool, len(g.Members))
	for i, gm := range g.Members {
		if seen[gm.ID] {
			continue
		}
		seen[gm.ID] = true
		switch err := execOne(ctx, tx, `INSERT INTO team_members (team_id, member_id, position)
			SELECT ?, id, ? FROM members WHERE id = ? AND org_id = ?`, g.ID, i, gm.ID, g.OrgID); {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("member %q: %w", gm.ID, store.ErrInvalidReference)
		case err != nil:
			return err
		}
	}
	return nil
}

func (s *Store) GroupByID(ctx context.Context, orgID, id string) (store.Group, error) {
	g, err := s.oneGroup(ctx, s.q(), false, orgID, id)
	return g, s.mapErr("group by id", err)
}

func (s *Store) ListGroups(ctx context.Context, orgID string, q store.Query) ([]store.Group, int, error) {
	const op = "list groups"
	where, args, err := compile(&s.d, q.Filter, groupAttrs, orgID)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", op, err)
	}
	where = `WHERE t.org_id = ? AND ` + where
	args = append([]any{orgID}, args...)
	total, err := get(ctx, s, op, count, `SELECT COUNT(*) FROM teams t `+where, args...)
	if err != nil || q.Limit <= 0 || q.Offset >= total {
		return nil, total, err
	}
	gs, err := groups(ctx, s.q(), where+` ORDER BY t.seq LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
	return gs, total, s.mapErr(op, err)
}

func (s *Store) ModifyGroup(ctx context.Context, orgID, id string, fn func(*store.Group) error) (store.Group, error) {
	var g store.Group
	var fnErr error
	err := s.tx(ctx, "modify group", func(tx querier) error {
		var err error
		if g, err = s.oneGroup(ctx, tx, true, orgID, id); err != nil {
			return err
		}
		if fnErr = fn(&g); fnErr != nil {
			return fnErr
		}
		g.ID, g.OrgID = id, orgID
		if err := execOne(ctx, tx, `UPDATE teams SET display_name = ?, display_key = ?, external_id = ?,
			updated_at = ? WHERE id = ? AND org_id = ?`, g.DisplayName, key(g.DisplayName), g.ExternalID,
			g.UpdatedAt, id, orgID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM team_members WHERE team_id = ?`, id); err != nil {
			return err
		}
		if err := insertGroupMembers(ctx, tx, g); err != nil {
			return err
		}
		g, err = s.oneGroup(ctx, tx, false, orgID, id) // fresh member displays
		return err
	})
	if fnErr != nil {
		return store.Group{}, fnErr
	}
	if err != nil {
		return store.Group{}, err
	}
	return g, nil
}

func (s *Store) DeleteGroup(ctx context.Context, orgID, id string) error {
	return s.tx(ctx, "delete group", func(tx querier) error {
		if err := execOne(ctx, tx, `DELETE FROM teams WHERE id = ? AND org_id = ?`, id, orgID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM team_members WHERE team_id = ?`, id)
		return err
	})
}

// oneGroup reads a group; lock locks its row until the transaction ends (Dialect.LockRow).
func (s *Store) oneGroup(ctx context.Context, q querier, lock bool, orgID, id string) (store.Group, error) {
	where := `WHERE t.org_id = ? AND t.id = ?`
	if lock {
		where += ` ` + s.d.LockRow
	}
	gs, err := groups(ctx, q, where, orgID, id)
	if err != nil {
		return store.Group{}, err
	}
	if len(gs) == 0 {
		return store.Group{}, sql.ErrNoRows
	}
	return gs[0], nil
}

const groupCols = `t.id, t.org_id, t.display_name, t.external_id, t.created_at, t.updated_at`

var scanGroup = fields(func(g *store.Group) []any {
	return []any{&g.ID, &g.OrgID, &g.DisplayName, &g.ExternalID, at(&g.CreatedAt), at(&g.UpdatedAt)}
})

// groups reads the selected groups, then their members in one more query.
func groups(ctx context.Context, q querier, where string, args ...any) ([]store.Group, error) {
	gs, err := all(ctx, q, scanGroup, `SELECT `+groupCols+` FROM teams t `+where, args...)
	if err != nil || len(gs) == 0 {
		return gs, err
	}
	ids := make([]any, len(gs))
	byID := make(map[string]int, len(gs))
	for i, g := range gs {
		ids[i], byID[g.ID] = g.ID, i
	}
	type row struct {
		team string
		m    store.GroupMember
	}
	scanRow := fields(func(r *row) []any { return []any{&r.team, &r.m.ID, &r.m.Display} })
	rows, err := all(ctx, q, scanRow, `SELECT tm.team_id, m.id, COALESCE(m.scim_user_name, m.email)
		FROM team_members tm JOIN members m ON m.id = tm.member_id
		WHERE tm.team_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) ORDER BY tm.team_id, tm.position`, ids...)
	for _, r := range rows {
		g := &gs[byID[r.team]]
		g.Members = append(g.Members, r.m)
	}
	return gs, err
}
