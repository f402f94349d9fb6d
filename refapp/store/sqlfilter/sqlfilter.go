// Package sqlfilter turns a SCIM filter (a store.Cond tree) into a SQL WHERE fragment for both store
// backends: the attribute map, the and/or/not walk, its size bound and the emails.value sub-queries are
// here once; a Dialect supplies what differs (placeholders, starts-with and contains). Every operand is
// a bound value, never query text.
//
//	var d sqliteDialect // Bind appends to its args and returns "?"
//	where, err := sqlfilter.Compile(q.Filter, sqlfilter.MemberAttrs, orgID, &d)
package sqlfilter

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// Column says how a filterable attribute maps onto SQL: a column (on the alias m or t) compared exactly
// or through its lower-cased *_key shadow, or, for emails.value, the member_emails index table.
type Column struct {
	Expr     string
	Folded   bool // the column holds strings.ToLower of the value: fold the operand too
	ViaEmail bool
}

// MemberAttrs are the filterable attributes of members (alias m).
var MemberAttrs = map[string]Column{
	store.AttrUserName:    {Expr: "m.scim_user_key", Folded: true},
	store.AttrID:          {Expr: "m.id"},
	store.AttrExternalID:  {Expr: "m.external_id"},
	store.AttrDisplayName: {Expr: "m.display_key", Folded: true},
	store.AttrEmailValue:  {Expr: "e.value_key", Folded: true, ViaEmail: true},
}

// GroupAttrs are the filterable attributes of groups (alias t).
var GroupAttrs = map[string]Column{
	store.AttrID:          {Expr: "t.id"},
	store.AttrExternalID:  {Expr: "t.external_id"},
	store.AttrDisplayName: {Expr: "t.display_key", Folded: true},
}

// MaxNodes bounds a filter's size, far below the databases' expression depth limits.
const MaxNodes = 200

// ErrBadCond is returned for a condition the backends cannot express.
var ErrBadCond = errors.New("unsupported filter condition")

// Dialect is what differs between the databases. Each method binds its operands, in the order they
// appear in the text it returns.
type Dialect interface {
	// Bind binds v and returns its placeholder.
	Bind(v any) string
	// StartsWith is true when expr begins with v.
	StartsWith(expr, v string) string
	// Contains is true when expr contains v.
	Contains(expr, v string) string
}

// Compile returns c as a WHERE fragment; a nil c matches everything. orgID scopes the emails.value
// index look-ups.
func Compile(c *store.Cond, attrs map[string]Column, orgID string, d Dialect) (string, error) {
	if c == nil {
		return "TRUE", nil
	}
	w := walker{attrs: attrs, orgID: orgID, d: d}
	if err := w.cond(*c); err != nil {
		return "", err
	}
	return w.b.String(), nil
}

type walker struct {
	b     strings.Builder
	nodes int
	attrs map[string]Column
	orgID string
	d     Dialect
}

func (w *walker) cond(c store.Cond) error {
	if w.nodes++; w.nodes > MaxNodes {
		return fmt.Errorf("%w: more than %d nodes", ErrBadCond, MaxNodes)
	}
	switch c.Op {
	case store.CondAnd, store.CondOr:
		if len(c.Args) == 0 {
			return fmt.Errorf("%w: empty and/or", ErrBadCond)
		}
		join := " AND "
		if c.Op == store.CondOr {
			join = " OR "
		}
		w.b.WriteString("(")
		for i, a := range c.Args {
			if i > 0 {
				w.b.WriteString(join)
			}
			if err := w.cond(a); err != nil {
				return err
			}
		}
		w.b.WriteString(")")
		return nil
	case store.CondNot:
		if len(c.Args) != 1 {
			return fmt.Errorf("%w: not needs one argument", ErrBadCond)
		}
		w.b.WriteString("NOT (")
		if err := w.cond(c.Args[0]); err != nil {
			return err
		}
		w.b.WriteString(")")
		return nil
	}
	return w.leaf(c)
}

// leaf writes one comparison; emails.value goes through the member_emails table.
func (w *walker) leaf(c store.Cond) error {
	col, ok := w.attrs[c.Attr]
	if !ok {
		return fmt.Errorf("%w: attribute %q", ErrBadCond, c.Attr)
	}
	switch {
	case !col.ViaEmail:
	case c.Op == store.CondEq: // served by the (org_id, value_key) index
		w.b.WriteString("m.id IN (SELECT e.member_id FROM member_emails e WHERE e.org_id = " + w.d.Bind(w.orgID) + " AND ")
		defer w.b.WriteString(")")
	default:
		w.b.WriteString("EXISTS (SELECT 1 FROM member_emails e WHERE e.member_id = m.id AND ")
		defer w.b.WriteString(")")
	}
	pred, err := predicate(col, c, w.d)
	if err != nil {
		return err
	}
	w.b.WriteString(pred)
	return nil
}

// predicate is one comparison on one column.
func predicate(col Column, c store.Cond, d Dialect) (string, error) {
	v := c.Value
	if col.Folded {
		v = strings.ToLower(v)
	}
	switch c.Op {
	case store.CondEq:
		return col.Expr + " = " + d.Bind(v), nil
	case store.CondStartsWith:
		return d.StartsWith(col.Expr, v), nil
	case store.CondContains:
		return d.Contains(col.Expr, v), nil
	case store.CondPresent:
		return "(" + col.Expr + " IS NOT NULL AND " + col.Expr + " <> '')", nil
	}
	return "", fmt.Errorf("%w: operator %d", ErrBadCond, c.Op)
}
