package oidcop

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

// userinfo is Okta's /userinfo body, in Okta's member order.
type userinfo struct {
	Sub               string `json:"sub"`
	Name              string `json:"name,omitempty"`
	Locale            string `json:"locale,omitempty"`
	Email             string `json:"email,omitempty"`
	PreferredUsername string `json:"preferred_username,omitempty"`
	GivenName         string `json:"given_name,omitempty"`
	FamilyName        string `json:"family_name,omitempty"`
	ZoneInfo          string `json:"zoneinfo,omitempty"`
	EmailVerified     *bool  `json:"email_verified,omitempty"`
}

// Okta's defaults for a user's locale and time zone.
const (
	defaultLocale   = "en-US"
	defaultZoneInfo = "America/Los_Angeles"
)

func (p *Provider) handleUserinfo(w http.ResponseWriter, r *http.Request, as *authServer) {
	claims, user, err := p.bearer(r, as)
	if err != nil {
		p.writeBearerError(w, r, as, err)
		return
	}
	profile, email := slices.Contains(claims.Scp, "profile"), slices.Contains(claims.Scp, "email")
	if !profile && !email && !slices.Contains(claims.Scp, "address") && !slices.Contains(claims.Scp, "phone") {
		p.writeBearerError(w, r, as, errInsufficientScope)
		return
	}
	out := userinfo{Sub: user.ID}
	if app, ok := p.cfg.Directory.AppByClientID(claims.Cid); ok && app.HasFault(FaultUserinfoSub) {
		out.Sub = faultUserinfoSubOtherUID
	}
	if profile {
		out.Name, out.Locale, out.PreferredUsername = user.DisplayName(), defaultLocale, user.Login
		out.GivenName, out.FamilyName, out.ZoneInfo = user.FirstName, user.LastName, defaultZoneInfo
	}
	if email {
		verified := true
		out.Email, out.EmailVerified = user.Email, &verified
	}
	w.Header().Set("Cache-Control", "no-cache, no-store")
	writeJSON(w, http.StatusOK, out)
}

// bearer validates the access token of a protected-resource request.
func (p *Provider) bearer(r *http.Request, as *authServer) (*accessTokenClaims, directory.User, error) {
	if r.URL.Query().Has("access_token") {
		return nil, directory.User{}, errAccessTokenInQuery
	}
	var raw string
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return nil, directory.User{}, errAccessTokenInvalid
		}
		raw = strings.TrimSpace(tok)
	} else if r.Method == http.MethodPost {
		raw = r.PostFormValue("access_token")
	}
	if raw == "" {
		return nil, directory.User{}, errAccessTokenMissing
	}
	c, err := p.verifyAccessToken(as, raw)
	if err != nil {
		return nil, directory.User{}, errAccessTokenInvalid.withCause(err)
	}
	user, ok := p.cfg.Directory.User(c.UID)
	if !ok || user.Status != directory.StatusActive {
		return nil, directory.User{}, errAccessTokenInvalid.withCause(errors.New("user gone or inactive"))
	}
	return c, user, nil
}
