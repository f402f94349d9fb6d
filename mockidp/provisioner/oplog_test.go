package provisioner_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/provisioner"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

func TestPushEventsKeepTheirExchangesRedacted(t *testing.T) {
	t.Parallel()
	log := syslog.New(syslog.Config{})
	dir, err := directory.New(directory.Config{Name: "acme", Log: log})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := provisioner.New(provisioner.Config{Directory: dir, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(eng.Close)
	e := &env{dir: dir, eng: eng}
	srv := httptest.NewServer(&target{})
	t.Cleanup(srv.Close)
	a, err := dir.CreateOIDCApp(directory.OIDCAppInput{Label: "refapp", RedirectURIs: []string{"http://app.test/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	const token = "t0k-s3cret-bearer"
	if err := dir.SetProvisioning(a.ID, directory.Provisioning{BaseURL: srv.URL + "/scim/v2", Token: token}); err != nil {
		t.Fatal(err)
	}
	e.assign(t, "alice@acme.test", a.ID)
	e.quiet(t, a.ID)

	events := log.Events(syslog.Query{EventType: provisioner.EventUserPush})
	if len(events) != 1 {
		t.Fatalf("%d push events, want 1", len(events))
	}
	xs := events[0].Exchanges
	if len(xs) != 2 || xs[0].Method != "GET" || xs[1].Method != "POST" || xs[1].Status != 201 {
		t.Fatalf("exchanges = %+v, want the filter GET then the POST answered 201", xs)
	}
	post := xs[1]
	if !strings.Contains(post.RequestBody, `"userName":"alice@acme.test"`) || !strings.Contains(post.ResponseBody, `"id"`) {
		t.Errorf("bodies not kept: request %q, response %q", post.RequestBody, post.ResponseBody)
	}
	if got := post.RequestHeader.Get("Authorization"); got != "Bearer "+syslog.Redacted {
		t.Errorf("Authorization kept as %q", got)
	}
	for _, x := range xs {
		if strings.Contains(x.RequestBody+x.ResponseBody+strings.Join(x.RequestHeader.Values("Authorization"), ""), token) {
			t.Errorf("the token is in the logged exchange %s %s", x.Method, x.URL)
		}
	}
}
