package oidcop

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

// introspection is Okta's /introspect body (RFC 7662), in Okta's member
// order; an inactive token is just {"active":false}.
type introspection struct {
	Active    bool   `json:"active"`
	TokenType string `json:"token_type,omitempty"`
	Scope     string `json:"scope,omitempty"`
	ClientID  string `json:"client_id,omitempty"`
	Username  string `json:"username,omitempty"`
	Exp       int64  `json:"exp,omitempty"`
	Iat       int64  `json:"iat,omitempty"`
	Sub       string `json:"sub,omitempty"`
	Aud       string `json:"aud,omitempty"`
	Iss       string `json:"iss,omitempty"`
	Jti       string `json:"jti,omitempty"`
	UID       string `json:"uid,omitempty"`
}

// clientTokenRequest authenticates a client at endpoint ep and returns it
// with the token parameter.
func (p *Provider) clientTokenRequest(r *http.Request, as *authServer, ep string) (directory.App, string, error) {
	form, err := parseClientForm(r)
	if err != nil {
		return directory.App{}, "", err
	}
	app, err := p.authenticateClient(r, form, p.endpoint(as, ep))
	if err != nil {
		return directory.App{}, "", err
	}
	tok := form.Get("token")
	if tok == "" {
		return directory.App{}, "", errMissingToken
	}
	return app, tok, nil
}

func (p *Provider) handleIntrospect(w http.ResponseWriter, r *http.Request, as *authServer) {
	app, tok, err := p.clientTokenRequest(r, as, "/introspect")
	if err != nil {
		p.writeJSONError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-cache, no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, p.introspect(as, app, tok))
}

// introspect describes an access token or ID token that as issued to app.
// Tokens of other clients are reported inactive.
func (p *Provider) introspect(as *authServer, app directory.App, tok string) introspection {
	if c, err := p.verifyAccessToken(as, tok); err == nil {
		u, ok := p.cfg.Directory.User(c.UID)
		if c.Cid != app.ClientID || !ok || u.Status != directory.StatusActive {
			return introspection{}
		}
		return introspection{Active: true, TokenType: "Bearer", Scope: strings.Join(c.Scp, " "),
			ClientID: c.Cid, Username: c.Sub, Exp: c.Exp, Iat: c.Iat, Sub: c.Sub, Aud: c.Aud,
			Iss: c.Iss, Jti: c.Jti, UID: c.UID}
	}
	c, err := p.verifyIDToken(as, tok)
	if err != nil || c.Aud != app.ClientID || p.cfg.Now().Unix() >= c.Exp {
		return introspection{}
	}
	return introspection{Active: true, ClientID: c.Aud, Exp: c.Exp, Iat: c.Iat, Sub: c.Sub,
		Aud: c.Aud, Iss: c.Iss, Jti: c.Jti}
}

// idTokenFields are the ID token claims the provider reads back.
type idTokenFields struct {
	Sub, Iss, Aud, Jti string
	Iat, Exp           int64
}

// verifyIDToken checks the signature and issuer of one of as's ID tokens,
// not its expiry.
func (p *Provider) verifyIDToken(as *authServer, raw string) (*idTokenFields, error) {
	if _, _, _, err := as.keys.keys(); err != nil {
		return nil, err
	}
	payload, err := verifyRS256(raw, as.keys.idTokenKey)
	if err != nil {
		return nil, errIDTokenHintSignature.withCause(err)
	}
	var c idTokenFields
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, errIDTokenHintParse.withCause(err)
	}
	if c.Iss != as.issuer {
		return nil, errIDTokenHintIssuer
	}
	return &c, nil
}

// handleRevoke revokes an access token (RFC 7009). It answers 200 with an
// empty body whatever the token: unknown, expired, an ID token, or another
// client's token, which stays valid (a client may revoke only its own; Okta
// does not tell the caller which case applied).
func (p *Provider) handleRevoke(w http.ResponseWriter, r *http.Request, as *authServer) {
	app, tok, err := p.clientTokenRequest(r, as, "/revoke")
	if err != nil {
		p.writeJSONError(w, r, err)
		return
	}
	if c, err := p.verifyAccessToken(as, tok); err == nil && c.Cid == app.ClientID {
		now := p.cfg.Now()
		p.mu.Lock()
		for jti, exp := range p.revoked {
			if now.After(exp) {
				delete(p.revoked, jti)
			}
		}
		p.revoked[c.Jti] = timeUnix(c.Exp)
		p.mu.Unlock()
		p.cfg.Logger.InfoContext(r.Context(), "access token revoked", "client_id", app.ClientID, "user_id", c.UID)
	}
	w.Header().Set("Cache-Control", "no-cache, no-store")
	w.WriteHeader(http.StatusOK)
}
