package mgmtapi_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/okta/okta-sdk-golang/v5/okta"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/mgmtapi"
	"github.com/ssoconform/ssoconform/mockidp/ratelimit"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// TestOktaSDK drives the API with Okta's official Go SDK: create a user, assign it to an app, deactivate
// it, and check the directory.
//
// The SDK keeps only the host name of the org URL (it drops the port and any path, then builds
// https://{host}/api/v1/...), so the test serves the API over TLS on an httptest listener on 127.0.0.1 and
// gives the SDK an http.Client whose dialer sends every connection there and which trusts the test
// certificate (ServerName example.com, the name httptest's certificate carries). The org URL is then an
// Okta-like https://acme.okta.test; with mockidp that is a host-based org (Config.Domain "okta.test").
func TestOktaSDK(t *testing.T) {
	t.Parallel()
	log := syslog.New(syslog.Config{})
	dir, err := directory.New(directory.Config{Name: "acme", Log: log})
	if err != nil {
		t.Fatal(err)
	}
	app, err := dir.CreateOIDCApp(directory.OIDCAppInput{Label: "refapp", RedirectURIs: []string{"http://localhost:8081/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	client := newSDKClient(t, dir, log, nil)
	ctx := t.Context()

	profile := okta.NewUserProfile()
	profile.SetLogin("sdk.user@acme.test")
	profile.SetEmail("sdk.user@acme.test")
	profile.SetFirstName("Sdk")
	profile.SetLastName("User")
	pw := okta.NewPasswordCredential()
	pw.SetValue("Sdk-Passw0rd")
	creds := okta.NewUserCredentials()
	creds.SetPassword(*pw)
	body := okta.CreateUserRequest{Profile: *profile, Credentials: creds}
	created, _, err := client.UserAPI.CreateUser(ctx).Body(body).Activate(true).Execute()
	if err != nil {
		t.Fatalf("create user: %v", err)
	}
	uid := created.GetId()
	if created.GetStatus() != directory.StatusActive {
		t.Errorf("created status = %q", created.GetStatus())
	}

	appUser, _, err := client.ApplicationUsersAPI.AssignUserToApplication(ctx, app.ID).
		AppUser(okta.AppUserAssignRequest{Id: uid}).Execute()
	if err != nil {
		t.Fatalf("assign user: %v", err)
	}
	if appUser.GetId() != uid || appUser.GetScope() != "USER" {
		t.Errorf("app user = %s scope %s", appUser.GetId(), appUser.GetScope())
	}

	if _, err := client.UserAPI.DeactivateUser(ctx, uid).Execute(); err != nil {
		t.Fatalf("deactivate user: %v", err)
	}
	got, _, err := client.UserAPI.GetUser(ctx, uid).Execute()
	if err != nil {
		t.Fatalf("get user: %v", err)
	}
	if got.GetStatus() != directory.StatusDeactivated {
		t.Errorf("SDK sees status %q, want DEPROVISIONED", got.GetStatus())
	}

	u, ok := dir.User(uid)
	if !ok || u.Status != directory.StatusDeactivated || !dir.IsAssigned(app.ID, uid) {
		t.Errorf("directory: user %+v (found %v), assigned %v", u, ok, dir.IsAssigned(app.ID, uid))
	}
	if _, ok := dir.Authenticate("sdk.user@acme.test", "Sdk-Passw0rd"); ok {
		t.Error("a deactivated user could sign in")
	}
	if _, _, err := client.UserAPI.GetUser(ctx, "00unknown").Execute(); err == nil {
		t.Error("get unknown user: no error")
	}
	apps, _, err := client.ApplicationAPI.ListApplications(ctx).Execute()
	if err != nil || len(apps) != 1 {
		t.Errorf("list apps: %d apps, %v", len(apps), err)
	}
}

// newSDKClient serves the API of dir over TLS (behind lim, when not nil, and the request-id middleware)
// and returns an okta-sdk-golang client for it (see TestOktaSDK for why the dialer is redirected).
func newSDKClient(t *testing.T, dir *directory.Org, log *syslog.Log, lim *ratelimit.Limiter, opts ...okta.ConfigSetter) *okta.APIClient {
	t.Helper()
	api, err := mgmtapi.New(mgmtapi.Config{BaseURL: "https://acme.okta.test", Directory: dir, Log: log, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	api.Mount(mux)
	var h http.Handler = mux
	if lim != nil {
		h = lim.Wrap(h)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: syslog.Middleware(h)}}
	srv.StartTLS()
	t.Cleanup(srv.Close)

	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.TLSClientConfig.ServerName = "example.com"
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, ln.Addr().String())
	}
	opts = append([]okta.ConfigSetter{okta.WithOrgUrl("https://acme.okta.test"), okta.WithToken(token),
		okta.WithCache(false), okta.WithHttpClientPtr(&http.Client{Transport: tr})}, opts...)
	cfg, err := okta.NewConfiguration(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return okta.NewAPIClient(cfg)
}
