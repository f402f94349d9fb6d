package sqlcore

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// A SCIM filter (a store.Cond tree) becomes a SQL WHERE fragment: the attribute map, the and/or/not
// walk, its size bound and the emails.value sub-queries are here; the Dialect supplies starts-with and
// contains. Every operand is a bound value, never query text.

// column says how a filterable attribute maps onto SQL: a column (on the alias m or t) compared exactly
// or through its lower-cased *_key shadow, or, for emails.value, the member_emails index table.
type column struct {
	expr     string
	folded   bool // the column holds strings.ToLower of the value: fold the operand too
	viaEmail bool
}

// memberAttrs are the filterable attributes of members (alias m).
var memberAttrs = map[string]column{
	store.AttrUserName:    {expr: "m.scim_user_key", folded: true},
	store.AttrID:          {expr: "m.id"},
	store.AttrExternalID:  {expr: "m.external_id"},
	store.AttrDisplayName: {expr: "m.display_key", folded: true},
	store.AttrEmailValue:  {expr: "e.value_key", folded: true, viaEmail: true},
}

// groupAttrs are the filterable attributes of groups (alias t).
var groupAttrs = map[string]column{
	store.AttrID:          {expr: "t.id"},
	store.AttrExternalID:  {expr: "t.external_id"},
	store.AttrDisplayName: {expr: "t.display_key", folded: true},
}

// maxNodes bounds a filter's size, far below the databases' expression depth limits.
const maxNodes = 200

// errBadCond is returned for a condition the store cannot express.
var errBadCond = errors.New("unsupported filter condition")

// compile returns c as a WHERE fragment with "?" placeholders and the values they bind, in order; a
// nil c matches everything. orgID scopes the emails.value index look-ups.
func compile(d *Dialect, c *store.Cond, attrs map[string]column, orgID string) (string, []any, error) {
	if c == nil {
		return "TRUE", nil, nil
	}
	w := walker{attrs: attrs, orgID: orgID, d: d}
	if err := w.cond(*c); err != nil {
		return "", nil, err
	}
	return w.b.String(), w.args, nil
}

type walker struct {
	b     strings.Builder
	args  []any
	nodes int
	attrs map[string]column
	orgID string
	d     *Dialect
}

// bind binds v and returns its placeholder.
func (w *walker) bind(v any) string {
	w.args = append(w.args, v)
	return "?"
}

func (w *walker) cond(c store.Cond) error {
	if w.nodes++; w.nodes > maxNodes {
		return fmt.Errorf("%w: more than %d nodes", errBadCond, maxNodes)
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
			return fmt.Errorf("%w: not needs one argument", errBadCond)
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
		return fmt.Errorf("%w: attribute %q", errBadCond, c.Attr)
	}
	switch {
	case !col.viaEmail:
	case c.Op == store.CondEq: // served by the (org_id, value_key) index
		w.b.WriteString("m.id IN (SELECT e.member_id FROM member_emails e WHERE e.org_id = " + w.bind(w.orgID) + " AND ")
		defer w.b.WriteString(")")
	default:
		w.b.WriteString("EXISTS (SELECT 1 FROM member_emails e WHERE e.member_id = m.id AND ")
		defer w.b.WriteString(")")
	}
	v := c.Value
	if col.folded {
		v = strings.ToLower(v)
	}
	switch c.Op {
	case store.CondEq:
		w.b.WriteString(col.expr + " = " + w.bind(v))
	case store.CondStartsWith:
		w.b.WriteString(w.d.StartsWith(w.bind, col.expr, v))
	case store.CondContains:
		w.b.WriteString(w.d.Contains(w.bind, col.expr, v))
	case store.CondPresent:
		w.b.WriteString("(" + col.expr + " IS NOT NULL AND " + col.expr + " <> '')")
	default:
		return fmt.Errorf("%w: operator %d", errBadCond, c.Op)
	}
	return nil
}
