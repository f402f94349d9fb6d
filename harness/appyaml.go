package harness

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
)

// AppFile is an app.yaml: how the SSO catalogue drives an app that has no Go driver. Relative URLs are
// resolved against BaseURL; in every string, {port} is the loopback port given to the app, {base_url}
// the resolved BaseURL, {dir} the file's directory, {work} a scratch directory of the run, {org} the
// organization, and {okta.issuer}, {oidc.client_id}, {oidc.client_secret} and {saml.metadata_url} the
// mock Okta org and app integrations the app is connected to. fixtures/apps/notes/app.yaml is an
// example.
type AppFile struct {
	// Name names the app in reports. Required.
	Name string `yaml:"name"`
	// BaseURL is the app's address as a browser reaches it. Default: http://127.0.0.1:{port}. A host
	// ending in .test reaches 127.0.0.1 (the browser and HeadlessClient map it), which keeps the app's
	// cookies apart from the mock Okta's.
	BaseURL string `yaml:"base_url"`
	// Start says how to start the app; without it the app must already be running at BaseURL.
	Start *AppStart `yaml:"start"`
	// Connect says how the app gets connected to Okta. Required.
	Connect AppConnect `yaml:"connect"`
	// OIDC and SAML describe the protocols the app signs in with; at least one.
	OIDC *AppOIDC `yaml:"oidc"`
	SAML *AppSAML `yaml:"saml"`
	// SignedIn says how a signed-in session is recognised. Required.
	SignedIn AppSignedIn `yaml:"signed_in"`
	// Refused says how the page a refused sign-in ends on looks (its status, a text it holds). Default:
	// any page; a refusal is then only the absence of a session.
	Refused RefusalPage `yaml:"refused"`
}

// AppStart starts the app as a child process, stopped at the end of the run.
type AppStart struct {
	// Dir is the working directory, relative to the file. Default: the file's directory.
	Dir string `yaml:"dir"`
	// Build, when set, runs once before Command (e.g. go build -o {work}/app .).
	Build []string `yaml:"build"`
	// Command starts the app. Required.
	Command []string `yaml:"command"`
	// Env is added to the process's environment (secrets such as {oidc.client_secret} go here, never
	// into arguments).
	Env map[string]string `yaml:"env"`
	// Ready is a URL that answers below 500 once the app is up. Default: BaseURL.
	Ready string `yaml:"ready"`
}

// AppConnect says how the app is connected to Okta.
type AppConnect struct {
	// Static: the app is connected once, at start, to a mock org made for it (named Org) with one OIDC
	// and one SAML app integration; Start.Env hands it the connection. Every spec uses that org, so the
	// specs run one at a time.
	Static *AppStatic `yaml:"static"`
	// Command: every Connect makes a fresh org in the mock with one app integration of the protocol and
	// runs Create (when set, once per organization) and then Command, which connect the app to it, as
	// an admin would on the app's settings page. Reconnect runs Command again. Both get the connection
	// in their environment: SSOCONFORM_ORG, SSOCONFORM_PROTOCOL, OKTA_ISSUER, OKTA_METADATA_URL (the
	// OIDC discovery URL or the SAML IdP metadata URL), OKTA_CLIENT_ID and OKTA_CLIENT_SECRET (OIDC).
	// They run in Start.Dir (or the file's directory) and fail with a non-zero status.
	Command []string `yaml:"command"`
	Create  []string `yaml:"create"`
}

// AppStatic is the organization of an app connected once, at start.
type AppStatic struct {
	// Org is the organization's name in the app and in the mock. Default: the app's Name.
	Org string `yaml:"org"`
}

// AppOIDC is how the app signs in over OIDC.
type AppOIDC struct {
	// SignIn is the URL that starts SP-initiated sign-in. Required.
	SignIn string `yaml:"sign_in"`
	// RedirectURI is the app's callback, registered in the mock's OIDC app integration. Required.
	RedirectURI string `yaml:"redirect_uri"`
}

// AppSAML is how the app signs in over SAML.
type AppSAML struct {
	// SignIn is the URL that starts SP-initiated sign-in. Required.
	SignIn string `yaml:"sign_in"`
	// ACSURL is the app's Assertion Consumer Service (Okta's "Single sign-on URL"). Required.
	ACSURL string `yaml:"acs_url"`
	// EntityID is the app's SP entity ID (Okta's "Audience URI"). Required.
	EntityID string `yaml:"entity_id"`
}

