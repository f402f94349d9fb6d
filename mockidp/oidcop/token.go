package oidcop

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"net/url"
	"time"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/session"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// grant is what an authorization code stands for.
type grant struct {
	as                            *authServer
	ClientID, RedirectURI, UserID string
	Scopes                        []string
	Nonce, CodeChallenge          string
	AuthTime, Expires             time.Time
	AMR                           []string // the session's authentication methods
	reusable                      bool     // FaultCodeReusable: not deleted on redemption
}

func (p *Provider) newCode(req *authRequest, sess session.Session, app directory.App) (string, error) {
	code, err := p.randomToken(32)
	if err != nil {
		return "", err
	}
	g := &grant{as: req.as, ClientID: req.ClientID, RedirectURI: req.RedirectURI, UserID: sess.UserID,
		Scopes: req.Scopes, Nonce: req.Nonce, CodeChallenge: req.CodeChallenge, AMR: sess.AMR,
		AuthTime: sess.AuthTime, Expires: p.cfg.Now().Add(CodeLifetime),
		reusable: app.HasFault(FaultCodeReusable)}
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
	if !ok || !g.reusable {
		delete(p.codes, code)
	}
	if !ok || !p.cfg.Now().Before(g.Expires) {
		delete(p.codes, code)
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

func (p *Provider) handleToken(w http.ResponseWriter, r *http.Request, as *authServer) {
	resp, err := p.token(r, as)
	if err != nil {
		e := asOAuth(err)
		p.logEvent(r, syslog.Event{EventType: syslog.TypeOAuthTokenRefused, DisplayMessage: "OAuth2 token request refused",
			Actor:   syslog.Actor{ID: r.PostForm.Get("client_id"), Type: "PublicClientApp"},
			Outcome: syslog.Failure(e.Code), Debug: map[string]string{"error_description": e.Description}})
		p.writeJSONError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-cache, no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, resp)
}

func (p *Provider) token(r *http.Request, as *authServer) (*tokenResponse, error) {
	form, err := parseClientForm(r)
	if err != nil {
		return nil, err
	}
	app, err := p.authenticateClient(r, form, p.endpoint(as, "/token"))
	if err != nil {
		return nil, err
	}
	switch gt := form.Get("grant_type"); gt {
	case "":
		return nil, errMissingGrantType
	case "authorization_code":
	default:
		return nil, errUnsupportedGrant
	}
	g, err := p.checkCode(form, app, as)
	if err != nil {
		return nil, err
	}
	user, ok := p.cfg.Directory.User(g.UserID)
	if !ok || user.Status != directory.StatusActive || !p.cfg.Directory.IsAssigned(app.ID, user.ID) {
		return nil, errInvalidCode
	}
	resp, err := p.issueTokens(as, app, user, g)
	if err != nil {
		return nil, err
	}
	p.logEvent(r, syslog.Event{EventType: syslog.TypeOAuthTokenGrant, DisplayMessage: "OAuth2 access token is granted",
		Actor:   syslog.Actor{ID: app.ClientID, Type: "PublicClientApp", AlternateID: app.Label, DisplayName: app.Label},
		Outcome: syslog.Success(), Targets: []syslog.Target{{ID: user.ID, Type: "User", AlternateID: user.Login,
			DisplayName: user.DisplayName()}}, Debug: map[string]string{"grantType": "authorization_code", "issuer": as.issuer}})
	p.cfg.Logger.InfoContext(r.Context(), "tokens issued", "client_id", app.ClientID, "user_id", user.ID)
	return resp, nil
}

// parseClientForm parses the body of a client-authenticated POST (token,
// introspect, revoke) and applies Okta's request checks: no credentials in
// the query string, no parameter twice.
func parseClientForm(r *http.Request) (url.Values, error) {
	if err := r.ParseForm(); err != nil {
		return nil, errMissingGrantType.withCause(err)
	}
	q := r.URL.Query()
	if q.Has("client_secret") || q.Has("client_assertion") {
		return nil, errCredentialsInQuery
	}
	for _, vs := range r.PostForm {
		if len(vs) > 1 {
			return nil, errDuplicateParams
		}
	}
	return r.PostForm, nil
}

// checkCode redeems the code and checks its bindings: server, client,
// redirect URI and PKCE verifier.
func (p *Provider) checkCode(form url.Values, app directory.App, as *authServer) (*grant, error) {
	code := form.Get("code")
	if code == "" {
		return nil, errMissingCode
	}
	g, ok := p.redeemCode(code)
	switch {
	case !ok || g.as != as:
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

// amr is the grant's amr claim: the session's methods, "pwd" when it recorded none.
func (g *grant) amr() []string {
	if len(g.AMR) == 0 {
		return []string{"pwd"}
	}
	return g.AMR
}
