package specs

import (
	"encoding/json"
	"strings"

	"github.com/onsi/gomega/format"

	"github.com/ssoconform/ssoconform/harness"
)

// Failure messages show values the way a SCIM server's author reads them: a SCIM resource, list or
// attribute (a decoded JSON object or array) as indented JSON, and a SCIM response as its redacted
// exchange, never as a Go value dump (gomega's default). Registered once for the package's matchers.
func init() { format.RegisterCustomFormatter(formatJSON) }

func formatJSON(v any) (string, bool) {
	switch x := v.(type) {
	case harness.SCIMResponse:
		return "\n" + strings.TrimRight(x.Transcript(), "\n"), true
	case map[string]any, []any:
		b, err := json.MarshalIndent(x, "", format.Indent)
		if err != nil {
			return "", false
		}
		return string(b), true
	}
	return "", false
}
