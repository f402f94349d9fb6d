package oidcop

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// This file signs and verifies compact JWS by hand rather than through
// go-jose: the faults need control over every byte (alg none, HS256, a
// missing or foreign kid, a corrupted signature), and the happy path then
// goes through the same code.

// jwsHeader is the protected header. Okta's tokens carry kid then alg, no typ.
type jwsHeader struct {
	Kid string `json:"kid,omitempty"`
	Alg string `json:"alg"`
}

// signSpec says how to sign one token. The zero value with Key set is a
// normal RS256 signature whose kid is the key's.
type signSpec struct {
	Key     *signingKey // RS256 key (ignored for none and HS256)
	Alg     string      // "" = RS256; "none"; "HS256"
	HMACKey []byte      // the HS256 key
	Kid     string      // "" = Key's kid
	NoKid   bool        // omit kid from the header
	Corrupt bool        // XOR every signature byte with 0x5A
}

func signJWS(spec signSpec, payload []byte) (string, error) {
	h := jwsHeader{Alg: spec.Alg, Kid: spec.Kid}
	if h.Alg == "" {
		h.Alg = "RS256"
	}
	if h.Kid == "" && spec.Key != nil && h.Alg == "RS256" {
		h.Kid = spec.Key.kid
	}
	if spec.NoKid || h.Alg == "none" {
		h.Kid = ""
	}
	hb, err := json.Marshal(h)
	if err != nil {
		return "", fmt.Errorf("marshal jws header: %w", err)
	}
	input := b64(hb) + "." + b64(payload)
	var sig []byte
	switch h.Alg {
	case "none":
	case "HS256":
		m := hmac.New(sha256.New, spec.HMACKey)
		m.Write([]byte(input))
		sig = m.Sum(nil)
	case "RS256":
		sum := sha256.Sum256([]byte(input))
		if sig, err = rsa.SignPKCS1v15(nil, spec.Key.priv, crypto.SHA256, sum[:]); err != nil {
			return "", fmt.Errorf("sign jws: %w", err)
		}
	default:
		return "", fmt.Errorf("sign jws: unsupported alg %q", h.Alg)
	}
	if spec.Corrupt {
		for i := range sig {
			sig[i] ^= 0x5A
		}
	}
	return input + "." + b64(sig), nil
}

var errBadJWS = errors.New("malformed jws")

// parseJWS splits a compact JWS and decodes its header and payload.
func parseJWS(raw string) (h jwsHeader, payload, sig []byte, input string, err error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return h, nil, nil, "", errBadJWS
	}
	hb, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	payload, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err := errors.Join(err1, err2, err3); err != nil {
		return h, nil, nil, "", fmt.Errorf("%w: %w", errBadJWS, err)
	}
	if err := json.NewDecoder(bytes.NewReader(hb)).Decode(&h); err != nil {
		return h, nil, nil, "", fmt.Errorf("%w: header: %w", errBadJWS, err)
	}
	return h, payload, sig, parts[0] + "." + parts[1], nil
}

// verifyRS256 checks an RS256 JWS against the key named by its kid and
// returns the payload.
func verifyRS256(raw string, lookup func(kid string) (*signingKey, bool)) ([]byte, error) {
	h, payload, sig, input, err := parseJWS(raw)
	if err != nil {
		return nil, err
	}
	if h.Alg != "RS256" {
		return nil, fmt.Errorf("verify jws: alg %q is not RS256", h.Alg)
	}
	k, ok := lookup(h.Kid)
	if !ok {
		return nil, fmt.Errorf("verify jws: unknown kid %q", h.Kid)
	}
	sum := sha256.Sum256([]byte(input))
	if err := rsa.VerifyPKCS1v15(&k.priv.PublicKey, crypto.SHA256, sum[:], sig); err != nil {
		return nil, fmt.Errorf("verify jws: %w", err)
	}
	return payload, nil
}
