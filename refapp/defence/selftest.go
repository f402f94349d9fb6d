//go:build selftest

package defence

import (
	"os"
	"strings"
)

// EnvOff is the environment variable a self-test build reads: the defences to switch off, by name,
// comma-separated.
const EnvOff = "REFAPP_SELFTEST_DEFENCES_OFF"

// off is read once from the environment; a self-test build is never a product.
var off = parseOff(os.Getenv(EnvOff))

func parseOff(v string) map[Name]bool {
	out := map[Name]bool{}
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out[Name(s)] = true
		}
	}
	return out
}

// Off reports whether the self-test switched the defence off.
func Off(n Name) bool { return off[n] }

// Announce tells say that this is a self-test build and which defences are off.
func Announce(say func(string)) {
	var names []string
	for _, n := range All() {
		if off[n] {
			names = append(names, string(n))
		}
	}
	say("SELFTEST BUILD of refapp (never a product): defences off: [" + strings.Join(names, ",") + "] (" + EnvOff + ")")
}
