package specs

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"time"

	"github.com/goccy/go-yaml"
)

// Deviation is a partner's declared exemption from one spec: a failure of that spec is reported as
// "deviated" and does not fail the verdict until the entry expires. An entry cannot go stale quietly:
// the run fails when the spec passes, when the date has passed, or when no spec has that ID.
type Deviation struct {
	ID      string `yaml:"id"`      // a spec ID, e.g. SCIM-AUTH-CHALLENGE
	Reason  string `yaml:"reason"`  // why the server deviates, shown in the reports
	Expires string `yaml:"expires"` // YYYY-MM-DD; the entry holds through that day (UTC)
}

// ErrDeviationFile marks a deviations file that cannot be read or parsed.
var ErrDeviationFile = errors.New("deviations file")

// LoadDeviations reads a YAML list of deviations. Errors name the file and, for YAML and field
// errors, the line.
func LoadDeviations(path string) ([]Deviation, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDeviationFile, err)
	}
	devs, err := ParseDeviations(data)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrDeviationFile, path, err)
	}
	return devs, nil
}

// yamlPosition is how the YAML module places an error: "[line:column]".
var yamlPosition = regexp.MustCompile(`^\[(\d+):(\d+)\]`)

// ParseDeviations parses and checks a YAML list of {id, reason, expires}.
func ParseDeviations(data []byte) ([]Deviation, error) {
	var devs []Deviation
	if err := yaml.UnmarshalWithOptions(data, &devs, yaml.DisallowUnknownField()); err != nil {
		msg := yaml.FormatError(err, false, false)
		return nil, errors.New(yamlPosition.ReplaceAllString(msg, "line $1, column $2:"))
	}
	seen := map[string]bool{}
	for i, d := range devs {
		switch {
		case d.ID == "":
			return nil, fmt.Errorf("entry %d: id is required", i+1)
		case d.Reason == "":
			return nil, fmt.Errorf("entry %d (%s): reason is required", i+1, d.ID)
		case seen[d.ID]:
			return nil, fmt.Errorf("entry %d: %s is declared twice", i+1, d.ID)
		}
		if _, err := time.Parse(time.DateOnly, d.Expires); err != nil {
			return nil, fmt.Errorf("entry %d (%s): expires %q: want a date YYYY-MM-DD", i+1, d.ID, d.Expires)
		}
		seen[d.ID] = true
	}
	return devs, nil
}

// expired says whether the entry's last day is before today (UTC).
func (d Deviation) expired(now time.Time) bool {
	end, err := time.Parse(time.DateOnly, d.Expires)
	return err != nil || now.UTC().After(end.AddDate(0, 0, 1))
}

// activeDeviations are the entries that have not expired, by spec ID.
func activeDeviations(devs []Deviation, now time.Time) map[string]Deviation {
	out := map[string]Deviation{}
	for _, d := range devs {
		if !d.expired(now) {
			out[d.ID] = d
		}
	}
	return out
}

// staleDeviations says, one sentence each, which entries fail the run: an unknown spec ID, an expired
// date, or a spec that passed. known holds every spec ID of the catalogue.
func staleDeviations(devs []Deviation, results []SpecResult, known map[string]bool, now time.Time) []string {
	var out []string
	for _, d := range devs {
		i := slices.IndexFunc(results, func(r SpecResult) bool { return r.ID == d.ID })
		switch {
		case !known[d.ID]:
			out = append(out, fmt.Sprintf("deviation %s names no spec of the catalogue (see ssoconform list).", d.ID))
		case d.expired(now):
			out = append(out, fmt.Sprintf("deviation %s expired on %s: fix the server or renew the entry.", d.ID, d.Expires))
		case i >= 0 && results[i].State == "passed":
			out = append(out, fmt.Sprintf("deviation %s is stale: the spec passes now, so remove the entry.", d.ID))
		}
	}
	return out
}
