package oidcrp

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/ssoconform/ssoconform/refapp/defence"
	"github.com/ssoconform/ssoconform/refapp/store"
)

// redeem exchanges the code, verifies the ID token and extracts the identity.
func (rp *RP) redeem(ctx context.Context, a store.LoginAttempt, c Connection, code string) (Identity, error) {
	cctx := rp.clientCtx(ctx)
	p, doc, err := discover(cctx, rp.cfg.HTTPClient, c.metadataURL(), c.Issuer)
	if err != nil {
		return Identity{}, refuse(http.StatusBadGateway, err, "Could not use Okta's OpenID configuration for this organization")
	}
	tok, err := rp.oauthConfig(p, c).Exchange(cctx, code, oauth2.VerifierOption(a.PKCEVerifier))
	if err != nil {
		return Identity{}, tokenError(err)
	}
	if !strings.EqualFold(tok.TokenType, "Bearer") {
		return Identity{}, refuse(http.StatusBadGateway, nil, "Okta's token response has token_type %q; only Bearer is accepted", tok.TokenType)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return Identity{}, refuse(http.StatusBadGateway, nil, "Okta's token response has no ID token")
	}
	idt, err := rp.verifyIDToken(cctx, p, doc.JWKSURI, c, raw, a.Nonce)
	if err != nil {
		return Identity{}, err
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return Identity{}, refuse(http.StatusBadGateway, err, "The ID token from Okta is invalid (at_hash does not match the access token)")
		}
	}
	id, err := identity(a.OrgID, idt)
	if err != nil {
		return Identity{}, err
	}
	if p.UserInfoEndpoint() != "" {
		if err := userInfo(cctx, p, tok, &id); err != nil {
			return Identity{}, err
		}
	}
	id.LinkMemberID = a.LinkMemberID
	return id, nil
}

// verifyIDToken checks the ID token: go-oidc's checks (RS256 signature by a key of the issuer's JWKS,
// iss, aud, exp) plus refapp's own: a kid when the JWKS holds several keys (OIDC Core 10.1), azp = our
// client when aud names anyone else (3.1.3.7 #3-#5), sub present, iat present, not in the future beyond
// clock skew and not older than MaxIDTokenAge (3.1.3.7 #10), nonce equal to ours (#11).
func (rp *RP) verifyIDToken(ctx context.Context, p *oidc.Provider, jwksURL string, c Connection, raw, nonce string) (*oidc.IDToken, error) {
	v := p.VerifierContext(ctx, &oidc.Config{ClientID: c.ClientID, Now: rp.cfg.Now, SupportedSigningAlgs: []string{oidc.RS256},
		SkipClientIDCheck: defence.Off(defence.Audience), InsecureSkipSignatureCheck: defence.Off(defence.Signature)})
	idt, err := v.Verify(ctx, raw)
	if err != nil {
		var expired *oidc.TokenExpiredError
		if errors.As(err, &expired) {
			return nil, refuse(http.StatusBadGateway, err, "The ID token from Okta has expired")
		}
		return nil, refuse(http.StatusBadGateway, err, "The ID token from Okta is invalid (%s)", publicVerifyReason(err))
	}
	if err := rp.checkKid(ctx, jwksURL, raw); err != nil {
		return nil, err
	}
	var cl struct {
		Azp string `json:"azp"`
		Iat *int64 `json:"iat"`
	}
	if err := idt.Claims(&cl); err != nil {
		return nil, refuse(http.StatusBadGateway, err, "The ID token from Okta has unreadable claims")
	}
	now := rp.cfg.Now()
	audience, nonceChecked := !defence.Off(defence.Audience), !defence.Off(defence.Nonce)
	switch {
	case audience && len(idt.Audience) != 1 && cl.Azp != c.ClientID:
		return nil, refuse(http.StatusBadGateway, nil, "The ID token from Okta is invalid (it names other audiences and its azp is not this app)")
	case audience && cl.Azp != "" && cl.Azp != c.ClientID:
		return nil, refuse(http.StatusBadGateway, nil, "The ID token from Okta is invalid (azp names another client)")
	case idt.Subject == "":
		return nil, refuse(http.StatusBadGateway, nil, "The ID token from Okta is invalid (no sub claim)")
	case cl.Iat == nil:
		return nil, refuse(http.StatusBadGateway, nil, "The ID token from Okta is invalid (no iat claim)")
	case idt.IssuedAt.After(now.Add(clockSkew)):
		return nil, refuse(http.StatusBadGateway, nil, "The ID token from Okta is invalid (issued in the future; check the clocks)")
	case idt.IssuedAt.Before(now.Add(-MaxIDTokenAge)):
		return nil, refuse(http.StatusBadGateway, nil, "The ID token from Okta is invalid (issued too long ago)")
	case nonceChecked && idt.Nonce == "":
		return nil, refuse(http.StatusBadGateway, nil, "The ID token from Okta carries no nonce")
	case nonceChecked && subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1:
		return nil, refuse(http.StatusBadGateway, nil, "The ID token from Okta carries the wrong nonce")
	}
	return idt, nil
}

// clockSkew is how far in the future an ID token's iat may be.
const clockSkew = 2 * time.Minute

