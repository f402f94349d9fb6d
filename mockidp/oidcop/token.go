package oidcop

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

// grant is what an authorization code stands for.
type grant struct {
	ClientID, RedirectURI, UserID string
	Scopes                        []string
	Nonce, CodeChallenge          string
	AuthTime, Expires             time.Time
}

func (p *Provider) newCode(req *authRequest, sess *session) (string, error) {
	code, err := p.randomToken(32)
	if err != nil {
		return "", err
	}
	g := &grant{ClientID: req.ClientID, RedirectURI: req.RedirectURI, UserID: sess.UserID,
		Scopes: req.Scopes, Nonce: req.Nonce, CodeChallenge: req.CodeChallenge,
		AuthTime: sess.AuthTime, Expires: p.cfg.Now().Add(CodeLifetime)}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.codes[code] = g
	return code, nil
}

// redeemCode removes the code (codes are single-use, whatever happens next)
// and returns its grant if it has not expired.
func (p *Provider) redeemCode(code string) (*grant, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	g, ok := p.codes[code]
	delete(p.codes, code)
	if !ok || !p.cfg.Now().Before(g.Expires) {
		return nil, false
	}
	return g, true
}

// tokenResponse is Okta's /token success body.
type tokenResponse struct {
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	AccessToken string `json:"access_token"`
	Scope       string `json:"scope"`
	IDToken     string `json:"id_token,omitempty"`
}

func (p *Provider) handleToken(w http.ResponseWriter, r *http.Request) {
	resp, err := p.token(r)
	if err != nil {
		p.writeJSONError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-cache, no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, resp)
}

func (p *Provider) token(r *http.Request) (*tokenResponse, error) {
	if err := r.ParseForm(); err != nil {
		return nil, errMissingGrantType.withCause(err)
	}
	app, err := p.authenticateClient(r)
	if err != nil {
		return nil, err
	}
	switch gt := r.PostForm.Get("grant_type"); gt {
	case "":
		return nil, errMissingGrantType
	case "authorization_code":
	default:
		return nil, errUnsupportedGrant
	}
	g, err := p.checkCode(r.PostForm, app)
	if err != nil {
		return nil, err
	}
	user, ok := p.cfg.Directory.User(g.UserID)
	if !ok || user.Status != directory.StatusActive || !p.cfg.Directory.IsAssigned(app.ID, user.ID) {
		return nil, errInvalidCode
	}
	resp, err := p.issueTokens(app, user, g)
	if err != nil {
		return nil, err
	}
	p.cfg.Logger.InfoContext(r.Context(), "tokens issued", "client_id", app.ClientID, "user_id", user.ID)
	return resp, nil
}

// checkCode redeems the code and checks its bindings: client, redirect URI
// and PKCE verifier.
func (p *Provider) checkCode(form url.Values, app directory.App) (*grant, error) {
	code := form.Get("code")
	if code == "" {
		return nil, errMissingCode
	}
	g, ok := p.redeemCode(code)
	switch {
	case !ok:
		return nil, errInvalidCode
	case g.ClientID != app.ClientID:
		return nil, errMismatchedClient
	case form.Get("redirect_uri") != g.RedirectURI:
		return nil, errMismatchedRedirect
	}
	verifier := form.Get("code_verifier")
	switch {
	case g.CodeChallenge == "" && verifier != "":
		return nil, errPKCENoChallenge
	case g.CodeChallenge != "" && verifier == "":
		return nil, errPKCEMissingVerifier
	case g.CodeChallenge != "":
		sum := sha256.Sum256([]byte(verifier))
		if subtle.ConstantTimeCompare([]byte(b64(sum[:])), []byte(g.CodeChallenge)) != 1 {
			return nil, errPKCEFailed
		}
	}
	return g, nil
}

// authenticateClient implements client_secret_basic (id and secret
// form-urlencoded inside the Basic credentials, RFC 6749 2.3.1) and
// client_secret_post.
func (p *Provider) authenticateClient(r *http.Request) (directory.App, error) {
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if h := r.Header.Get("Authorization"); h != "" {
		if secret != "" {
			return directory.App{}, errMultipleCredentials
		}
		bid, bsecret, ok := parseBasic(h)
		if !ok {
			return directory.App{}, errInvalidBasicAuth
		}
		if id != "" && id != bid {
			return directory.App{}, errClientAuthFailed
		}
		id, secret = bid, bsecret
	}
	if id == "" {
		return directory.App{}, errMissingCredentials
	}
	app, ok := p.cfg.Directory.AppByClientID(id)
	if !ok || secret == "" || subtle.ConstantTimeCompare([]byte(secret), []byte(app.ClientSecret)) != 1 {
		return directory.App{}, errClientAuthFailed
	}
	return app, nil
}

// parseBasic decodes "Basic base64(urlenc(id):urlenc(secret))".
func parseBasic(h string) (id, secret string, ok bool) {
	scheme, cred, found := strings.Cut(h, " ")
	if !found || !strings.EqualFold(scheme, "Basic") {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
	if err != nil {
		return "", "", false
	}
	rawID, rawSecret, found := strings.Cut(string(raw), ":")
	if !found {
		return "", "", false
	}
	if id, err = url.QueryUnescape(rawID); err != nil {
		return "", "", false
	}
	if secret, err = url.QueryUnescape(rawSecret); err != nil {
		return "", "", false
	}
	return id, secret, true
}
