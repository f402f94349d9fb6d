package sqlfilter

import (
	"errors"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// numbered is a Dialect with $n placeholders that records what was bound, in order.
type numbered struct{ vals []any }

func (d *numbered) Bind(v any) string {
	d.vals = append(d.vals, v)
	return "$" + strconv.Itoa(len(d.vals))
}
func (d *numbered) StartsWith(expr, v string) string { return "sw(" + expr + ", " + d.Bind(v) + ")" }
func (d *numbered) Contains(expr, v string) string   { return "co(" + expr + ", " + d.Bind(v) + ")" }

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
			"m.scim_user_key = $1", []any{"ann@x.test"}},
		{"exact operand", &store.Cond{Op: store.CondEq, Attr: store.AttrExternalID, Value: "00uAB"},
			"m.external_id = $1", []any{"00uAB"}},
		{"and, or, not", &store.Cond{Op: store.CondAnd, Args: []store.Cond{eq(store.AttrID, "1"),
			{Op: store.CondNot, Args: []store.Cond{{Op: store.CondOr, Args: []store.Cond{eq(store.AttrID, "2"),
				{Op: store.CondPresent, Attr: store.AttrDisplayName}}}}}}},
			"(m.id = $1 AND NOT ((m.id = $2 OR (m.display_key IS NOT NULL AND m.display_key <> ''))))", []any{"1", "2"}},
		{"email eq uses the index, org bound first", &store.Cond{Op: store.CondEq, Attr: store.AttrEmailValue, Value: "A@x"},
			"m.id IN (SELECT e.member_id FROM member_emails e WHERE e.org_id = $1 AND e.value_key = $2)", []any{"org", "a@x"}},
		{"email contains", &store.Cond{Op: store.CondContains, Attr: store.AttrEmailValue, Value: "X"},
			"EXISTS (SELECT 1 FROM member_emails e WHERE e.member_id = m.id AND co(e.value_key, $1))", []any{"x"}},
		{"starts with", &store.Cond{Op: store.CondStartsWith, Attr: store.AttrDisplayName, Value: "An"},
			"sw(m.display_key, $1)", []any{"an"}},
		{"injection is a value", &store.Cond{Op: store.CondEq, Attr: store.AttrID, Value: `x' OR 1=1 --`},
			"m.id = $1", []any{`x' OR 1=1 --`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var d numbered
			got, err := Compile(tt.c, MemberAttrs, "org", &d)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("where = %s\n want %s", got, tt.want)
			}
			if diff := cmp.Diff(tt.binds, d.vals); diff != "" {
				t.Errorf("binds (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCompileRefuses(t *testing.T) {
	t.Parallel()
	deep := store.Cond{Op: store.CondEq, Attr: store.AttrID, Value: "x"}
	for range MaxNodes {
		deep = store.Cond{Op: store.CondNot, Args: []store.Cond{deep}}
	}
	for name, c := range map[string]store.Cond{
		"unknown attribute":     {Op: store.CondEq, Attr: "title", Value: "x"},
		"group email attribute": {Op: store.CondEq, Attr: store.AttrUserName, Value: "x"},
		"empty and":             {Op: store.CondAnd},
		"too many nodes":        deep,
	} {
		attrs := MemberAttrs
		if name == "group email attribute" {
			attrs = GroupAttrs
		}
		if _, err := Compile(&c, attrs, "org", &numbered{}); !errors.Is(err, ErrBadCond) {
			t.Errorf("%s: err = %v, want ErrBadCond", name, err)
		}
	}
}
