package pgstore

import (
	"slices"
	"strconv"

	"github.com/ssoconform/ssoconform/refapp/store"
	"github.com/ssoconform/ssoconform/refapp/store/sqlfilter"
)

// params collects a query's bound values and names their placeholders ($1, $2, ...).
type params struct{ vals []any }

// add binds v and returns its placeholder.
func (p *params) add(v any) string {
	p.vals = append(p.vals, v)
	return "$" + strconv.Itoa(len(p.vals))
}

func (p params) clone() params { return params{vals: slices.Clone(p.vals)} }

// StartsWith uses starts_with (plain strings: no LIKE wildcards to escape).
func (p *params) StartsWith(expr, v string) string {
	return "starts_with(" + expr + ", " + p.add(v) + ")"
}

func (p *params) Contains(expr, v string) string { return "strpos(" + expr + ", " + p.add(v) + ") > 0" }

// Bind is add, for sqlfilter.Dialect.
func (p *params) Bind(v any) string { return p.add(v) }

var _ sqlfilter.Dialect = (*params)(nil)

// compile turns c into a WHERE fragment whose values are bound into p (see package sqlfilter).
func compile(c *store.Cond, attrs map[string]sqlfilter.Column, orgID string, p *params) (string, error) {
	return sqlfilter.Compile(c, attrs, orgID, p)
}
