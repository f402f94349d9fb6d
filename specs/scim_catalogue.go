package specs

import (
	"fmt"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/ssoconform/ssoconform/harness"
)

// SCIMSpec is one SCIM spec of the catalogue partners read: what `ssoconform list` prints and
// docs/conformance.md holds.
type SCIMSpec struct {
	ID          string   `json:"id"`
	Level       Level    `json:"level"`
	Profiles    []string `json:"profiles"`
	Features    []string `json:"features,omitempty"` // optional features it needs; none means every server
	Kind        string   `json:"kind,omitempty"`     // Positive, Negative, Security or Robustness
	Requirement string   `json:"requirement"`
	Reference   string   `json:"reference"`
}

// SCIMCatalogue lists the SCIM specs that run against a SCIM server alone, in ID order, those of
// profile p only when p is set. It walks the spec tree with a Ginkgo dry run (nothing is sent), which
// prints Ginkgo's progress on standard output.
func SCIMCatalogue(p harness.SCIMFlavour) ([]SCIMSpec, error) {
	var profiles []string
	for _, f := range harness.SCIMFlavours {
		profiles = append(profiles, "Profile:"+string(f))
	}
	filter := "(" + strings.Join(profiles, " || ") + ") && !Stack"
	if p != "" {
		if _, err := harness.ParseSCIMFlavour(string(p)); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSelection, err)
		}
		filter = scimFilter(p, "")
	}
	suiteConfig, reporterConfig := GinkgoConfiguration()
	suiteConfig.DryRun = true
	suiteConfig.LabelFilter = filter
	suiteConfig.RandomizeAllSpecs = false
	suiteConfig.RandomSeed = 1 // the same order every time: the catalogue page must be reproducible
	reporterConfig.Succinct = true
	var t failRecorder
	return catalogue(runSpecs(&t, Config{}, "ssoconform SCIM catalogue", suiteConfig, reporterConfig).report), nil
}

// catalogue merges a dry run's specs by ID: one entry per spec, with every profile it is registered in.
func catalogue(r types.Report) []SCIMSpec {
	byID := map[string]*SCIMSpec{}
	textRank := map[string]int{}
	var order []string
	for _, sr := range r.SpecReports {
		if sr.LeafNodeType != types.NodeTypeIt || sr.State == types.SpecStateSkipped && sr.Failure.Message == "" {
			continue
		}
		id, req := splitSpecText(sr.LeafNodeText)
		labels := sr.Labels()
		e, seen := byID[id]
		if !seen {
			e = &SCIMSpec{ID: id, Level: specLevel(labels)}
			byID[id] = e
			order = append(order, id)
		}
		// the text as the first profile (okta-oin) words it, whatever order the dry run took
		if rank := slices.Index(harness.SCIMFlavours, harness.SCIMFlavour(specProfile(labels))); !seen || rank < textRank[id] {
			textRank[id] = rank
			e.Reference = specReference(id, sr.LeafNodeText)
			e.Requirement = strings.TrimSpace(trailingRef.ReplaceAllString(req, ""))
		}
		for _, l := range labels {
			name, value, _ := strings.Cut(l, ":")
			switch {
			case name == "Profile" && !slices.Contains(e.Profiles, value):
				e.Profiles = append(e.Profiles, value)
			case name == "Feature" && !slices.Contains(e.Features, value):
				e.Features = append(e.Features, value)
			case name == "Kind":
				e.Kind = value
			}
		}
	}
	slices.Sort(order)
	out := make([]SCIMSpec, 0, len(order))
	for _, id := range order {
		e := byID[id]
		slices.SortFunc(e.Profiles, func(a, b string) int {
			return slices.Index(harness.SCIMFlavours, harness.SCIMFlavour(a)) - slices.Index(harness.SCIMFlavours, harness.SCIMFlavour(b))
		})
		slices.Sort(e.Features)
		out = append(out, *e)
	}
	return out
}
