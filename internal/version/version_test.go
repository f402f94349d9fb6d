package version

import (
	"regexp"
	"runtime/debug"
	"testing"
)

func TestVersionIsASemanticVersion(t *testing.T) {
	t.Parallel()
	// image tags and --version read this; a stray newline or "v" prefix would make tags differ
	if !regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$`).MatchString(Version()) {
		t.Errorf("Version() = %q, want MAJOR.MINOR.PATCH[-PRE]", Version())
	}
}

func TestDescribe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		settings []debug.BuildSetting
		want     string
	}{
		{"no vcs", nil, "1.2.3"},
		{"clean", []debug.BuildSetting{{Key: "vcs.revision", Value: "c7c97cd1a2b3c4d5"}, {Key: "vcs.modified", Value: "false"}}, "1.2.3 (c7c97cd)"},
		{"modified", []debug.BuildSetting{{Key: "vcs.revision", Value: "c7c97cd1a2b3c4d5"}, {Key: "vcs.modified", Value: "true"}}, "1.2.3 (c7c97cd, modified)"},
		{"short revision", []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}}, "1.2.3 (abc)"},
		{"modified without revision", []debug.BuildSetting{{Key: "vcs.modified", Value: "true"}}, "1.2.3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := describe("1.2.3", tc.settings); got != tc.want {
				t.Errorf("describe = %q, want %q", got, tc.want)
			}
		})
	}
}
