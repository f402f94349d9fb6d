package specs

import (
	"strings"
	"testing"

	"github.com/onsi/gomega"
)

// A failed assertion on a decoded SCIM resource shows JSON, not a Go map dump.
func TestFailureMessagesShowJSON(t *testing.T) {
	var msg string
	g := gomega.NewGomega(func(m string, _ ...int) { msg = m })
	user := map[string]any{"userName": "ada@example.test", "emails": []any{map[string]any{"value": "ada@example.test", "primary": true}}}
	g.Expect(user).To(gomega.HaveKeyWithValue("active", true))
	actual, _, _ := strings.Cut(msg, "to have") // the expected side is the matcher's own
	for _, want := range []string{`"userName": "ada@example.test"`, `"primary": true`} {
		if !strings.Contains(actual, want) {
			t.Errorf("message lacks %s:\n%s", want, msg)
		}
	}
	if strings.Contains(actual, "<bool>") || strings.Contains(actual, "<string>") {
		t.Errorf("the actual value is a Go value dump:\n%s", msg)
	}
}
