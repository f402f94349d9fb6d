package oidcop

import (
	"net/http"
	"slices"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/oktaui"
	"github.com/ssoconform/ssoconform/mockidp/session"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// amrMFA are the amr values a TOTP second factor adds to the session's "pwd" (RFC 8176: "mfa" for more
// than one factor, "otp" for a one-time password), as Okta reports them.
var amrMFA = []string{"mfa", "otp"}

// needsMFA reports whether the app's sign-on rule asks for a second factor the session has not passed.
func needsMFA(app directory.App, s session.Session) bool {
	return app.RequireMFA && !slices.Contains(s.AMR, "mfa")
}

// renderMFA shows the second-factor page for the pending /authorize request.
func (p *Provider) renderMFA(w http.ResponseWriter, status int, req *authRequest, errMsg string) {
	w.Header().Set("Cache-Control", "no-cache, no-store")
	p.renderPage(w, status, oktaui.MFA{OrgName: p.cfg.OrgName, Action: p.orgPath(PathMFA), Error: errMsg,
		Hidden: []oktaui.Field{{Name: "fromURI", Value: p.orgPath(req.as.prefix+"/v1/authorize") + "?" + req.query.Encode()}}})
}

// handleMFA checks the code of the second-factor page against the session user's TOTP secret; a right
// code adds "mfa" and "otp" to the session's methods and completes the authorization. A user without a
// factor cannot pass (the mock has no enrolment flow).
func (p *Provider) handleMFA(w http.ResponseWriter, r *http.Request) {
	req, app, ok := p.formRequest(w, r)
	if !ok {
		return
	}
	sess, ok := p.currentSession(r)
	if !ok {
		p.renderLogin(w, http.StatusOK, req, "", "")
		return
	}
	user, _ := p.cfg.Directory.User(sess.UserID)
	if user.TOTPSecret == "" || !session.VerifyTOTP(user.TOTPSecret, r.PostForm.Get("answer"), p.cfg.Now()) {
		p.logEvent(r, syslog.Event{EventType: "user.authentication.auth_via_mfa", DisplayMessage: "Authentication of user via MFA",
			Actor: syslog.UserActor(user.ID, user.Login, user.DisplayName()), Outcome: syslog.Failure("INVALID_CREDENTIALS")})
		p.renderMFA(w, http.StatusUnauthorized, req, "Your code doesn't match our records. Please try again.")
		return
	}
	p.sessions.AddFactors(sess.ID, amrMFA...)
	if sess, ok = p.currentSession(r); !ok { // ended meanwhile
		p.renderLogin(w, http.StatusOK, req, "", "")
		return
	}
	p.logEvent(r, syslog.Event{EventType: "user.authentication.auth_via_mfa", DisplayMessage: "Authentication of user via MFA",
		Actor: syslog.UserActor(user.ID, user.Login, user.DisplayName()), Outcome: syslog.Success()})
	p.finishAuthorize(w, r, req, app, sess)
}
