package oidcop

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

// accessTokenClaims is an access token as the provider reads it back.
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

func (p *Provider) issueTokens(as *authServer, app directory.App, user directory.User, g *grant) (*tokenResponse, error) {
	_, _, accessKey, err := as.keys.keys()
	if err != nil {
		return nil, err
	}
	now := p.cfg.Now()
	atJTI, err := p.randomToken(32)
	if err != nil {
		return nil, err
	}
	// Member order of a real Okta access token.
	at := accessTokenClaims{Ver: 1, Jti: "AT." + atJTI, Iss: as.issuer, Aud: as.audience(),
		Iat: now.Unix(), Exp: now.Add(TokenLifetime).Unix(), Cid: app.ClientID, UID: user.ID,
		Scp: g.Scopes, AuthTime: g.AuthTime.Unix(), Sub: user.Login}
	accessToken, err := signClaims(signSpec{Key: accessKey}, at)
	if err != nil {
		return nil, err
	}
	resp := &tokenResponse{TokenType: "Bearer", ExpiresIn: int(TokenLifetime.Seconds()),
		AccessToken: accessToken, Scope: strings.Join(g.Scopes, " ")}
	if app.HasFault(FaultTokenTypeNotBearer) {
		resp.TokenType = "MAC"
	}
	if app.HasFault(FaultNoIDToken) {
		return resp, nil
	}
	id, err := p.idTokenClaims(as, app, user, g, accessToken)
	if err != nil {
		return nil, err
	}
	applyClaimFaults(app, id, now)
	spec, err := idTokenSignSpec(as, app)
	if err != nil {
		return nil, err
	}
	if resp.IDToken, err = signClaims(spec, id); err != nil {
		return nil, err
	}
	return resp, nil
}

// idTokenClaims is Okta's "thin" ID token (an access token is issued with
// it): the base claims plus email (email scope) and name and
// preferred_username (profile scope), in the member order of a real token.
func (p *Provider) idTokenClaims(as *authServer, app directory.App, user directory.User, g *grant, accessToken string) (*claims, error) {
	jti, err := p.randomToken(32)
	if err != nil {
		return nil, err
	}
	now := p.cfg.Now()
	profile, email := slices.Contains(g.Scopes, "profile"), slices.Contains(g.Scopes, "email")
	c := newClaims().set("sub", user.ID)
	if profile {
		c.set("name", user.DisplayName())
	}
	if email {
		c.set("email", user.Email)
	}
	c.set("ver", 1).set("iss", as.issuer).set("aud", app.ClientID).set("iat", now.Unix()).
		set("exp", now.Add(TokenLifetime).Unix()).set("jti", "ID."+jti).set("amr", g.amr()).
		set("idp", p.cfg.OrgID)
	if g.Nonce != "" {
		c.set("nonce", g.Nonce)
	}
	if profile {
		c.set("preferred_username", user.Login)
	}
	c.set("auth_time", g.AuthTime.Unix()).set("at_hash", atHash(accessToken))
	return c, nil
}

func signClaims(spec signSpec, v any) (string, error) {
	payload, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("marshal claims: %w", err)
	}
	return signJWS(spec, payload)
}

// atHash is OIDC Core 3.1.3.6's at_hash for RS256.
func atHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return b64(sum[:len(sum)/2])
}

// verifyAccessToken checks one of as's access tokens: signature, issuer,
// audience, expiry and revocation.
func (p *Provider) verifyAccessToken(as *authServer, raw string) (*accessTokenClaims, error) {
	if _, _, _, err := as.keys.keys(); err != nil {
		return nil, err
	}
	payload, err := verifyRS256(raw, as.keys.accessTokenKey)
	if err != nil {
		return nil, err
	}
	var c accessTokenClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, fmt.Errorf("decode access token: %w", err)
	}
	switch {
	case c.Iss != as.issuer || c.Aud != as.audience():
		return nil, errors.New("issuer or audience mismatch")
	case p.cfg.Now().Unix() >= c.Exp:
		return nil, errors.New("expired")
	case p.isRevoked(c.Jti):
		return nil, errors.New("revoked")
	}
	return &c, nil
}

func (p *Provider) isRevoked(jti string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.revoked[jti]
	return ok
}
