package oidcrp

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// redeem exchanges the code, verifies the ID token and extracts the identity.
func (rp *RP) redeem(ctx context.Context, a store.LoginAttempt, c Connection, code string) (Identity, error) {
	cctx := rp.clientCtx(ctx)
	p, err := Discover(cctx, rp.cfg.HTTPClient, c.Issuer)
	if err != nil {
		return Identity{}, refuse(http.StatusBadGateway, err, "Could not reach Okta's OpenID configuration for this organization")
	}
	tok, err := rp.oauthConfig(p, c).Exchange(cctx, code, oauth2.VerifierOption(a.PKCEVerifier))
	if err != nil {
		return Identity{}, tokenError(err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return Identity{}, refuse(http.StatusBadGateway, nil, "Okta's token response has no ID token")
	}
	v := p.VerifierContext(cctx, &oidc.Config{ClientID: c.ClientID, Now: rp.cfg.Now})
	idt, err := v.Verify(cctx, raw)
	if err != nil {
		var expired *oidc.TokenExpiredError
		if errors.As(err, &expired) {
			return Identity{}, refuse(http.StatusBadGateway, err, "The ID token from Okta has expired")
		}
		return Identity{}, refuse(http.StatusBadGateway, err, "The ID token from Okta is invalid (%s)", publicVerifyReason(err))
	}
	if idt.Nonce != a.Nonce {
		return Identity{}, refuse(http.StatusBadGateway, nil, "The ID token from Okta carries the wrong nonce")
	}
	return identity(a.OrgID, idt)
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
	Email         string          `json:"email"`
	EmailVerified json.RawMessage `json:"email_verified"`
	Name          string          `json:"name"`
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
	return Identity{OrgID: orgID, Issuer: idt.Issuer, Subject: idt.Subject, Email: cl.Email, Name: cl.Name}, nil
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
