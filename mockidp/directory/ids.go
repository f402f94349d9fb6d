package directory

import (
	"fmt"
	"io"
)

// Okta's id alphabet: digits, upper and lower case letters.
const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// Id prefixes Okta uses (mock-idp.md 1.4).
const (
	PrefixUser  = "00u"
	PrefixOrg   = "00o"
	PrefixApp   = "0oa"
	PrefixGroup = "00g"
)

// IDLength is the length of every Okta object id, prefix included.
const IDLength = 20

// NewID returns an Okta-shaped id: prefix followed by characters of
// [0-9A-Za-z] read from r, IDLength characters in all.
func NewID(r io.Reader, prefix string) (string, error) {
	s, err := randomString(r, IDLength-len(prefix), idAlphabet)
	if err != nil {
		return "", fmt.Errorf("new %s id: %w", prefix, err)
	}
	return prefix + s, nil
}

// secretAlphabet is the base64url alphabet Okta client secrets are drawn from.
const secretAlphabet = idAlphabet + "-_"

// NewSecret returns an n-character client secret in Okta's shape.
func NewSecret(r io.Reader, n int) (string, error) {
	s, err := randomString(r, n, secretAlphabet)
	if err != nil {
		return "", fmt.Errorf("new secret: %w", err)
	}
	return s, nil
}

// randomString draws n characters uniformly from alphabet (at most 256
// characters) by rejection sampling.
func randomString(r io.Reader, n int, alphabet string) (string, error) {
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/2+8)
	for len(out) < n {
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", err
		}
		for _, b := range buf {
			if int(b) >= limit {
				continue
			}
			out = append(out, alphabet[int(b)%len(alphabet)])
			if len(out) == n {
				break
			}
		}
	}
	return string(out), nil
}
