package mockidp_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/mockidp"
	"github.com/ssoconform/ssoconform/mockidp/scimpush"
)

// scimRecord is what the fake SCIM server saw of one request.
type scimRecord struct {
	Method, URI string
	Header      map[string]string
	Body        string
}

// fakeSCIM answers the filter with totalResults 0 (or 1 when exists) and
// the create with 201 and an id, gzip-compressed when the client allows it.
type fakeSCIM struct {
	mu       sync.Mutex
	records  []scimRecord
	exists   bool
	postCode int
}

func (f *fakeSCIM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h := map[string]string{}
	for _, k := range []string{"User-Agent", "Accept", "Accept-Charset", "Accept-Encoding", "Content-Type", "Authorization", "Connection"} {
		if v := r.Header.Get(k); v != "" {
			h[k] = v
		}
	}
	f.mu.Lock()
	f.records = append(f.records, scimRecord{r.Method, r.RequestURI, h, string(body)})
	exists, postCode := f.exists, f.postCode
	f.mu.Unlock()
	var resp string
	status := http.StatusOK
	switch {
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/scim/v2/Users/"):
		resp = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"srv-existing","userName":"alice@acme.test","name":{"givenName":"A","familyName":"A","formatted":"A A"},"meta":{"resourceType":"User"},"active":false}`
	case r.Method == "PUT":
		resp = string(body)
	case r.Method == "GET" && exists:
		resp = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"startIndex":1,"itemsPerPage":1,"Resources":[{"id":"srv-existing"}]}`
	case r.Method == "GET":
		resp = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}`
	case postCode != 0:
		status, resp = postCode, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"User already exists","status":"409"}`
	default:
		status, resp = http.StatusCreated, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"srv-42","userName":"alice@acme.test"}`
	}
	w.Header().Set("Content-Type", "application/scim+json")
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		w.Header().Set("Content-Encoding", "gzip")
		w.WriteHeader(status)
		gz := gzip.NewWriter(w)
		_, _ = gz.Write([]byte(resp))
		_ = gz.Close()
		return
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, resp)
}

func scimSetup(t *testing.T, fake *fakeSCIM) (*mockidp.Org, mockidp.App, mockidp.User, string) {
	t.Helper()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	idp, err := mockidp.New(mockidp.Config{BaseURL: "http://127.0.0.1:1", HTTPClient: srv.Client(),
		Rand: rand.NewChaCha8([32]byte{1})})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	org := must(idp.CreateOrg(ctx, "acme"))
	app := must(org.CreateOIDCApp(ctx, mockidp.OIDCAppInput{Label: "refapp", RedirectURIs: []string{redirectURI}}))
	u := must(org.CreateUser(ctx, mockidp.UserInput{Login: "alice@acme.test", FirstName: "Alice", LastName: "Anderson", Password: "pw"}))
	if err := org.SetProvisioning(ctx, app.ID, mockidp.Provisioning{BaseURL: srv.URL + "/scim/v2/", Token: "scim-key-123"}); err != nil {
		t.Fatal(err)
	}
	return org, app, u, srv.URL
}

func TestSCIMPushOnAssign(t *testing.T) {
	t.Parallel()
	fake := &fakeSCIM{}
	org, app, u, _ := scimSetup(t, fake)
	if err := org.AssignUser(t.Context(), app.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	if err := org.Settle(t.Context(), app.ID, 0); err != nil {
		t.Fatal(err)
	}
	common := map[string]string{"User-Agent": "Okta SCIM Client 1.0.0", "Accept": "application/scim+json",
		"Accept-Charset": "utf-8", "Accept-Encoding": "gzip,deflate", "Authorization": "Bearer scim-key-123",
		"Connection": "close"}
	withBody := map[string]string{"Content-Type": "application/scim+json; charset=utf-8"}
	for k, v := range common {
		withBody[k] = v
	}
	want := []scimRecord{
		{Method: "GET", URI: "/scim/v2/Users?filter=userName%20eq%20%22alice%40acme.test%22&startIndex=1&count=100", Header: common},
		{Method: "POST", URI: "/scim/v2/Users", Header: withBody},
	}
	got := fake.records
	if diff := cmp.Diff(want, got, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Body" }, cmp.Ignore())); diff != "" {
		t.Fatalf("requests (-want +got):\n%s", diff)
	}
	var sent map[string]any
	if err := json.Unmarshal([]byte(got[1].Body), &sent); err != nil {
		t.Fatal(err)
	}
	if pw, _ := sent["password"].(string); len(pw) < 16 {
		t.Errorf("password placeholder %q, want a random string", pw)
	}
	if sent["externalId"] != u.ID {
		t.Errorf("externalId = %v, want the Okta user id %s", sent["externalId"], u.ID)
	}

	tr := org.Transcript(app.ID)
	if len(tr) != 2 || tr[1].Status != 201 || tr[1].ResponseBody == "" || !strings.Contains(tr[1].ResponseBody, "srv-42") {
		t.Fatalf("transcript = %+v", tr)
	}
	for _, ex := range tr {
		if a := ex.RequestHeader.Get("Authorization"); a != "Bearer [REDACTED]" {
			t.Errorf("transcript Authorization = %q, want redacted", a)
		}
	}
	if strings.Contains(tr[1].RequestBody, sent["password"].(string)) {
		t.Error("transcript holds the password placeholder")
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, []byte(tr[1].RequestBody), "", "  "); err != nil {
		t.Fatal(err)
	}
	golden(t, "scim-create-user.golden.json", pretty.Bytes())
	if id, ok := org.ExternalID(app.ID, u.ID); !ok || id != "srv-42" {
		t.Errorf("ExternalID = %q, %v; want srv-42", id, ok)
	}
	// Assigning again pushes nothing: Okta already provisioned the user.
	seq := org.TaskSeq()
	err := org.AssignUser(t.Context(), app.ID, u.ID)
	if err == nil {
		err = org.Settle(t.Context(), app.ID, seq)
	}
	if err != nil || len(org.Transcript(app.ID)) != 2 {
		t.Errorf("second assign: err %v, %d exchanges; want no push", err, len(org.Transcript(app.ID)))
	}
}

func TestSCIMPushLinksExistingUser(t *testing.T) {
	t.Parallel()
	fake := &fakeSCIM{exists: true}
	org, app, u, _ := scimSetup(t, fake)
	if err := org.AssignUser(t.Context(), app.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	if err := org.Settle(t.Context(), app.ID, 0); err != nil {
		t.Fatal(err)
	}
	// A3: the filter finds the user; Okta links it and sends its app profile (GET, then PUT merged).
	var lines []string
	for _, r := range fake.records {
		lines = append(lines, r.Method+" "+r.URI)
	}
	want := []string{"GET /scim/v2/Users?filter=userName%20eq%20%22alice%40acme.test%22&startIndex=1&count=100",
		"GET /scim/v2/Users/srv-existing", "PUT /scim/v2/Users/srv-existing"}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Fatalf("requests (-want +got):\n%s", diff)
	}
	var put map[string]any
	if err := json.Unmarshal([]byte(fake.records[2].Body), &put); err != nil {
		t.Fatal(err)
	}
	wantPut := map[string]any{"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:User"}, "id": "srv-existing",
		"userName": "alice@acme.test", "externalId": u.ID, "active": true, "displayName": "Alice Anderson",
		"name":   map[string]any{"givenName": "Alice", "familyName": "Anderson", "formatted": "A A"},
		"emails": []any{map[string]any{"primary": true, "value": "alice@acme.test", "type": "work"}},
		"meta":   map[string]any{"resourceType": "User"}}
	if diff := cmp.Diff(wantPut, put); diff != "" {
		t.Errorf("PUT body (-want +got):\n%s", diff)
	}
	if id, _ := org.ExternalID(app.ID, u.ID); id != "srv-existing" {
		t.Errorf("ExternalID = %q, want srv-existing", id)
	}
}

func TestSCIMPushError(t *testing.T) {
	t.Parallel()
	fake := &fakeSCIM{postCode: http.StatusConflict}
	org, app, u, base := scimSetup(t, fake)
	if err := org.AssignUser(t.Context(), app.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	err := org.Settle(t.Context(), app.ID, 0)
	var pe *scimpush.PushError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a *scimpush.PushError", err)
	}
	want := &scimpush.PushError{Method: "POST", URL: base + "/scim/v2/Users", Status: 409,
		Body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"User already exists","status":"409"}`}
	if diff := cmp.Diff(want, pe); diff != "" {
		t.Errorf("push error (-want +got):\n%s", diff)
	}
	for _, s := range []string{"POST", base + "/scim/v2/Users", "409", "User already exists"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
	if _, ok := org.ExternalID(app.ID, u.ID); ok {
		t.Error("external id stored after a failed push")
	}
}
