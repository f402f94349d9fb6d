package samlidp

import (
	"encoding/base64"
	"net/http"
	"slices"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/oktaui"
	"github.com/ssoconform/ssoconform/mockidp/session"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// needsMFA reports whether the app's sign-on rule asks for a second factor the session has not passed.
// Passing it adds "mfa" and "otp" to the org's session (which OIDC apps read as amr); the assertion's
// AuthnContextClassRef stays PasswordProtectedTransport, as Okta sends by default.
func needsMFA(app directory.App, s session.Session) bool {
	return app.RequireMFA && !slices.Contains(s.AMR, "mfa")
}

func (p *IdP) renderMFA(w http.ResponseWriter, status int, app directory.App, req *authnRequest, errMsg string) {
	p.renderPage(w, status, oktaui.MFA{OrgName: p.cfg.OrgName, Error: errMsg,
		Action: p.abs("/app/" + app.SAML.AppName + "/" + app.SAML.ExternalKey + "/sso/saml/mfa"),
		Hidden: []oktaui.Field{{Name: "SAMLRequest", Value: base64.StdEncoding.EncodeToString(req.raw)},
			{Name: "RelayState", Value: req.RelayState}}})
}

// handleMFA checks the second-factor page's code against the session user's TOTP secret and, when it
// matches, answers the AuthnRequest the page carries.
func (p *IdP) handleMFA(w http.ResponseWriter, r *http.Request) {
	app, req, ok := p.authnRequestFor(w, r)
	if !ok {
		return
	}
	sess, ok := p.currentSession(r)
	if !ok {
		p.renderLogin(w, http.StatusOK, app, req, "", "")
		return
	}
	user, _ := p.cfg.Directory.User(sess.UserID)
	actor := syslog.UserActor(user.ID, user.Login, user.DisplayName())
	if user.TOTPSecret == "" || !session.VerifyTOTP(user.TOTPSecret, r.PostForm.Get("answer"), p.cfg.Now()) {
		p.cfg.SystemLog.Append(r.Context(), syslog.Event{EventType: "user.authentication.auth_via_mfa",
			DisplayMessage: "Authentication of user via MFA", Actor: actor, Outcome: syslog.Failure("INVALID_CREDENTIALS")})
		p.renderMFA(w, http.StatusUnauthorized, app, req, "Your code doesn't match our records. Please try again.")
		return
	}
	p.sessions.AddFactors(sess.ID, "mfa", "otp")
	p.cfg.SystemLog.Append(r.Context(), syslog.Event{EventType: "user.authentication.auth_via_mfa",
		DisplayMessage: "Authentication of user via MFA", Actor: actor, Outcome: syslog.Success()})
	if sess, ok = p.currentSession(r); !ok {
		p.renderLogin(w, http.StatusOK, app, req, "", "")
		return
	}
	p.finish(w, r, app, req, sess)
}
