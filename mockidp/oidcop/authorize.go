package oidcop

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/session"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// authRequest is a parsed /authorize request.
type authRequest struct {
	as                                                *authServer
	ClientID, RedirectURI, ResponseType, ResponseMode string
	Scopes                                            []string
	RawScope                                          string
	State, Nonce, Prompt, LoginHint, MaxAge           string
	CodeChallenge, CodeChallengeMethod                string
	query                                             url.Values
}

func parseAuthRequest(as *authServer, q url.Values) *authRequest {
	return &authRequest{
		as: as, ClientID: q.Get("client_id"), RedirectURI: q.Get("redirect_uri"),
		ResponseType: q.Get("response_type"), ResponseMode: q.Get("response_mode"),
		Scopes: strings.Fields(q.Get("scope")), RawScope: q.Get("scope"), State: q.Get("state"),
		Nonce: q.Get("nonce"), Prompt: q.Get("prompt"), LoginHint: q.Get("login_hint"),
		MaxAge: q.Get("max_age"), CodeChallenge: q.Get("code_challenge"),
		CodeChallengeMethod: q.Get("code_challenge_method"), query: q,
	}
}

// maxScopeLength is Okta's limit on the scope parameter.
const maxScopeLength = 1024

// knownScopes are the scopes both servers know.
var knownScopes = []string{"openid", "profile", "email", "address", "phone", "offline_access", "groups"}

// validPrompts are Okta's prompt values.
var validPrompts = []string{"", "none", "login", "consent", "login consent", "consent login"}

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
func checkParams(req *authRequest, app directory.App) error {
	types := strings.Fields(req.ResponseType)
	tokens := slices.Contains(types, "id_token") || slices.Contains(types, "token")
	switch {
	case tokens && req.Nonce == "":
		return errInvalidNonce
	case req.ResponseType != "code":
		return errUnsupportedResponseType
	case req.ResponseMode == "okta_post_message":
		return errOktaPostMessageWithCode
	case !slices.Contains([]string{"", "query", "fragment", "form_post"}, req.ResponseMode):
		return errUnsupportedResponseMode
	case req.State == "":
		return errInvalidState
	case len(req.Scopes) == 0 || !slices.Contains(req.Scopes, "openid"):
		return errOpenIDScopeRequired
	case len(req.RawScope) > maxScopeLength:
		return errInvalidScope
	}
	for _, s := range req.Scopes {
		if !slices.Contains(knownScopes, s) {
			return errInvalidScope
		}
	}
	if err := checkPromptAndMaxAge(req); err != nil {
		return err
	}
	if req.CodeChallenge != "" || req.CodeChallengeMethod != "" {
		if req.CodeChallengeMethod != "S256" {
			return errPKCEMethod
		}
		if !pkceChallenge.MatchString(req.CodeChallenge) {
			return errPKCEChallenge
		}
	} else if app.TokenEndpointAuthMethod == authNone {
		return errPKCEMissingChallenge
	}
	return nil
}

func checkPromptAndMaxAge(req *authRequest) error {
	if !slices.Contains(validPrompts, req.Prompt) {
		return errInvalidPrompt
	}
	if req.MaxAge == "" {
		return nil
	}
	n, err := strconv.ParseInt(req.MaxAge, 10, 32)
	switch {
	case err != nil || n < 0:
		return errInvalidMaxAge
	case n == 0 && req.Prompt == "none":
		return errPromptNoneZeroMaxAge
	}
	return nil
}

// validate runs both checks; pageErr must be rendered, redirectErr redirected.
func (p *Provider) validate(req *authRequest) (app directory.App, pageErr, redirectErr error) {
	app, err := p.checkClient(req)
	if err != nil {
		return app, err, nil
	}
	return app, nil, checkParams(req, app)
}

func (p *Provider) handleAuthorize(w http.ResponseWriter, r *http.Request, as *authServer) {
	req := parseAuthRequest(as, r.URL.Query())
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
	fresh := ok && !tooOld(sess, req.MaxAge, p.cfg.Now())
	switch {
	case fresh && !strings.Contains(req.Prompt, "login") && needsMFA(app, sess) && req.Prompt == "none":
		p.redirectError(w, r, req, errMFARequired)
	case fresh && !strings.Contains(req.Prompt, "login") && needsMFA(app, sess):
		p.renderMFA(w, http.StatusOK, req, "")
	case fresh && !strings.Contains(req.Prompt, "login"):
		p.finishAuthorize(w, r, req, app, sess)
	case req.Prompt == "none":
		p.redirectError(w, r, req, errLoginRequired)
	default:
		p.renderLogin(w, http.StatusOK, req, req.LoginHint, "")
	}
}

// tooOld reports whether a max_age asks for a sign-in newer than the session's.
func tooOld(s session.Session, maxAge string, now time.Time) bool {
	if maxAge == "" {
		return false
	}
	n, err := strconv.ParseInt(maxAge, 10, 32)
	if err != nil {
		return true
	}
	return now.Sub(s.AuthTime) > time.Duration(n)*time.Second
}

// finishAuthorize issues a code for a signed-in user, or refuses one who is
// not assigned to the app.
func (p *Provider) finishAuthorize(w http.ResponseWriter, r *http.Request, req *authRequest, app directory.App, sess session.Session) {
	user, _ := p.cfg.Directory.User(sess.UserID)
	actor := syslog.UserActor(user.ID, user.Login, user.DisplayName())
	target := syslog.AppTarget(app.ID, app.Label)
	if !p.cfg.Directory.IsAssigned(app.ID, sess.UserID) {
		p.logEvent(r, syslog.Event{EventType: syslog.TypeUnauthAppAccess, Actor: actor,
			Outcome: syslog.Deny("User is not assigned to the client application."), Targets: []syslog.Target{target},
			DisplayMessage: "User attempted unauthorized access to app"})
		p.redirectError(w, r, req, errUserNotAssigned)
		return
	}
	code, err := p.newCode(req, sess, app)
	if err != nil {
		p.redirectError(w, r, req, err)
		return
	}
	p.logEvent(r, syslog.Event{EventType: syslog.TypeSSO, Actor: actor, Outcome: syslog.Success(),
		Targets: []syslog.Target{target}, DisplayMessage: "User single sign on to app"})
	p.cfg.Logger.InfoContext(r.Context(), "authorization code issued", "client_id", app.ClientID, "user_id", sess.UserID)
	params := url.Values{"code": {code}, "state": {req.State}}
	switch {
	case app.HasFault(FaultStateMissing):
		params.Del("state")
	case app.HasFault(FaultStateWrong):
		params.Set("state", req.State+"1")
	}
	if app.HasFault(FaultAuthzIssWrong) {
		params.Set("iss", req.as.issuer+"1")
	}
	p.deliver(w, req, params)
}

// deliver sends an authorization response to the client's redirect URI in
// the requested response mode.
func (p *Provider) deliver(w http.ResponseWriter, req *authRequest, v url.Values) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-cache, no-store")
	w.Header().Set("Pragma", "no-cache")
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
