package scimserver

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFastEqMatchesParser holds the fast path to the parser's answer.
func TestFastEqMatchesParser(t *testing.T) {
	t.Parallel()
	for _, f := range []string{
		`userName eq "ada@acme.test"`, `USERNAME EQ "Ada@Acme.Test"`, `userName Eq "a b+c'd@x"`, `userName eq "ünï@x.test"`,
		`externalId eq "00u1"`, `id eq "abc"`, `emails.value eq "a@x"`, `emails eq "a@x"`, `displayName eq "Ada L"`,
		`userName eq ""`,
	} {
		fast, ok := fastEq(f, userFilterAttrs)
		if !ok {
			t.Errorf("%s: fast path not taken", f)
			continue
		}
		slow, err := parseFilter(f, userDef, userFilterAttrs)
		if err != nil {
			t.Errorf("%s: parser: %v", f, err)
			continue
		}
		if diff := cmp.Diff(slow, fast); diff != "" {
			t.Errorf("%s: fast path differs from the parser (-parser +fast):\n%s", f, diff)
		}
	}
	for _, f := range []string{
		`userName eq "a\"b"`, `userName eq "a\\b"`, `userName  eq "a"`, `userName eq "a" or id eq "b"`, `title eq "x"`,
		`userName eq 'a'`, `userName sw "a"`, `urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a"`, `userName eq "a`,
		"userName eq \"a\tb\"", `userName eq "x" and displayName eq "y"`,
	} {
		if c, ok := fastEq(f, userFilterAttrs); ok {
			t.Errorf("%s: fast path taken (%+v); it must leave this to the parser", f, c)
		}
	}
}
