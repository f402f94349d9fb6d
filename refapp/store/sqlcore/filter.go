package sqlcore

import (
	"github.com/ssoconform/ssoconform/refapp/store"
	"github.com/ssoconform/ssoconform/refapp/store/sqlfilter"
)

// binder collects a query's bound values behind "?" placeholders for sqlfilter, asking the dialect
// for starts-with and contains.
type binder struct {
	args []any
	d    *Dialect
}

func (b *binder) Bind(v any) string {
	b.args = append(b.args, v)
	return "?"
}

func (b *binder) StartsWith(expr, v string) string { return b.d.StartsWith(b.Bind, expr, v) }

func (b *binder) Contains(expr, v string) string { return b.d.Contains(b.Bind, expr, v) }

// compile turns c into a WHERE fragment and its bound values (see package sqlfilter).
func (s *Store) compile(c *store.Cond, attrs map[string]sqlfilter.Column, orgID string) (string, []any, error) {
	b := binder{d: &s.d}
	where, err := sqlfilter.Compile(c, attrs, orgID, &b)
	return where, b.args, err
}
