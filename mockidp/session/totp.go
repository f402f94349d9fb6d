package session

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // RFC 6238's default and what authenticator apps use
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"
)

// TOTP factor (RFC 6238 with HMAC-SHA1, 30-second steps, 6 digits): what Okta's Google Authenticator
// factor checks. Secrets are base32, as authenticator apps take them.

// totpStep is the time step of a code.
const totpStep = 30 * time.Second

// TOTP returns the code of secret (base32) at t.
func TOTP(secret string, t time.Time) (string, error) {
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(strings.TrimRight(secret, "=")))
	if err != nil {
		return "", fmt.Errorf("totp secret: %w", err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(t.Unix()/int64(totpStep/time.Second)))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	n := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", n%1_000_000), nil
}

// VerifyTOTP reports whether code is secret's code at now or one step either side (clock drift).
func VerifyTOTP(secret, code string, now time.Time) bool {
	for _, d := range []time.Duration{0, -totpStep, totpStep} {
		want, err := TOTP(secret, now.Add(d))
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(strings.TrimSpace(code))) == 1 {
			return true
		}
	}
	return false
}

// AddFactors records that the session's user also passed the factors with these amr values (e.g.
// "mfa", "otp" after a TOTP code).
func (st *Store) AddFactors(id string, amr ...string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	s, ok := st.sessions[id]
	if !ok {
		return
	}
	for _, a := range amr {
		if !slices.Contains(s.AMR, a) {
			s.AMR = append(s.AMR, a)
		}
	}
}
