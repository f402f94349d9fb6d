package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ssoconform/ssoconform/refapp/store"
	"github.com/ssoconform/ssoconform/refapp/store/sqlfilter"
)

const groupCols = `t.id, t.org_id, t.display_name, t.external_id, t.created_at, t.updated_at`

// CreateGroup inserts a group (a team) with its members.
func (s *Store) CreateGroup(ctx context.Context, g store.Group) error {
	return mapErr("create group", s.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO teams (id, org_id, display_name, display_key, external_id, created_at,
			updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			g.ID, g.OrgID, g.DisplayName, key(g.DisplayName), g.ExternalID, g.CreatedAt, g.UpdatedAt)
		if err != nil {
			return err
		}
		return insertGroupMembers(ctx, tx, g)
	}))
}

// insertGroupMembers adds g's members in order, skipping repeats; a member id
// that is not in g's organization is ErrInvalidReference.
func insertGroupMembers(ctx context.Context, tx pgx.Tx, g store.Group) error {
	seen := make(map[string]bool, len(g.Members))
	for i, gm := range g.Members {
		if seen[gm.ID] {
			continue
		}
		seen[gm.ID] = true
		tag, err := tx.Exec(ctx, `INSERT INTO team_members (team_id, member_id, position)
			SELECT $1, id, $2 FROM members WHERE id = $3 AND org_id = $4`, g.ID, i, gm.ID, g.OrgID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("member %q: %w", gm.ID, store.ErrInvalidReference)
		}
	}
	return nil
}

// GroupByID finds a group of the organization by id, with its members.
func (s *Store) GroupByID(ctx context.Context, orgID, id string) (store.Group, error) {
	g, err := oneGroup(ctx, s.pool, false, orgID, id)
	return g, mapErr("group by id", err)
}

// ListGroups pages through the organization's groups, in creation order.
func (s *Store) ListGroups(ctx context.Context, orgID string, q store.Query) ([]store.Group, int, error) {
	const op = "list groups"
	var a params
	where := `WHERE t.org_id = ` + a.add(orgID) + ` AND `
	cond, err := compile(q.Filter, sqlfilter.GroupAttrs, orgID, &a)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", op, err)
	}
	where += cond
	var total int
	if err := s.pool.QueryRow(ctx, `SELECT COUNT(*) FROM teams t `+where, a.vals...).Scan(&total); err != nil {
		return nil, 0, mapErr(op, err)
	}
	if q.Limit <= 0 || q.Offset >= total {
		return nil, total, nil
	}
	page := a.clone()
	gs, err := groups(ctx, s.pool, where+` ORDER BY t.seq LIMIT `+page.add(q.Limit)+` OFFSET `+page.add(q.Offset), page.vals...)
	return gs, total, mapErr(op, err)
}

// ModifyGroup runs fn on the group in a transaction (the row locked) and saves it.
func (s *Store) ModifyGroup(ctx context.Context, orgID, id string, fn func(*store.Group) error) (store.Group, error) {
	var g store.Group
	var fnErr error
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if g, err = oneGroup(ctx, tx, true, orgID, id); err != nil {
			return err
		}
		if fnErr = fn(&g); fnErr != nil {
			return fnErr
		}
		g.ID, g.OrgID = id, orgID
		tag, err := tx.Exec(ctx, `UPDATE teams SET display_name = $1, display_key = $2, external_id = $3,
			updated_at = $4 WHERE id = $5 AND org_id = $6`, g.DisplayName, key(g.DisplayName), g.ExternalID,
			g.UpdatedAt, id, orgID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return pgx.ErrNoRows
		}
		if _, err := tx.Exec(ctx, `DELETE FROM team_members WHERE team_id = $1`, id); err != nil {
			return err
		}
		if err := insertGroupMembers(ctx, tx, g); err != nil {
			return err
		}
		g, err = oneGroup(ctx, tx, false, orgID, id) // fresh member displays
		return err
	})
	if fnErr != nil {
		return store.Group{}, fnErr
	}
	if err != nil {
		return store.Group{}, mapErr("modify group", err)
	}
	return g, nil
}

// DeleteGroup deletes a group and its memberships; the members stay.
func (s *Store) DeleteGroup(ctx context.Context, orgID, id string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM teams WHERE id = $1 AND org_id = $2`, id, orgID) // memberships cascade
	if err == nil && tag.RowsAffected() == 0 {
		err = pgx.ErrNoRows
	}
	return mapErr("delete group", err)
}

func oneGroup(ctx context.Context, q querier, forUpdate bool, orgID, id string) (store.Group, error) {
	where := `WHERE t.org_id = $1 AND t.id = $2`
	if forUpdate {
		where += ` FOR UPDATE`
	}
	gs, err := groups(ctx, q, where, orgID, id)
	if err != nil {
		return store.Group{}, err
	}
	if len(gs) == 0 {
		return store.Group{}, pgx.ErrNoRows
	}
	return gs[0], nil
}

// groups reads the selected groups, then their members in one more query.
func groups(ctx context.Context, q querier, where string, args ...any) ([]store.Group, error) {
	rows, err := q.Query(ctx, `SELECT `+groupCols+` FROM teams t `+where, args...)
	if err != nil {
		return nil, err
	}
	var out []store.Group
	byID := map[string]int{}
	for rows.Next() {
		var g store.Group
		if err := rows.Scan(&g.ID, &g.OrgID, &g.DisplayName, &g.ExternalID, &g.CreatedAt, &g.UpdatedAt); err != nil {
			rows.Close()
			return nil, err
		}
		g.CreatedAt, g.UpdatedAt = utc(g.CreatedAt), utc(g.UpdatedAt)
		byID[g.ID] = len(out)
		out = append(out, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	return out, groupMembers(ctx, q, out, byID)
}

func groupMembers(ctx context.Context, q querier, gs []store.Group, byID map[string]int) error {
	ids := make([]string, 0, len(gs))
	for _, g := range gs {
		ids = append(ids, g.ID)
	}
	rows, err := q.Query(ctx, `SELECT tm.team_id, m.id, COALESCE(m.scim_user_name, m.email)
		FROM team_members tm JOIN members m ON m.id = tm.member_id
		WHERE tm.team_id = ANY($1) ORDER BY tm.team_id, tm.position`, ids)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var teamID string
		var gm store.GroupMember
		if err := rows.Scan(&teamID, &gm.ID, &gm.Display); err != nil {
			return err
		}
		i := byID[teamID]
		gs[i].Members = append(gs[i].Members, gm)
	}
	return rows.Err()
}
