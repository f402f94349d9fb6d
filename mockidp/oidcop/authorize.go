package oidcop

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

// authRequest is a parsed /authorize request.
type authRequest struct {
	ClientID, RedirectURI, ResponseType, ResponseMode string
	Scopes                                            []string
	State, Nonce, Prompt                              string
	CodeChallenge, CodeChallengeMethod                string
	query                                             url.Values
}

func parseAuthRequest(q url.Values) *authRequest {
	return &authRequest{
		ClientID: q.Get("client_id"), RedirectURI: q.Get("redirect_uri"),
		ResponseType: q.Get("response_type"), ResponseMode: q.Get("response_mode"),
		Scopes: strings.Fields(q.Get("scope")), State: q.Get("state"), Nonce: q.Get("nonce"),
		Prompt: q.Get("prompt"), CodeChallenge: q.Get("code_challenge"),
		CodeChallengeMethod: q.Get("code_challenge_method"), query: q,
	}
}

// knownScopes are the org authorization server's scopes.
var knownScopes = []string{"openid", "profile", "email", "address", "phone", "offline_access", "groups"}

// pkceChallenge is RFC 7636's code_challenge syntax.
var pkceChallenge = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)

// checkClient resolves the client and its redirect URI. Its errors are shown
// on the error page: redirecting to an unverified URI would be an open redirect.
func (p *Provider) checkClient(req *authRequest) (directory.App, error) {
	app, ok := p.cfg.Directory.AppByClientID(req.ClientID)
	if !ok {
		return directory.App{}, errInvalidClientID
	}
	if !slices.Contains(app.RedirectURIs, req.RedirectURI) {
		return directory.App{}, errIllegalRedirectURI
	}
	return app, nil
}

// checkParams validates the rest of the request; its errors are redirected.
func checkParams(req *authRequest) error {
	switch {
	case req.ResponseType != "code":
		return errUnsupportedResponseType
	case !slices.Contains([]string{"", "query", "fragment", "form_post"}, req.ResponseMode):
		return errUnsupportedResponseMode
	case req.State == "":
		return errInvalidState
	case len(req.Scopes) == 0 || !slices.Contains(req.Scopes, "openid"):
		return errOpenIDScopeRequired
	}
	for _, s := range req.Scopes {
		if !slices.Contains(knownScopes, s) {
			return errInvalidScope
		}
	}
	if req.CodeChallenge != "" || req.CodeChallengeMethod != "" {
		if req.CodeChallengeMethod != "S256" {
			return errPKCEMethod
		}
		if !pkceChallenge.MatchString(req.CodeChallenge) {
			return errPKCEChallenge
		}
	}
	return nil
}

// validate runs both checks; pageErr must be rendered, redirectErr redirected.
func (p *Provider) validate(req *authRequest) (app directory.App, pageErr, redirectErr error) {
	app, err := p.checkClient(req)
	if err != nil {
		return app, err, nil
	}
	return app, nil, checkParams(req)
}

func (p *Provider) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	req := parseAuthRequest(r.URL.Query())
	app, pageErr, redirectErr := p.validate(req)
	switch {
	case pageErr != nil:
		p.writeErrorPage(w, r, pageErr)
		return
	case redirectErr != nil:
		p.redirectError(w, r, req, redirectErr)
		return
	}
	sess, ok := p.currentSession(r)
	switch {
	case ok && req.Prompt != "login":
		p.finishAuthorize(w, r, req, app, sess)
	case req.Prompt == "none":
		p.redirectError(w, r, req, errLoginRequired)
	default:
		p.renderLogin(w, http.StatusOK, req, "", "")
	}
}

// finishAuthorize issues a code for a signed-in user, or refuses one who is
// not assigned to the app.
func (p *Provider) finishAuthorize(w http.ResponseWriter, r *http.Request, req *authRequest, app directory.App, sess *session) {
	if !p.cfg.Directory.IsAssigned(app.ID, sess.UserID) {
		p.redirectError(w, r, req, errUserNotAssigned)
		return
	}
	code, err := p.newCode(req, sess)
	if err != nil {
		p.redirectError(w, r, req, err)
		return
	}
	p.cfg.Logger.InfoContext(r.Context(), "authorization code issued", "client_id", app.ClientID, "user_id", sess.UserID)
	p.deliver(w, req, map[string]string{"code": code})
}

// deliver sends an authorization response (params plus state) to the
// client's redirect URI in the requested response mode.
func (p *Provider) deliver(w http.ResponseWriter, req *authRequest, params map[string]string) {
	v := url.Values{}
	for k, val := range params {
		v.Set(k, val)
	}
	if req.State != "" {
		v.Set("state", req.State)
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-cache, no-store")
	switch req.ResponseMode {
	case "form_post":
		p.renderPage(w, http.StatusOK, formPostPage{Action: req.RedirectURI, Params: v})
	case "fragment":
		w.Header().Set("Location", req.RedirectURI+"#"+v.Encode())
		w.WriteHeader(http.StatusFound)
	default:
		sep := "?"
		if strings.Contains(req.RedirectURI, "?") {
			sep = "&"
		}
		w.Header().Set("Location", req.RedirectURI+sep+v.Encode())
		w.WriteHeader(http.StatusFound)
	}
}
