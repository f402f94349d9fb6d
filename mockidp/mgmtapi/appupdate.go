package mgmtapi

import (
	"net/http"
	"strings"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

// PUT /api/v1/apps/{id}, Okta's "Replace an application", for the settings the mock models: the label,
// an OIDC app's settings.oauthClient redirect_uris and post_logout_redirect_uris, a SAML app's
// settings.signOn ssoAcsUrl, recipient, destination, audience, subjectNameIdFormat and
// defaultRelayState. Okta's SDKs send the whole object they read (GET, change, PUT); a member the body
// leaves out keeps its value here, where Okta would reset it (the one departure). The directory checks
// the URLs, so a refusal carries the same sentence as in the Go API and the console, as Okta's E0000001
// with one errorCause per field.

// appReplace is the part of an Application object the mock reads; nil members were not sent.
type appReplace struct {
	Label    *string `json:"label"`
	Settings struct {
		OAuthClient *struct {
			RedirectURIs   *[]string `json:"redirect_uris"`
			PostLogoutURIs *[]string `json:"post_logout_redirect_uris"`
		} `json:"oauthClient"`
		SignOn *struct {
			SSOURL            *string `json:"ssoAcsUrl"`
			Recipient         *string `json:"recipient"`
			Destination       *string `json:"destination"`
			Audience          *string `json:"audience"`
			NameIDFormat      *string `json:"subjectNameIdFormat"`
			DefaultRelayState *string `json:"defaultRelayState"`
		} `json:"signOn"`
	} `json:"settings"`
}

func (a *API) replaceApp(w http.ResponseWriter, r *http.Request) error {
	app, err := a.appByPath(r)
	if err != nil {
		return err
	}
	var in appReplace
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Label != nil && strings.TrimSpace(*in.Label) == "" {
		return validation("label", nil, "label: The field cannot be left blank")
	}
	updated, err := a.dir.UpdateApp(app.ID, func(d *directory.App) error {
		in.apply(d)
		return nil
	})
	if err != nil {
		return fromDirectory(err, app.ID, "AppInstance", "settings")
	}
	writeJSON(w, http.StatusOK, a.app(updated))
	return nil
}

// apply copies the members that were sent onto the app.
func (in *appReplace) apply(d *directory.App) {
	setIfSent(&d.Label, in.Label)
	if oc := in.Settings.OAuthClient; oc != nil && d.SignOnMode == directory.SignOnModeOIDC {
		setIfSent(&d.RedirectURIs, oc.RedirectURIs)
		setIfSent(&d.PostLogoutRedirectURIs, oc.PostLogoutURIs)
	}
	if so := in.Settings.SignOn; so != nil && d.SAML != nil {
		s := d.SAML
		setIfSent(&s.SSOURL, so.SSOURL)
		setIfSent(&s.Recipient, so.Recipient)
		setIfSent(&s.Destination, so.Destination)
		setIfSent(&s.Audience, so.Audience)
		setIfSent(&s.NameIDFormat, so.NameIDFormat)
		setIfSent(&s.DefaultRelayState, so.DefaultRelayState)
	}
}

// setIfSent sets *dst to the member the body sent (src not nil).
func setIfSent[T any](dst, src *T) {
	if src != nil {
		*dst = *src
	}
}
