package sqlstore

import (
	"unicode/utf8"

	"github.com/ssoconform/ssoconform/refapp/store"
	"github.com/ssoconform/ssoconform/refapp/store/sqlfilter"
)

// sqliteDialect collects a query's bound values behind "?" placeholders.
type sqliteDialect struct{ args []any }

func (d *sqliteDialect) Bind(v any) string {
	d.args = append(d.args, v)
	return "?"
}

// StartsWith compares a prefix of the same length (no LIKE wildcards to escape).
func (d *sqliteDialect) StartsWith(expr, v string) string {
	return "substr(" + expr + ", 1, " + d.Bind(utf8.RuneCountInString(v)) + ") = " + d.Bind(v)
}

func (d *sqliteDialect) Contains(expr, v string) string {
	return "instr(" + expr + ", " + d.Bind(v) + ") > 0"
}

// compile turns c into a WHERE fragment and its bound values (see package sqlfilter).
func compile(c *store.Cond, attrs map[string]sqlfilter.Column, orgID string) (string, []any, error) {
	var d sqliteDialect
	where, err := sqlfilter.Compile(c, attrs, orgID, &d)
	return where, d.args, err
}
