//go:build selftest

package defence

import "testing"

func TestParseOff(t *testing.T) {
	t.Parallel()
	got := parseOff(" nonce, ,plan-gate ")
	if !got[Nonce] || !got[PlanGate] || len(got) != 2 {
		t.Errorf("parseOff = %v, want nonce and plan-gate", got)
	}
}
