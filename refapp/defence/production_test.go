//go:build !selftest

package defence_test

import (
	"testing"

	"github.com/ssoconform/ssoconform/refapp/defence"
)

// TestProductionKeepsEveryDefence: without the selftest tag, no environment switches anything off.
func TestProductionKeepsEveryDefence(t *testing.T) {
	t.Setenv("REFAPP_SELFTEST_DEFENCES_OFF", "nonce,audience,signature,plan-gate,require-sso,require-sso-members,link-mail,scim-scope,sync-toggle,sanitization,default-role,state,saml-audience,email-type,settings-saml,settings-default-role")
	for _, n := range defence.All() {
		if defence.Off(n) {
			t.Errorf("a production build switched %s off", n)
		}
	}
}
