package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/ssoconform/ssoconform/mockidp"
)

// App is an app under test for the SSO catalogue (`ssoconform sso`, specs.RunSSO): any app that signs
// its users in with Okta over OIDC or SAML, SP-initiated. The specs make users in the mock Okta, turn
// faults on for the app integration, run the sign-in without a browser (HeadlessClient, AppSignIn) and
// ask the app who is signed in. Two implementations: harness/refappdriver (the reference app, through
// its CLI) and YAMLApp (any app described by an app.yaml, no Go needed).
//
//	app, err := harness.StartYAMLApp(ctx, "fixtures/apps/notes/app.yaml", idp, dir)
//	tn, err := app.Connect(ctx, "saml")
//	login, pw, err := tn.AddUser(ctx, "Ada", "Lovelace")
//	client := harness.HeadlessClient()
//	land, err := harness.AppSignIn(ctx, client, app.SignInURL(tn.Org, "saml"), login, pw)
//	who, ok, err := app.Identity(ctx, client, land)
type App interface {
	// Connect returns an organization of the app connected to an app integration of the mock Okta over
	// protocol ("oidc" or "saml"). An app connected once at start returns the same one every time
	// (AppTenant.Shared): its specs must then run one at a time.
	Connect(ctx context.Context, protocol string) (AppTenant, error)
	// Protocols are the protocols the app signs in with, e.g. ["oidc", "saml"].
	Protocols() []string
	// SignInURL is where SP-initiated sign-in starts for the organization: the app answers it by
	// sending the browser to Okta.
	SignInURL(org, protocol string) string
	// CallbackPath is the path of the app's OIDC redirect URI, e.g. "/auth/oidc/callback".
	CallbackPath() string
	// Identity asks the app who the client's session is signed in as; ok is false when nobody is. land
	// is the page the client's sign-in ended on, for apps that show the user there (it may be empty).
	Identity(ctx context.Context, client *http.Client, land Landing) (who Identity, ok bool, err error)
	// ShowsRefusal checks the page a refused sign-in ended on: nil when it is the app's refusal (an
	// error page), or when the app does not say what its refusal looks like.
	ShowsRefusal(land Landing) error
	// Log returns the end of the app's log, for failure reports ("" when there is none).
	Log(max int) string
}

// Identity is a signed-in user as the app reports it.
type Identity struct {
	Email string // from a JSON answer's "email"
	Name  string // from a JSON answer's "name"
	Page  string // the answer itself (its start), where a page shows the email
}

// Shows reports whether the identity names the user: its email, or a page holding it.
func (id Identity) Shows(email string) bool {
	return strings.EqualFold(id.Email, email) || (id.Email == "" && strings.Contains(id.Page, email))
}

// AppTenant is an organization of the app under test connected to an app integration of the mock.
type AppTenant struct {
	Org      string // the organization as the app's sign-in URL names it
	Protocol string
	IdPOrg   *mockidp.Org
	AppID    string // the app integration in the mock, whose faults the specs set
	// Shared is true when every Connect returns this tenant (the app was connected once, at start).
	Shared bool
}

// AddUser creates a user in the mock org (login NAME-xxxxxxxx@ORG.test, a random password) and assigns
// it to the tenant's app integration. Apps whose SCIM server the mock pushes to get the user too.
func (tn AppTenant) AddUser(ctx context.Context, first, last string) (login, password string, err error) {
	password = randomSecret()
	login = uniqueName(strings.ToLower(first)) + "@" + tn.IdPOrg.Name() + ".test"
	u, err := tn.IdPOrg.CreateUser(ctx, mockidp.UserInput{Login: login, Email: login, FirstName: first, LastName: last,
		Password: password})
	if err != nil {
		return "", "", fmt.Errorf("add okta user %s: %w", login, err)
	}
	if err := tn.IdPOrg.AssignUser(ctx, tn.AppID, u.ID); err != nil {
		return "", "", fmt.Errorf("assign %s: %w", login, err)
	}
	return login, password, nil
}

// SetFaults replaces the faults of the tenant's app integration (none clears them).
func (tn AppTenant) SetFaults(ctx context.Context, names ...string) error {
	if err := tn.IdPOrg.SetFaults(ctx, tn.AppID, names...); err != nil {
		return fmt.Errorf("tenant %s: %w", tn.Org, err)
	}
	return nil
}

