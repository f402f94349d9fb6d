package sqlcore

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// testDialect writes starts-with and contains as sw() and co(), to show where their operands go.
var testDialect = Dialect{
	StartsWith: func(bind func(any) string, expr, v string) string { return "sw(" + expr + ", " + bind(v) + ")" },
	Contains:   func(bind func(any) string, expr, v string) string { return "co(" + expr + ", " + bind(v) + ")" },
}

func TestCompile(t *testing.T) {
	t.Parallel()
	eq := func(attr, v string) store.Cond { return store.Cond{Op: store.CondEq, Attr: attr, Value: v} }
	tests := []struct {
		name  string
		c     *store.Cond
		want  string
		binds []any
	}{
		{"nil matches all", nil, "TRUE", nil},
		{"folded operand", &store.Cond{Op: store.CondEq, Attr: store.AttrUserName, Value: "Ann@X.test"},
			"m.scim_user_key = ?", []any{"ann@x.test"}},
		{"exact operand", &store.Cond{Op: store.CondEq, Attr: store.AttrExternalID, Value: "00uAB"},
			"m.external_id = ?", []any{"00uAB"}},
		{"and, or, not", &store.Cond{Op: store.CondAnd, Args: []store.Cond{eq(store.AttrID, "1"),
			{Op: store.CondNot, Args: []store.Cond{{Op: store.CondOr, Args: []store.Cond{eq(store.AttrID, "2"),
				{Op: store.CondPresent, Attr: store.AttrDisplayName}}}}}}},
			"(m.id = ? AND NOT ((m.id = ? OR (m.display_key IS NOT NULL AND m.display_key <> ''))))", []any{"1", "2"}},
		{"email eq uses the index, org bound first", &store.Cond{Op: store.CondEq, Attr: store.AttrEmailValue, Value: "A@x"},
			"m.id IN (SELECT e.member_id FROM member_emails e WHERE e.org_id = ? AND e.value_key = ?)", []any{"org", "a@x"}},
		{"email contains", &store.Cond{Op: store.CondContains, Attr: store.AttrEmailValue, Value: "X"},
			"EXISTS (SELECT 1 FROM member_emails e WHERE e.member_id = m.id AND co(e.value_key, ?))", []any{"x"}},
		{"starts with", &store.Cond{Op: store.CondStartsWith, Attr: store.AttrDisplayName, Value: "An"},
			"sw(m.display_key, ?)", []any{"an"}},
		{"injection is a value", &store.Cond{Op: store.CondEq, Attr: store.AttrID, Value: `x' OR 1=1 --`},
			"m.id = ?", []any{`x' OR 1=1 --`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, binds, err := compile(&testDialect, tt.c, memberAttrs, "org")
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("where = %s\n want %s", got, tt.want)
			}
			if diff := cmp.Diff(tt.binds, binds); diff != "" {
				t.Errorf("binds (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCompileRefuses(t *testing.T) {
	t.Parallel()
	deep := store.Cond{Op: store.CondEq, Attr: store.AttrID, Value: "x"}
	for range maxNodes {
		deep = store.Cond{Op: store.CondNot, Args: []store.Cond{deep}}
	}
	for name, c := range map[string]store.Cond{
		"unknown attribute":     {Op: store.CondEq, Attr: "title", Value: "x"},
		"group email attribute": {Op: store.CondEq, Attr: store.AttrUserName, Value: "x"},
		"empty and":             {Op: store.CondAnd},
		"too many nodes":        deep,
	} {
		attrs := memberAttrs
		if name == "group email attribute" {
			attrs = groupAttrs
		}
		if _, _, err := compile(&testDialect, &c, attrs, "org"); !errors.Is(err, errBadCond) {
			t.Errorf("%s: err = %v, want ErrBadCond", name, err)
		}
	}
}
