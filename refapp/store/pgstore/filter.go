package pgstore

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// params collects a query's bound values and names their placeholders ($1, $2, ...).
type params struct{ vals []any }

// add binds v and returns its placeholder.
func (p *params) add(v any) string {
	p.vals = append(p.vals, v)
	return "$" + strconv.Itoa(len(p.vals))
}

func (p params) clone() params { return params{vals: slices.Clone(p.vals)} }

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

// maxCondNodes bounds a filter's size.
const maxCondNodes = 200

var errBadCond = errors.New("unsupported filter condition")

// compile turns c into a WHERE fragment whose values are all bound into p.
// A nil c matches everything. orgID scopes the emails.value index lookups.
func compile(c *store.Cond, attrs map[string]column, orgID string, p *params) (string, error) {
	if c == nil {
		return "TRUE", nil
	}
	var b strings.Builder
	nodes := 0
	if err := compileInto(&b, p, &nodes, *c, attrs, orgID); err != nil {
		return "", err
	}
	return b.String(), nil
}

func compileInto(b *strings.Builder, p *params, nodes *int, c store.Cond, attrs map[string]column, orgID string) error {
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
			if err := compileInto(b, p, nodes, a, attrs, orgID); err != nil {
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
		if err := compileInto(b, p, nodes, c.Args[0], attrs, orgID); err != nil {
			return err
		}
		b.WriteString(")")
		return nil
	}
	col, ok := attrs[c.Attr]
	if !ok {
		return fmt.Errorf("%w: attribute %q", errBadCond, c.Attr)
	}
	if !col.viaEmail {
		pred, err := predicate(col, c, p)
		if err != nil {
			return err
		}
		b.WriteString(pred)
		return nil
	}
	if c.Op == store.CondEq { // served by the (org_id, value_key) index
		org := p.add(orgID)
		pred, err := predicate(col, c, p)
		if err != nil {
			return err
		}
		b.WriteString("m.id IN (SELECT e.member_id FROM member_emails e WHERE e.org_id = " + org + " AND " + pred + ")")
		return nil
	}
	pred, err := predicate(col, c, p)
	if err != nil {
		return err
	}
	b.WriteString("EXISTS (SELECT 1 FROM member_emails e WHERE e.member_id = m.id AND " + pred + ")")
	return nil
}

// predicate is one comparison on one column, its operand bound into p.
// starts_with and strpos compare plain strings: no LIKE wildcards to escape.
func predicate(col column, c store.Cond, p *params) (string, error) {
	v := c.Value
	if col.folded {
		v = key(v)
	}
	switch c.Op {
	case store.CondEq:
		return col.expr + " = " + p.add(v), nil
	case store.CondStartsWith:
		return "starts_with(" + col.expr + ", " + p.add(v) + ")", nil
	case store.CondContains:
		return "strpos(" + col.expr + ", " + p.add(v) + ") > 0", nil
	case store.CondPresent:
		return "(" + col.expr + " IS NOT NULL AND " + col.expr + " <> '')", nil
	}
	return "", fmt.Errorf("%w: operator %d", errBadCond, c.Op)
}
