package redact

import (
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"http://app.test/cb?code=abc&state=xyz", "http://app.test/cb?code=REDACTED&state=REDACTED"},
		{"http://app.test/?x=1", "http://app.test/?x=1"},
		{"http://app.test/cb#id_token=eyJ&token_type=Bearer", "http://app.test/cb#id_token=REDACTED&token_type=Bearer"},
		{"http://app.test/acs?SAMLResponse=PHNhbWw%2B", "http://app.test/acs?SAMLResponse=REDACTED"},
		{"http://app.test/cb?error=access_denied&error_description=User+is+not+assigned", "http://app.test/cb?error=access_denied&error_description=User+is+not+assigned"},
	}
	for _, tt := range tests {
		if got := URL(tt.in); got != tt.want {
			t.Errorf("URL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := URL("http://a/cb?code=s3cr3t"); strings.Contains(got, "s3cr3t") {
		t.Errorf("secret kept: %s", got)
	}
}
