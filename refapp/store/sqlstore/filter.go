package sqlstore

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// column says how a filterable attribute maps onto SQL: a column (on the
// alias m or t) compared exactly or through its lowercase *_key shadow, or,
// for emails.value, the member_emails index table.
type column struct {
	expr     string
	folded   bool // the column holds strings.ToLower of the value: fold the operand too
	viaEmail bool
}

var memberAttrs = map[string]column{
	store.AttrUserName:    {expr: "m.scim_user_key", folded: true},
	store.AttrID:          {expr: "m.id"},
	store.AttrExternalID:  {expr: "m.external_id"},
	store.AttrDisplayName: {expr: "m.display_key", folded: true},
	store.AttrEmailValue:  {expr: "e.value_key", folded: true, viaEmail: true},
}

var groupAttrs = map[string]column{
	store.AttrID:          {expr: "t.id"},
	store.AttrExternalID:  {expr: "t.external_id"},
	store.AttrDisplayName: {expr: "t.display_key", folded: true},
}

// maxCondNodes bounds a filter's size, far below SQLite's expression depth limit.
const maxCondNodes = 200

var errBadCond = errors.New("unsupported filter condition")

// compile turns c into a WHERE fragment whose values are all bound parameters.
// A nil c matches everything.
// orgID scopes the emails.value index lookups.
func compile(c *store.Cond, attrs map[string]column, orgID string) (string, []any, error) {
	if c == nil {
		return "1 = 1", nil, nil
	}
	var b strings.Builder
	var args []any
	nodes := 0
	if err := compileInto(&b, &args, &nodes, *c, attrs, orgID); err != nil {
		return "", nil, err
	}
	return b.String(), args, nil
}

func compileInto(b *strings.Builder, args *[]any, nodes *int, c store.Cond, attrs map[string]column, orgID string) error {
	if *nodes++; *nodes > maxCondNodes {
		return fmt.Errorf("%w: more than %d nodes", errBadCond, maxCondNodes)
	}
	switch c.Op {
	case store.CondAnd, store.CondOr:
		if len(c.Args) == 0 {
			return fmt.Errorf("%w: empty and/or", errBadCond)
		}
		join := " AND "
		if c.Op == store.CondOr {
			join = " OR "
		}
		b.WriteString("(")
		for i, a := range c.Args {
			if i > 0 {
				b.WriteString(join)
			}
			if err := compileInto(b, args, nodes, a, attrs, orgID); err != nil {
				return err
			}
		}
		b.WriteString(")")
		return nil
	case store.CondNot:
		if len(c.Args) != 1 {
			return fmt.Errorf("%w: not needs one argument", errBadCond)
		}
		b.WriteString("NOT (")
		if err := compileInto(b, args, nodes, c.Args[0], attrs, orgID); err != nil {
			return err
		}
		b.WriteString(")")
		return nil
	}
	col, ok := attrs[c.Attr]
	if !ok {
		return fmt.Errorf("%w: attribute %q", errBadCond, c.Attr)
	}
	pred, pargs, err := predicate(col, c)
	if err != nil {
		return err
	}
	if col.viaEmail {
		if c.Op == store.CondEq { // served by the (org_id, value_key) index
			pred = "m.id IN (SELECT e.member_id FROM member_emails e WHERE e.org_id = ? AND " + pred + ")"
			pargs = append([]any{orgID}, pargs...)
		} else {
			pred = "EXISTS (SELECT 1 FROM member_emails e WHERE e.member_id = m.id AND " + pred + ")"
		}
	}
	b.WriteString(pred)
	*args = append(*args, pargs...)
	return nil
}

// predicate is one comparison on one column.
func predicate(col column, c store.Cond) (string, []any, error) {
	v := c.Value
	if col.folded {
		v = key(v)
	}
	switch c.Op {
	case store.CondEq:
		return col.expr + " = ?", []any{v}, nil
	case store.CondStartsWith:
		return "substr(" + col.expr + ", 1, ?) = ?", []any{utf8.RuneCountInString(v), v}, nil
	case store.CondContains:
		return "instr(" + col.expr + ", ?) > 0", []any{v}, nil
	case store.CondPresent:
		return "(" + col.expr + " IS NOT NULL AND " + col.expr + " <> '')", nil, nil
	}
	return "", nil, fmt.Errorf("%w: operator %d", errBadCond, c.Op)
}
