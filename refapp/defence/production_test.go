//go:build !selftest

package defence_test

import (
	"strings"
	"testing"

	"github.com/ssoconform/ssoconform/refapp/defence"
)

// TestProductionKeepsEveryDefence: without the selftest tag, no environment switches anything off.
func TestProductionKeepsEveryDefence(t *testing.T) {
	names := make([]string, 0, len(defence.All()))
	for _, n := range defence.All() {
		names = append(names, string(n))
	}
	t.Setenv("REFAPP_SELFTEST_DEFENCES_OFF", strings.Join(names, ",")) // every switch, slo included
	for _, n := range defence.All() {
		if defence.Off(n) {
			t.Errorf("a production build switched %s off", n)
		}
	}
}
