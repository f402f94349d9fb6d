// Package version is the project's one source of its version: the VERSION file beside this file,
// embedded into every binary at build time. `make images` tags the images with it (scripts read the
// same file), and the commands print it (`ssoconform --version`).
//
//	fmt.Println(version.Version()) // 0.1.0
//	fmt.Println(version.String())  // 0.1.0 (c7c97cd, modified)
package version

import (
	_ "embed"
	"runtime/debug"
	"strings"
)

//go:embed VERSION
var file string

// Version is the release version from the VERSION file, e.g. "0.1.0": what images are tagged with.
func Version() string { return strings.TrimSpace(file) }

// String is Version followed by the VCS revision the binary was built from when the Go toolchain
// recorded one, and "modified" when the working tree had uncommitted changes: "0.1.0 (c7c97cd,
// modified)". Without VCS information (go test, a build outside a checkout) it is Version alone.
func String() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return Version()
	}
	return describe(Version(), info.Settings)
}

// describe formats v with the vcs.revision and vcs.modified build settings.
func describe(v string, settings []debug.BuildSetting) string {
	var rev string
	var modified bool
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" {
		return v
	}
	rev = rev[:min(len(rev), 7)]
	if modified {
		return v + " (" + rev + ", modified)"
	}
	return v + " (" + rev + ")"
}