// MaxIDTokenAge is how old an ID token's iat may be: a code-flow token is minted at the exchange.
const MaxIDTokenAge = 10 * time.Minute

// checkKid refuses a kid-less ID token when the issuer's JWKS holds more than one signing key.
func (rp *RP) checkKid(ctx context.Context, jwksURL, raw string) error {
	head, _, _ := strings.Cut(raw, ".")
	b, err := base64.RawURLEncoding.DecodeString(head)
	var h struct {
		Kid string `json:"kid"`
	}
	if err == nil {
		err = json.Unmarshal(b, &h)
	}
	if err != nil {
		return refuse(http.StatusBadGateway, err, "The ID token from Okta is invalid (malformed token)")
	}
	if h.Kid != "" {
		return nil
	}
	n, err := countKeys(ctx, rp.cfg.HTTPClient, jwksURL)
	if err != nil {
		return refuse(http.StatusBadGateway, err, "Could not read Okta's signing keys")
	}
	if n > 1 {
		return refuse(http.StatusBadGateway, nil, "The ID token from Okta is invalid (no kid while Okta publishes several keys)")
	}
	return nil
}

// userInfo calls the UserInfo endpoint: its sub must equal the ID token's (OIDC Core 5.3.2); its name
// claims fill in what the ID token lacked.
func userInfo(ctx context.Context, p *oidc.Provider, tok *oauth2.Token, id *Identity) error {
	ui, err := p.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		return refuse(http.StatusBadGateway, err, "Could not read the user's profile from Okta (UserInfo)")
	}
	if ui.Subject != id.Subject {
		return refuse(http.StatusBadGateway, nil, "Okta's UserInfo response is for another user (sub differs from the ID token)")
	}
	var cl struct {
		Name              string `json:"name"`
		PreferredUsername string `json:"preferred_username"`
	}
	if err := ui.Claims(&cl); err == nil {
		if id.Name == "" {
			id.Name = cl.Name
		}
		if id.PreferredUsername == "" {
			id.PreferredUsername = cl.PreferredUsername
		}
	}
	return nil
}

// publicVerifyReason names which check failed without echoing token content.
func publicVerifyReason(err error) string {
	s := err.Error()
	switch {
	case strings.Contains(s, "signature"), strings.Contains(s, "failed to verify"):
		return "bad signature"
	case strings.Contains(s, "issued by a different provider"):
		return "wrong issuer"
	case strings.Contains(s, "audience"):
		return "wrong audience"
	case strings.Contains(s, "nbf"):
		return "not yet valid"
	case strings.Contains(s, "malformed"), strings.Contains(s, "unmarshal"):
		return "malformed token"
	}
	return "verification failed"
}

type claims struct {
	Email             string          `json:"email"`
	EmailVerified     json.RawMessage `json:"email_verified"`
	Name              string          `json:"name"`
	PreferredUsername string          `json:"preferred_username"`
}

func identity(orgID string, idt *oidc.IDToken) (Identity, error) {
	var cl claims
	if err := idt.Claims(&cl); err != nil {
		return Identity{}, refuse(http.StatusBadGateway, err, "The ID token from Okta has unreadable claims")
	}
	if cl.Email == "" || !strings.Contains(cl.Email, "@") {
		return Identity{}, refuse(http.StatusBadGateway, nil,
			"The ID token from Okta has no email claim; the Okta app must grant the email scope")
	}
	switch strings.Trim(string(cl.EmailVerified), `"`) {
	case "", "true", "null":
	default:
		return Identity{}, refuse(http.StatusForbidden, nil, "Okta says the email address %s is not verified", cl.Email)
	}
	return Identity{OrgID: orgID, Issuer: idt.Issuer, Subject: idt.Subject, Email: cl.Email, Name: cl.Name,
		PreferredUsername: cl.PreferredUsername}, nil
}

// tokenError names what the token endpoint refused.
func tokenError(err error) *Error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return refuse(http.StatusBadGateway, err, "Could not reach Okta's token endpoint")
	}
	switch re.ErrorCode {
	case "invalid_client":
		return refuse(http.StatusBadGateway, err, "Okta refused the app's client credentials (invalid_client)")
	case "invalid_grant":
		return refuse(http.StatusBadGateway, err, "Okta refused the authorization code (invalid_grant)")
	case "":
		return refuse(http.StatusBadGateway, err, "Okta's token endpoint answered HTTP %d", re.Response.StatusCode)
	}
	return refuse(http.StatusBadGateway, err, "Okta's token endpoint refused the code exchange (%s)", re.ErrorCode)
}

// countKeys fetches a JWKS and counts its signing keys (use "sig" or no use).
func countKeys(ctx context.Context, client *http.Client, jwksURL string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, jwksURL, nil)
	if err != nil {
		return 0, fmt.Errorf("fetch jwks: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("fetch jwks: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("fetch jwks: HTTP %d", resp.StatusCode)
	}
	var set struct {
		Keys []struct {
			Use string `json:"use"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&set); err != nil {
		return 0, fmt.Errorf("read jwks: %w", err)
	}
	n := 0
	for _, k := range set.Keys {
		if k.Use == "" || k.Use == "sig" {
			n++
		}
	}
	return n, nil
}