// AppSignedIn recognises a signed-in session: exactly one of URL and Selector.
type AppSignedIn struct {
	// URL answers 200 with the user's email (JSON {"email": ...} or a page holding it) for a signed-in
	// session, and anything else (401, a redirect) otherwise.
	URL string `yaml:"url"`
	// Selector is a CSS selector (tag, #id, .class, [attr=value], and spaces for descendants) of an
	// element whose text holds the user's email on a signed-in page; a page without it is no session.
	Selector string `yaml:"selector"`
	// Page is where Selector is looked for: a URL GET with the session (a 200 answer; anything else is
	// no session). Default: the page the sign-in ended on, as the user saw it.
	Page string `yaml:"page"`
}

// LoadAppFile reads and checks an app.yaml.
func LoadAppFile(path string) (AppFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return AppFile{}, fmt.Errorf("app file: %w", err)
	}
	var f AppFile
	if err := yaml.UnmarshalWithOptions(data, &f, yaml.DisallowUnknownField()); err != nil {
		return AppFile{}, fmt.Errorf("app file %s: %w", path, err)
	}
	if err := f.Validate(); err != nil {
		return AppFile{}, fmt.Errorf("app file %s: %w", path, err)
	}
	return f, nil
}

// Validate names the first missing or contradictory field.
func (f AppFile) Validate() error {
	var errs []error
	need := func(ok bool, field string) {
		if !ok {
			errs = append(errs, fmt.Errorf("%s is required", field))
		}
	}
	need(f.Name != "", "name")
	need((f.SignedIn.URL != "") != (f.SignedIn.Selector != ""), "exactly one of signed_in.url and signed_in.selector")
	if f.SignedIn.Selector != "" {
		if _, err := parseSelector(f.SignedIn.Selector); err != nil {
			errs = append(errs, fmt.Errorf("signed_in.%w", err))
		}
	}
	if f.SignedIn.Page != "" {
		need(f.SignedIn.Selector != "", "signed_in.selector (with signed_in.page)")
	}
	need(f.OIDC != nil || f.SAML != nil, "oidc or saml")
	need((f.Connect.Static != nil) != (len(f.Connect.Command) > 0), "exactly one of connect.static and connect.command")
	if len(f.Connect.Create) > 0 {
		need(len(f.Connect.Command) > 0, "connect.command (with connect.create)")
	}
	if f.OIDC != nil {
		need(f.OIDC.SignIn != "", "oidc.sign_in")
		need(f.OIDC.RedirectURI != "", "oidc.redirect_uri")
	}
	if f.SAML != nil {
		need(f.SAML.SignIn != "", "saml.sign_in")
		need(f.SAML.ACSURL != "", "saml.acs_url")
		need(f.SAML.EntityID != "", "saml.entity_id")
	}
	if f.Start != nil {
		need(len(f.Start.Command) > 0, "start.command")
	}
	if f.Start == nil && strings.Contains(f.BaseURL, "{port}") {
		errs = append(errs, errors.New("base_url names {port} but there is no start section to give the app a port"))
	}
	return errors.Join(errs...)
}

// Protocols are the protocols the file describes, "oidc" before "saml".
func (f AppFile) Protocols() []string {
	var out []string
	if f.OIDC != nil {
		out = append(out, "oidc")
	}
	if f.SAML != nil {
		out = append(out, "saml")
	}
	return out
}

// expander fills the {placeholders} of an app file.
type expander map[string]string

func (e expander) expand(s string) string {
	for k, v := range e {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
}

func (e expander) all(in []string) []string {
	out := slices.Clone(in)
	for i := range out {
		out[i] = e.expand(out[i])
	}
	return out
}

// resolve expands s and makes it absolute against the base URL.
func (e expander) resolve(s string) string {
	s = e.expand(s)
	base, err := url.Parse(e["base_url"])
	if err != nil {
		return s
	}
	u, err := base.Parse(s)
	if err != nil {
		return s
	}
	return u.String()
}

// dirOf is the directory of the app file, absolute.
func dirOf(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Dir(path)
	}
	return filepath.Dir(abs)
}
