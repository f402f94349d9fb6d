package sanitize

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestDisplayName(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, email, want string }{
		{"the documented example", "#John Do`e¥", "jdoe@acme.test", "John Doe"},
		{"plain name untouched", "Alice Anders", "", "Alice Anders"},
		{"allowed punctuation kept", "o'brien.mary-jo_x+1@acme", "", "o'brien.mary-jo_x+1@acme"},
		{"white space collapsed and trimmed", "  Ann \t\n  Lee  ", "", "Ann Lee"},
		{"non-breaking and ideographic spaces", "Ann\u00a0Lee\u3000Kim", "", "Ann Lee Kim"},
		{"other scripts kept", "Zoë Łukasz 山田太郎 Ольга محمد", "", "Zoë Łukasz 山田太郎 Ольга محمد"},
		{"combining marks kept", "Jose\u0301", "", "Jose\u0301"},
		{"digits of any script kept", "R2D2 ٣", "", "R2D2 ٣"},
		{"symbols dropped", "Bob™ <script>alert(1)</script> $€&*!", "", "Bob scriptalert1script"},
		{"emoji dropped", "Ana 🚀 Silva", "", "Ana Silva"},
		{"controls dropped", "Ana\x00\x07 Silva\u200b", "", "Ana Silva"},
		{"space left by a dropped symbol collapses", "John # Doe", "", "John Doe"},
		{"empty falls back to the email local part", "#$%", "j.doe+okta@acme.test", "j.doe+okta"},
		{"local part is sanitized too", "", "#jd`@acme.test", "jd"},
		{"nothing left at all", "¥¥", "%%@acme.test", Fallback},
		{"invalid UTF-8 dropped", "Ann\xffLee", "", "AnnLee"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := DisplayName(tt.in, tt.email); got != tt.want {
				t.Errorf("DisplayName(%q, %q) = %q, want %q", tt.in, tt.email, got, tt.want)
			}
		})
	}
}

func FuzzDisplayName(f *testing.F) {
	for _, s := range []string{"#John Do`e¥", "  ", "Zoë 山田", "a\u0301", "\xff\xfe", "@@", "x y\tz"} {
		f.Add(s, "local@acme.test")
	}
	f.Fuzz(func(t *testing.T, name, email string) {
		got := DisplayName(name, email)
		if got == "" {
			t.Fatalf("DisplayName(%q, %q) is empty", name, email)
		}
		if again := DisplayName(got, email); again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", name, got, again)
		}
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8 in %q", got)
		}
		if got != strings.TrimSpace(got) || strings.Contains(got, "  ") {
			t.Fatalf("white space not collapsed/trimmed: %q", got)
		}
		for _, r := range got {
			if r != ' ' && !allowed(r) {
				t.Fatalf("disallowed %U %q kept in %q", r, r, got)
			}
			if r != ' ' && unicode.IsSpace(r) {
				t.Fatalf("non-ASCII space kept in %q", got)
			}
		}
	})
}
