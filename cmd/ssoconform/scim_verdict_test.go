package main

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ssoconform/ssoconform/harness"
	"github.com/ssoconform/ssoconform/harness/scimfault"
)

// TestVerdictWeighsLevels: a server that does all Okta needs but sends no WWW-Authenticate on 401 and
// takes text/plain bodies (two rules Okta never relies on) is conformant for okta-oin, with those two
// specs listed as warnings, and exits 0.
func TestVerdictWeighsLevels(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the reference stack and runs the whole okta-oin profile")
	}
	env := startSelfTestStack(t)
	inner, err := scimfault.New(scimfault.Config{Target: env.a.BaseURL, Mutation: scimfault.AnyContentType})
	if err != nil {
		t.Fatal(err)
	}
	innerSrv := httptest.NewServer(inner)
	defer innerSrv.Close()
	outer, err := scimfault.New(scimfault.Config{Target: innerSrv.URL, Mutation: scimfault.NoWWWAuthenticate})
	if err != nil {
		t.Fatal(err)
	}
	outerSrv := httptest.NewServer(outer)
	defer outerSrv.Close()

	states, out, code := env.runCLIWith(t, outerSrv.URL+"/scim/v2", harness.FlavourOktaOIN, "--label-filter", "!Feature:rate-limit", "--prefix", "ssoc-verdict")
	if code != 0 {
		t.Errorf("exit status %d, want 0 (warnings only)\n%s", code, out)
	}
	for _, want := range []string{"verdict: conformant", "warning SCIM-AUTH-CHALLENGE (must)", "warning SCIM-CT-415 (should)",
		"by level: okta "} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// the text/plain create the broken server took is the one resource the run cannot know to remove
	if !strings.Contains(out, `left on the server: 1 resources named with the run prefix "ssoc-verdict"`) {
		t.Errorf("want the one user the text/plain create made listed as left over:\n%s", out)
	}
	for _, id := range []string{"SCIM-AUTH-CHALLENGE", "SCIM-CT-415"} {
		if states[id] != "failed" {
			t.Errorf("%s is %q in junit.xml, want failed (a warning is still a failed rule)", id, states[id])
		}
	}
}
