package oidcop

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/oktaui"
	"github.com/ssoconform/ssoconform/mockidp/session"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// currentSession returns the org's live IdP session of the request, when its user still exists.
func (p *Provider) currentSession(r *http.Request) (session.Session, bool) {
	s, ok := p.sessions.Current(r)
	if !ok {
		return session.Session{}, false
	}
	if _, ok := p.cfg.Directory.User(s.UserID); !ok {
		return session.Session{}, false
	}
	return s, true
}

// startSession starts the org's IdP session after a password sign-in.
func (p *Provider) startSession(w http.ResponseWriter, userID string) (session.Session, error) {
	return p.sessions.Start(w, userID, []string{"pwd"})
}

func (p *Provider) secure() bool { return len(p.cfg.Issuer) > 8 && p.cfg.Issuer[:8] == "https://" }

// handleSignIn handles the login page's form: it re-validates the original
// /authorize request carried in fromURI, checks the credentials, starts the
// IdP session and completes the authorization.
func (p *Provider) handleSignIn(w http.ResponseWriter, r *http.Request) {
	req, app, ok := p.formRequest(w, r)
	if !ok {
		return
	}
	username := r.PostForm.Get("username")
	user, ok := p.cfg.Directory.Authenticate(username, r.PostForm.Get("password"))
	if !ok {
		p.cfg.Logger.InfoContext(r.Context(), "sign-in failed", "username", username)
		p.logEvent(r, syslog.Event{EventType: syslog.TypeSessionStart, DisplayMessage: "User login to Okta",
			Actor:   syslog.Actor{Type: "User", AlternateID: username, DisplayName: "Unknown"},
			Outcome: syslog.Failure("INVALID_CREDENTIALS")})
		p.renderLogin(w, http.StatusUnauthorized, req, username, "Unable to sign in")
		return
	}
	p.logEvent(r, syslog.Event{EventType: syslog.TypeSessionStart, DisplayMessage: "User login to Okta",
		Actor: syslog.UserActor(user.ID, user.Login, user.DisplayName()), Outcome: syslog.Success()})
	sess, err := p.startSession(w, user.ID)
	if err != nil {
		p.redirectError(w, r, req, err)
		return
	}
	p.cfg.Logger.InfoContext(r.Context(), "signed in", "user_id", user.ID)
	if needsMFA(app, sess) {
		p.renderMFA(w, http.StatusOK, req, "")
		return
	}
	p.finishAuthorize(w, r, req, app, sess)
}

// formRequest re-validates the /authorize request that our login and MFA pages carry in fromURI; on
// failure it has answered (an error page, or a redirect back to the client for errors it may see).
func (p *Provider) formRequest(w http.ResponseWriter, r *http.Request) (*authRequest, directory.App, bool) {
	if err := r.ParseForm(); err != nil {
		p.writeErrorPage(w, r, errInvalidClientID.withCause(err))
		return nil, directory.App{}, false
	}
	req, ok := p.requestFromURI(r.PostForm.Get("fromURI"))
	if !ok {
		p.writeErrorPage(w, r, errInvalidClientID)
		return nil, directory.App{}, false
	}
	app, pageErr, redirectErr := p.validate(req)
	switch {
	case pageErr != nil:
		p.writeErrorPage(w, r, pageErr)
		return nil, directory.App{}, false
	case redirectErr != nil:
		p.redirectError(w, r, req, redirectErr)
		return nil, directory.App{}, false
	}
	return req, app, true
}

// requestFromURI parses the /authorize URL the login form carries.
func (p *Provider) requestFromURI(from string) (*authRequest, bool) {
	u, err := url.Parse(from)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return nil, false
	}
	rel, ok := strings.CutPrefix(u.Path, strings.TrimSuffix(p.cookiePath, "/"))
	if !ok {
		return nil, false
	}
	as, ok := p.serverForAuthorizePath(rel)
	if !ok {
		return nil, false
	}
	return parseAuthRequest(as, u.Query()), true
}

func (p *Provider) renderLogin(w http.ResponseWriter, status int, req *authRequest, username, errMsg string) {
	w.Header().Set("Cache-Control", "no-cache, no-store")
	p.renderPage(w, status, oktaui.Login{
		OrgName:  p.cfg.OrgName,
		Action:   p.signInPath(),
		Hidden:   []oktaui.Field{{Name: "fromURI", Value: p.orgPath(req.as.prefix+"/v1/authorize") + "?" + req.query.Encode()}},
		Username: username,
		Error:    errMsg,
	})
}

func (p *Provider) signInPath() string { return p.orgPath(PathSignIn) }
