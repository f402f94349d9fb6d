package samlidp

import (
	"encoding/base64"
	"io"
	"net/http"
	"strings"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/oktaui"
	"github.com/ssoconform/ssoconform/mockidp/session"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// authnRequestFor resolves the app named by the path and the AuthnRequest the request carries (either
// binding, or the hidden fields of our own login and MFA pages); on failure it has written the error page.
func (p *IdP) authnRequestFor(w http.ResponseWriter, r *http.Request) (directory.App, *authnRequest, bool) {
	app, e := p.appFor(r)
	if e != nil {
		p.writeError(w, r, e)
		return directory.App{}, nil, false
	}
	raw, relayState, err := readRequest(r)
	if err != nil {
		p.writeError(w, r, errMalformedRequest.withCause(err))
		return directory.App{}, nil, false
	}
	req, e := parseRequest(app, raw, relayState)
	if e != nil {
		p.writeError(w, r, e)
		return directory.App{}, nil, false
	}
	return app, req, true
}

// appFor resolves the app named by the request path.
func (p *IdP) appFor(r *http.Request) (directory.App, *Error) {
	app, ok := p.cfg.Directory.AppByExternalKey(r.PathValue("exk"))
	if !ok || app.SAML == nil || app.SAML.AppName != r.PathValue("app") {
		return directory.App{}, errAppNotFound
	}
	return app, nil
}

// handleSSO receives an AuthnRequest (HTTP-Redirect or HTTP-POST binding) and answers it, after the
// login page when there is no IdP session or the request says ForceAuthn.
func (p *IdP) handleSSO(w http.ResponseWriter, r *http.Request) {
	app, req, ok := p.authnRequestFor(w, r)
	if !ok {
		return
	}
	if sess, ok := p.currentSession(r); ok && !req.ForceAuthn {
		if needsMFA(app, sess) {
			p.renderMFA(w, http.StatusOK, app, req, "")
			return
		}
		p.finish(w, r, app, req, sess)
		return
	}
	p.renderLogin(w, http.StatusOK, app, req, "", "")
}

// handleSignIn handles the login form: it re-validates the AuthnRequest it carries, checks the
// credentials, starts the IdP session and answers the request.
func (p *IdP) handleSignIn(w http.ResponseWriter, r *http.Request) {
	app, req, ok := p.authnRequestFor(w, r)
	if !ok {
		return
	}
	username := r.PostForm.Get("username")
	user, ok := p.cfg.Directory.Authenticate(username, r.PostForm.Get("password"))
	if !ok {
		p.cfg.Logger.InfoContext(r.Context(), "saml sign-in failed", "username", username)
		p.cfg.SystemLog.Append(r.Context(), syslog.Event{EventType: syslog.TypeSessionStart,
			DisplayMessage: "User login to Okta", Actor: syslog.Actor{Type: "User", AlternateID: username},
			Outcome: syslog.Failure("INVALID_CREDENTIALS")})
		p.renderLogin(w, http.StatusUnauthorized, app, req, username, "Unable to sign in")
		return
	}
	sess, err := p.startSession(w, user.ID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.cfg.SystemLog.Append(r.Context(), syslog.Event{EventType: syslog.TypeSessionStart,
		DisplayMessage: "User login to Okta", Actor: syslog.UserActor(user.ID, user.Login, user.DisplayName()),
		Outcome: syslog.Success()})
	if needsMFA(app, sess) {
		p.renderMFA(w, http.StatusOK, app, req, "")
		return
	}
	p.finish(w, r, app, req, sess)
}

// finish answers an AuthnRequest for a signed-in user: the 403 page when the user is not assigned to
// the app, otherwise the auto-submitting form that posts the SAMLResponse to the ACS.
func (p *IdP) finish(w http.ResponseWriter, r *http.Request, app directory.App, req *authnRequest, sess session.Session) {
	user, _ := p.cfg.Directory.User(sess.UserID) // currentSession / Authenticate checked it exists
	actor := syslog.UserActor(user.ID, user.Login, user.DisplayName())
	target := []syslog.Target{syslog.AppTarget(app.ID, app.Label)}
	asg, assigned := p.cfg.Directory.Assignment(app.ID, user.ID)
	if !assigned {
		p.cfg.SystemLog.Append(r.Context(), syslog.Event{EventType: syslog.TypeUnauthAppAccess,
			DisplayMessage: "User attempted unauthorized access to app", Actor: actor, Targets: target,
			Outcome: syslog.Deny("User not assigned to app")})
		p.writeError(w, r, errNotAssigned(app.Label))
		return
	}
	out, err := p.respond(app, user, asg, req, sess.AuthTime)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.sessions.AddSAMLApp(sess.ID, app.ID)
	p.cfg.SystemLog.Append(r.Context(), syslog.Event{EventType: syslog.TypeSSO,
		DisplayMessage: "User single sign on to app", Actor: actor, Targets: target, Outcome: syslog.Success(),
		Debug: map[string]string{"protocol": "SAML2", "acs": req.ACS, "faults": strings.Join(app.Faults, ",")}})
	p.cfg.Logger.InfoContext(r.Context(), "saml response sent", "app", app.ID, "user_id", user.ID,
		"faults", strings.Join(app.Faults, ","))
	p.renderPage(w, http.StatusOK, postPage{Action: req.ACS, SAMLResponse: out, RelayState: req.RelayState})
}

func (p *IdP) renderLogin(w http.ResponseWriter, status int, app directory.App, req *authnRequest, username, errMsg string) {
	p.renderPage(w, status, oktaui.Login{
		OrgName: p.cfg.OrgName,
		Action:  p.abs("/app/" + app.SAML.AppName + "/" + app.SAML.ExternalKey + "/sso/saml/signin"),
		Hidden: []oktaui.Field{{Name: "SAMLRequest", Value: base64.StdEncoding.EncodeToString(req.raw)},
			{Name: "RelayState", Value: req.RelayState}},
		Username: username,
		Error:    errMsg,
	})
}

// currentSession returns the org's live IdP session of the request, when its user is still ACTIVE.
func (p *IdP) currentSession(r *http.Request) (session.Session, bool) {
	s, ok := p.sessions.Current(r)
	if !ok {
		return session.Session{}, false
	}
	if u, found := p.cfg.Directory.User(s.UserID); !found || u.Status != directory.StatusActive {
		return session.Session{}, false
	}
	return s, true
}

// startSession starts the org's IdP session after a password sign-in.
func (p *IdP) startSession(w http.ResponseWriter, userID string) (session.Session, error) {
	return p.sessions.Start(w, userID, []string{"pwd"})
}

// handleProbe counts fetches of the saml-xxe fault's external entity.
func (p *IdP) handleProbe(w http.ResponseWriter, r *http.Request) {
	exk := r.PathValue("exk")
	p.mu.Lock()
	p.probes[exk]++
	p.mu.Unlock()
	p.cfg.Logger.WarnContext(r.Context(), "saml xxe probe fetched: a service provider resolved an external entity", "exk", exk)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, "xxe-probe")
}
