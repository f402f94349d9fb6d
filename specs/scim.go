package specs

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"

	"github.com/ssoconform/ssoconform/harness"
)

// scimSpec is what the SCIM specs of one profile container share. BeforeEach renews T and rec, so a
// spec only ever sees its own exchanges.
type scimSpec struct {
	*Suite  // its scim is the run's target: the reference app's first test organization, or Config.SCIM
	profile harness.SCIMFlavour
	T       harness.SCIMTarget // the target for the running spec, recording into rec
	rec     *harness.Recorder
}

// describeSCIM registers the SCIM specs once per profile, each profile in its own top-level container.
func (su *Suite) describeSCIM() {
	for _, p := range harness.SCIMFlavours {
		s := &scimSpec{Suite: su, profile: p}
		Describe("SCIM 2.0 server ["+string(p)+"]", ProtocolSCIM, ProfileLabel(p), func() {
			BeforeEach(s.setUp)
			describeSCIMTransport(s)
			describeSCIMErrors(s)
			describeSCIMListing(s)
			describeSCIMFiltering(s)
			describeSCIMUsers(s)
			describeSCIMUserPatch(s)
			describeSCIMLifecycle(s)
			describeSCIMGroups(s)
			describeSCIMDiscovery(s)
			describeSCIMIsolation(s)
			describeSCIMConcurrency(s)
			describeSCIMRateLimit(s)
			if p != harness.FlavourRFC {
				describeOktaSPECTest(s)
			}
		})
	}
}

// setUp gives the spec a fresh recorder, attaches the transcript to the report when the spec ends, and
// skips the spec when it carries a Feature label the target did not declare.
func (s *scimSpec) setUp() {
	s.rec = &harness.Recorder{Max: 120}
	s.T = s.scim.With(s.profile, s.rec)
	rec := s.rec
	DeferCleanup(func() { // registered first, so it runs after the spec's own cleanups
		if tr := rec.Transcript(); tr != "" {
			AddReportEntry(exchangesEntry, tr, ReportEntryVisibilityFailureOrVerbose)
		}
	})
	for _, l := range CurrentSpecReport().Labels() {
		name, ok := strings.CutPrefix(l, "Feature:")
		if !ok {
			continue
		}
		if name == "tenants" {
			if s.T.Second == nil {
				Skip("needs a second tenant of the target for tenant isolation (ssoconform scim --second-url / --second-token-file)")
			}
			continue
		}
		if !s.T.Has(harness.SCIMFeature(name)) {
			Skip("the target does not declare the optional feature " + name + " (ssoconform scim --features " + name + ")")
		}
	}
}

// exchangesEntry names the report entry holding a spec's HTTP transcript.
const exchangesEntry = "SCIM exchanges"
