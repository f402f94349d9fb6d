package mgmtapi

import (
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

type appJSON struct {
	ID            string         `json:"id"`
	Name          string         `json:"name"`
	Label         string         `json:"label"`
	Status        string         `json:"status"`
	Created       *oktaTime      `json:"created"`
	LastUpdated   *oktaTime      `json:"lastUpdated"`
	Accessibility map[string]any `json:"accessibility"`
	Visibility    map[string]any `json:"visibility"`
	Features      []string       `json:"features"`
	SignOnMode    string         `json:"signOnMode"`
	Credentials   map[string]any `json:"credentials"`
	Licensing     map[string]int `json:"licensing"`
	Settings      map[string]any `json:"settings"`
	Links         map[string]any `json:"_links"`
}

// appLink is one entry of _links.appLinks: the end-user dashboard's link to the app (Apps API,
// "Application" object, _links.appLinks is an array of {name, href, type}).
type appLink struct {
	Name string `json:"name"`
	Href string `json:"href"`
	Type string `json:"type"`
}

// userNameTemplates are Okta's templates for the app username formats.
var userNameTemplates = map[string]string{
	"":                       "${source.email}",
	directory.UsernameEmail:  "${source.email}",
	directory.UsernameLogin:  "${source.login}",
	directory.UsernamePrefix: `${fn:substringBefore(source.login, "@")}`,
}

// app is the Application object as the Apps API returns it. Both kinds of app carry the members every
// Okta app has (accessibility, visibility with the app link shown, licensing, settings.app,
// settings.notifications, settings.notes, _links.appLinks as an array); the sign-on settings follow.
// The app link points at Okta's end-user dashboard path /home/{name}/{appId}/{linkId}, which the mock
// does not serve (it has no end-user dashboard).
func (a *API) app(app directory.App) appJSON {
	self := a.cfg.BaseURL + "/api/v1/apps/" + app.ID
	j := appJSON{ID: app.ID, Label: app.Label, Status: "ACTIVE", Created: ts(app.Created),
		LastUpdated: ts(app.LastUpdated), SignOnMode: app.SignOnMode, Features: []string{},
		Accessibility: map[string]any{"selfService": false, "errorRedirectUrl": nil, "loginRedirectUrl": nil},
		Credentials: map[string]any{"userNameTemplate": map[string]string{
			"template": userNameTemplates[app.UsernameFormat], "type": "BUILT_IN"}},
		Licensing: map[string]int{"seatCount": 0},
		Links: map[string]any{"self": link{Href: self}, "users": link{Href: self + "/users"},
			"groups":     link{Href: self + "/groups"},
			"deactivate": link{Href: self + "/lifecycle/deactivate", Method: "POST"}}}
	if app.Provisioning != nil {
		j.Features = []string{"PUSH_NEW_USERS", "PUSH_USER_DEACTIVATION", "PUSH_PROFILE_UPDATES"}
	}
	switch app.SignOnMode {
	case directory.SignOnModeOIDC:
		a.oidcApp(&j, app)
	case directory.SignOnModeSAML:
		a.samlApp(&j, app)
	}
	linkName := j.Name + "_link"
	j.Visibility = map[string]any{"autoLaunch": false, "autoSubmitToolbar": false,
		"hide": map[string]bool{"iOS": false, "web": false}, "appLinks": map[string]bool{linkName: true}}
	j.Links["appLinks"] = []appLink{{Name: linkName, Type: "text/html",
		Href: a.cfg.BaseURL + "/home/" + j.Name + "/" + app.ID + "/aln" + app.ID[min(3, len(app.ID)):]}}
	j.Settings["notifications"] = map[string]any{"vpn": map[string]any{
		"network": map[string]any{"connection": "DISABLED"}, "message": nil, "helpUrl": nil}}
	j.Settings["manualProvisioning"] = false
	j.Settings["implicitAssignment"] = false
	j.Settings["notes"] = map[string]any{"admin": nil, "enduser": nil}
	return j
}

func (a *API) oidcApp(j *appJSON, app directory.App) {
	method := app.TokenEndpointAuthMethod
	if method == "" {
		method = "client_secret_basic"
	}
	j.Name = "oidc_client"
	oc := map[string]any{"autoKeyRotation": true, "client_id": app.ClientID,
		"token_endpoint_auth_method": method}
	if method != "none" && method != "private_key_jwt" {
		oc["client_secret"] = app.ClientSecret
	}
	j.Credentials["oauthClient"] = oc
	post := app.PostLogoutRedirectURIs
	if post == nil {
		post = []string{}
	}
	j.Settings = map[string]any{"app": map[string]any{}, "oauthClient": map[string]any{
		"client_uri": nil, "logo_uri": nil, "redirect_uris": app.RedirectURIs,
		"post_logout_redirect_uris": post, "response_types": []string{"code"},
		"grant_types": []string{"authorization_code"}, "application_type": "web",
		"consent_method": "TRUSTED", "issuer_mode": "DYNAMIC"}}
}

func (a *API) samlApp(j *appJSON, app directory.App) {
	s := app.SAML
	j.Name = s.AppName
	j.Credentials["signing"] = map[string]any{}
	var attrs []map[string]any
	for _, at := range s.Attributes {
		attrs = append(attrs, map[string]any{"type": "EXPRESSION", "name": at.Name, "namespace": at.NameFormat,
			"values": []string{"user." + at.Value}})
	}
	if g := s.GroupAttribute; g != nil {
		attrs = append(attrs, map[string]any{"type": "GROUP", "name": g.Name, "namespace": g.NameFormat,
			"filterType": g.Filter, "filterValue": g.Value})
	}
	if attrs == nil {
		attrs = []map[string]any{}
	}
	acs := []map[string]any{}
	for i, u := range s.RequestableSSOURLs {
		acs = append(acs, map[string]any{"url": u, "index": i})
	}
	j.Settings = map[string]any{"app": map[string]any{}, "signOn": map[string]any{
		"defaultRelayState": s.DefaultRelayState, "ssoAcsUrl": s.SSOURL,
		"idpIssuer": "http://www.okta.com/${org.externalKey}", "audience": s.Audience,
		"recipient": s.Recipient, "destination": s.Destination,
		"subjectNameIdTemplate": "${user.userName}", "subjectNameIdFormat": s.NameIDFormat,
		"responseSigned": s.ResponseSigned, "assertionSigned": s.AssertionSigned,
		"signatureAlgorithm": "RSA_SHA256", "digestAlgorithm": "SHA256", "honorForceAuthn": true,
		"authnContextClassRef":      "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
		"allowMultipleAcsEndpoints": len(acs) > 0, "acsEndpoints": acs, "attributeStatements": attrs,
		"slo": slo(s)}}
	if c, err := directory.ParsePEMCertificate(s.SPCertificate); err == nil {
		// Okta's signOn.spCertificate: the uploaded single logout certificate as an x5c chain.
		j.Settings["signOn"].(map[string]any)["spCertificate"] = map[string]any{
			"x5c": []string{base64.StdEncoding.EncodeToString(c.Raw)}}
	}
	j.Links["metadata"] = link{Href: a.cfg.BaseURL + directory.SAMLMetadataPath(s.ExternalKey),
		Type: "application/xml"}
}

func (a *API) listApps(w http.ResponseWriter, r *http.Request) error {
	text := strings.ToLower(r.URL.Query().Get("q"))
	var apps []directory.App
	for _, app := range a.dir.Apps() {
		if strings.HasPrefix(strings.ToLower(app.Label), text) {
			apps = append(apps, app)
		}
	}
	apps = page(w, r, a.cfg.BaseURL, apps, func(app directory.App) string { return app.ID }, 200)
	js := make([]appJSON, 0, len(apps))
	for _, app := range apps {
		js = append(js, a.app(app))
	}
	writeJSON(w, http.StatusOK, js)
	return nil
}

func (a *API) appByPath(r *http.Request) (directory.App, error) {
	app, ok := a.dir.App(r.PathValue("id"))
	if !ok {
		return directory.App{}, notFound(r.PathValue("id"), "AppInstance")
	}
	return app, nil
}

func (a *API) getApp(w http.ResponseWriter, r *http.Request) error {
	app, err := a.appByPath(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.app(app))
	return nil
}

// slo is settings.signOn.slo: single logout enabled, with the SP's issuer and logout URL.
func slo(s *directory.SAMLSettings) map[string]any {
	if s.SLOURL == "" {
		return map[string]any{"enabled": false}
	}
	issuer := s.SPIssuer
	if issuer == "" {
		issuer = s.Audience
	}
	return map[string]any{"enabled": true, "spIssuer": issuer, "logoutUrl": s.SLOURL}
}
