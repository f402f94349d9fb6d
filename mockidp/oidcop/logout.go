package oidcop

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// handleLogout is RP-initiated logout (Okta's /logout): id_token_hint is
// required and must be an ID token this server issued (an expired one is
// fine); post_logout_redirect_uri, when given, must be one of the app's
// sign-out redirect URIs; state is echoed. The IdP session ends. Errors are
// shown on Okta's error page, never redirected.
func (p *Provider) handleLogout(w http.ResponseWriter, r *http.Request, as *authServer) {
	if err := r.ParseForm(); err != nil {
		p.writeErrorPage(w, r, errIDTokenHintParse.withCause(err))
		return
	}
	hint := r.Form.Get("id_token_hint")
	if hint == "" {
		p.writeErrorPage(w, r, errMissingIDTokenHint)
		return
	}
	c, err := p.verifyIDToken(as, hint)
	if err != nil {
		p.writeErrorPage(w, r, err)
		return
	}
	app, ok := p.cfg.Directory.AppByClientID(c.Aud)
	if !ok {
		p.writeErrorPage(w, r, errIDTokenHintAudience)
		return
	}
	target := r.Form.Get("post_logout_redirect_uri")
	if target != "" && !slices.Contains(app.PostLogoutRedirectURIs, target) {
		p.writeErrorPage(w, r, errIllegalLogoutURI)
		return
	}
	if err := p.endSession(w, r, c.Sub); err != nil {
		p.writeErrorPage(w, r, err)
		return
	}
	p.cfg.Logger.InfoContext(r.Context(), "signed out", "client_id", app.ClientID, "user_id", c.Sub)
	if target == "" {
		w.Header().Set("Cache-Control", "no-cache, no-store")
		p.renderPage(w, http.StatusOK, signedOutPage{OrgName: p.cfg.OrgName})
		return
	}
	v := url.Values{}
	if s := r.Form.Get("state"); s != "" {
		v.Set("state", s)
	}
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
	}
	if len(v) == 0 {
		sep = ""
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, target+sep+v.Encode(), http.StatusFound)
}

// endSession ends the browser's IdP session, if it belongs to sub, and
// clears the cookie. A session of another user is left alone and refused.
func (p *Provider) endSession(w http.ResponseWriter, r *http.Request, sub string) error {
	if s, ok := p.sessions.Current(r); ok && s.UserID != sub {
		return errHintSessionMismatch
	}
	p.sessions.End(w, r) // no session: Okta just redirects
	return nil
}

func timeUnix(sec int64) time.Time { return time.Unix(sec, 0) }