// Landing is the page a headless sign-in ended on.
type Landing struct {
	URL     string // credentials hidden
	Status  int
	Excerpt string // the start of the page's text
	Body    string // the whole page (at most 1 MiB): what the user saw
	// ReachedOkta is false when the app never sent the client to Okta's sign-in page.
	ReachedOkta bool
}

// AppSignIn runs an SP-initiated sign-in without a browser: GET startURL (the app sends the client to
// Okta), Okta's sign-in form, and for SAML the IdP's auto-submitted response form to the app's ACS. It
// returns where the client landed; an error means the journey itself broke (the app never reached
// Okta, a connection failed), not that the app refused. client must come from HeadlessClient, one per
// sign-in: it holds the session.
func AppSignIn(ctx context.Context, client *http.Client, startURL, username, password string) (Landing, error) {
	page, err := fetch(ctx, client, http.MethodGet, startURL, nil)
	if err != nil {
		return Landing{}, fmt.Errorf("app sign-in: %w", err)
	}
	login, err := formHolding(page, "okta-signin-username")
	if err != nil {
		return landing(page, false), fmt.Errorf("app sign-in: %s did not lead to Okta's sign-in page: landed on %s (%d): %s",
			RedactURL(startURL), RedactURL(page.url), page.status, excerpt(page.body, 300))
	}
	login.values.Set("username", username)
	login.values.Set("password", password)
	if page, err = fetch(ctx, client, http.MethodPost, login.action, login.values); err != nil {
		return Landing{ReachedOkta: true}, fmt.Errorf("app sign-in: %w", err)
	}
	if page, err = postSAMLForm(ctx, client, page); err != nil {
		return Landing{ReachedOkta: true}, fmt.Errorf("app sign-in: %w", err)
	}
	return landing(page, true), nil
}

func landing(p fetched, okta bool) Landing {
	return Landing{URL: RedactURL(p.url), Status: p.status, Excerpt: excerpt(strings.TrimSpace(p.body), 300), Body: p.body,
		ReachedOkta: okta}
}

// IdentityAt GETs url with the client's session, without following redirects: 200 is a signed-in
// session, anything else (401, a redirect to a login page) is none. A JSON answer's "email" and "name"
// fill the Identity; any other answer is kept in Page for the spec to look for the email in.
func IdentityAt(ctx context.Context, client *http.Client, url string) (Identity, bool, error) {
	status, body, err := getNoRedirect(ctx, client, url)
	if err != nil || status != http.StatusOK {
		return Identity{}, false, err
	}
	var who struct {
		Email string `json:"email"`
		Name  string `json:"name"`
	}
	_ = json.Unmarshal([]byte(body), &who) // not JSON: the page itself is the answer
	return Identity{Email: who.Email, Name: who.Name, Page: excerpt(body, 2000)}, true, nil
}

// getNoRedirect GETs url with the client's session and answers the app's own status and page.
func getNoRedirect(ctx context.Context, client *http.Client, url string) (int, string, error) {
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	page, err := fetch(ctx, &c, http.MethodGet, url, nil)
	if err != nil {
		return 0, "", fmt.Errorf("ask who is signed in: %w", err)
	}
	return page.status, page.body, nil
}

// Reconnector is an App whose organization can be connected again, as an admin saving the settings
// page does, so the catalogue can check what the app makes of changed metadata. Optional.
type Reconnector interface {
	// Reconnect connects the tenant's organization again to its app integration; metadataURL, when
	// set, replaces the OIDC discovery URL (e.g. the app-specific one). The app's refusal is the error.
	Reconnect(ctx context.Context, tn AppTenant, metadataURL string) error
}

// RefusalPage says what an app's refusal looks like: the page a refused sign-in ends on answers
// MinStatus or above (when set) and holds Text (when set).
type RefusalPage struct {
	MinStatus int    `yaml:"min_status"`
	Text      string `yaml:"text"`
}

// Check is nil when land looks like the refusal.
func (r RefusalPage) Check(land Landing) error {
	if r.MinStatus > 0 && land.Status < r.MinStatus {
		return fmt.Errorf("a refused sign-in must end on the app's error page (status %d or more); it ended on %s (%d): %s",
			r.MinStatus, land.URL, land.Status, land.Excerpt)
	}
	if r.Text != "" && !strings.Contains(land.Body, r.Text) {
		return fmt.Errorf("a refused sign-in must end on the app's error page (holding %q); it ended on %s (%d): %s",
			r.Text, land.URL, land.Status, land.Excerpt)
	}
	return nil
}
