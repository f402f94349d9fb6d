package oidcop

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

// idTokenClaims is Okta's "thin" ID token (an access token is issued with
// it): the base claims plus email (email scope) and name and
// preferred_username (profile scope). Field order follows a real Okta token.
type idTokenClaims struct {
	Sub               string   `json:"sub"`
	Name              string   `json:"name,omitempty"`
	Email             string   `json:"email,omitempty"`
	Ver               int      `json:"ver"`
	Iss               string   `json:"iss"`
	Aud               string   `json:"aud"`
	Iat               int64    `json:"iat"`
	Exp               int64    `json:"exp"`
	Jti               string   `json:"jti"`
	Amr               []string `json:"amr"`
	Idp               string   `json:"idp"`
	Nonce             string   `json:"nonce,omitempty"`
	PreferredUsername string   `json:"preferred_username,omitempty"`
	AuthTime          int64    `json:"auth_time"`
	AtHash            string   `json:"at_hash"`
}

// accessTokenClaims is the org authorization server's access token.
type accessTokenClaims struct {
	Ver      int      `json:"ver"`
	Jti      string   `json:"jti"`
	Iss      string   `json:"iss"`
	Aud      string   `json:"aud"`
	Iat      int64    `json:"iat"`
	Exp      int64    `json:"exp"`
	Cid      string   `json:"cid"`
	UID      string   `json:"uid"`
	Scp      []string `json:"scp"`
	AuthTime int64    `json:"auth_time"`
	Sub      string   `json:"sub"`
}

func (p *Provider) issueTokens(app directory.App, user directory.User, g *grant) (*tokenResponse, error) {
	if err := p.keys.load(); err != nil {
		return nil, err
	}
	now := p.cfg.Now()
	atJTI, err := p.randomToken(32)
	if err != nil {
		return nil, err
	}
	at := accessTokenClaims{Ver: 1, Jti: "AT." + atJTI, Iss: p.cfg.Issuer, Aud: p.cfg.Issuer,
		Iat: now.Unix(), Exp: now.Add(TokenLifetime).Unix(), Cid: app.ClientID, UID: user.ID,
		Scp: g.Scopes, AuthTime: g.AuthTime.Unix(), Sub: user.Login}
	accessToken, err := sign(p.keys.access, at)
	if err != nil {
		return nil, err
	}
	idJTI, err := p.randomToken(32)
	if err != nil {
		return nil, err
	}
	id := idTokenClaims{Sub: user.ID, Ver: 1, Iss: p.cfg.Issuer, Aud: app.ClientID,
		Iat: now.Unix(), Exp: now.Add(TokenLifetime).Unix(), Jti: "ID." + idJTI,
		Amr: []string{"pwd"}, Idp: p.cfg.OrgID, Nonce: g.Nonce, AuthTime: g.AuthTime.Unix(),
		AtHash: atHash(accessToken)}
	if slices.Contains(g.Scopes, "email") {
		id.Email = user.Email
	}
	if slices.Contains(g.Scopes, "profile") {
		id.Name, id.PreferredUsername = user.DisplayName(), user.Login
	}
	idToken, err := sign(p.keys.current, id)
	if err != nil {
		return nil, err
	}
	return &tokenResponse{TokenType: "Bearer", ExpiresIn: int(TokenLifetime.Seconds()),
		AccessToken: accessToken, Scope: strings.Join(g.Scopes, " "), IDToken: idToken}, nil
}

func sign(k *signingKey, claims any) (string, error) {
	s, err := k.signer()
	if err != nil {
		return "", err
	}
	tok, err := jwt.Signed(s).Claims(claims).Serialize()
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return tok, nil
}

// atHash is OIDC Core 3.1.3.6's at_hash for RS256.
func atHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return b64(sum[:len(sum)/2])
}
