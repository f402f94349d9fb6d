package defence_test

import (
	"testing"

	"github.com/ssoconform/ssoconform/refapp/defence"
)

func TestNamesAreUnique(t *testing.T) {
	t.Parallel()
	seen := map[defence.Name]bool{}
	for _, n := range defence.All() {
		if n == "" || seen[n] {
			t.Errorf("defence name %q is empty or repeated", n)
		}
		seen[n] = true
	}
}
