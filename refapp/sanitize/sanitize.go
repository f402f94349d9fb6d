// Package sanitize makes the name refapp shows and signs a member in as from what an IdP sends (OIDC
// preferred_username / name claims, SAML NameID and attributes). The product documentation's Known
// Issues say special symbols are not supported in userName and are sanitized on SSO sign-in:
// "#John Do`e¥" signs in as "John Doe".
//
// The rule: keep letters and marks of any script, decimal digits, spaces and the characters . - _ ' @ +;
// drop every other character; collapse runs of white space into one space and trim. The result is never
// empty: when nothing is left, the email's local part is used (sanitized the same way), and when that is
// empty too, "member".
//
// This is for what the app displays and signs in as; the SCIM userName itself is stored exactly as sent,
// or Okta's `userName eq` lookups would miss.
//
//	sanitize.DisplayName("#John Do`e¥", "jdoe@acme.test") // "John Doe"
package sanitize

import (
	"strings"
	"unicode"

	"github.com/ssoconform/ssoconform/refapp/defence"
)

// Fallback is the name used when neither the name nor the email's local part keeps any character.
const Fallback = "member"

// DisplayName sanitizes name, falling back to the local part of email and then to Fallback.
func DisplayName(name, email string) string {
	if s := Clean(name); s != "" {
		return s
	}
	local, _, _ := strings.Cut(email, "@")
	if s := Clean(local); s != "" {
		return s
	}
	return Fallback
}

// Clean applies the rule without a fallback; it may return "". Clean(Clean(s)) == Clean(s).
func Clean(s string) string {
	if defence.Off(defence.Sanitization) {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false // a space is pending: written only before the next kept character
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || unicode.Is(unicode.Zs, r):
			space = b.Len() > 0
		case allowed(r):
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// allowed reports whether r is kept (white space is handled by Clean).
func allowed(r rune) bool {
	switch r {
	case '.', '-', '_', '\'', '@', '+':
		return true
	case unicode.ReplacementChar:
		return false
	}
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.Is(unicode.Nd, r)
}
