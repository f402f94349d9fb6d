package mockidp_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ssoconform/ssoconform/mockidp"
)

// apiCall sends one management API request with the org's SSWS token.
func apiCall(t *testing.T, org *mockidp.Org, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, org.BaseURL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "SSWS "+org.APIToken())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// A failed push shows in the management API's task list in Okta's words, and the API's retry sends it again.
func TestTasksOverTheManagementAPI(t *testing.T) {
	t.Parallel()
	fake := &fakeSCIM{postCode: http.StatusConflict}
	scim := httptest.NewServer(fake)
	t.Cleanup(scim.Close)
	idp := newServer(t, mockidp.Config{})
	ctx := t.Context()
	org := must(idp.CreateOrg(ctx, "acme"))
	app := must(org.CreateOIDCApp(ctx, mockidp.OIDCAppInput{Label: "refapp", RedirectURIs: []string{redirectURI}}))
	u := must(org.CreateUser(ctx, mockidp.UserInput{Login: "ann@acme.test", Password: "pw"}))
	if err := org.SetProvisioning(ctx, app.ID, mockidp.Provisioning{BaseURL: scim.URL + "/scim/v2", Token: "tok-123456"}); err != nil {
		t.Fatal(err)
	}
	if status, body := apiCall(t, org, "POST", "/api/v1/apps/"+app.ID+"/users", `{"id":"`+u.ID+`","scope":"USER"}`); status != 200 {
		t.Fatalf("assign over the API: %d %s", status, body)
	}
	if err := org.WaitQuiet(ctx, app.ID); err != nil {
		t.Fatal(err)
	}
	status, body := apiCall(t, org, "GET", "/api/v1/apps/"+app.ID+"/tasks", "")
	var tasks []struct{ ID, Status, Message string }
	if err := json.Unmarshal([]byte(body), &tasks); err != nil || status != 200 || len(tasks) != 1 {
		t.Fatalf("tasks: %d %s", status, body)
	}
	if tasks[0].Status != "FAILED" || !strings.Contains(tasks[0].Message, "Conflict. Errors reported by remote server: User already exists") {
		t.Errorf("task %+v, want FAILED with the server's detail", tasks[0])
	}
	fake.mu.Lock()
	fake.postCode = 0
	n := len(fake.records)
	fake.mu.Unlock()
	if status, body := apiCall(t, org, "POST", "/api/v1/apps/"+app.ID+"/tasks/"+tasks[0].ID+"/lifecycle/retry", ""); status != 204 {
		t.Fatalf("retry: %d %s", status, body)
	}
	if err := org.WaitQuiet(ctx, app.ID); err != nil {
		t.Fatal(err)
	}
	fake.mu.Lock()
	more := len(fake.records) - n
	fake.mu.Unlock()
	if got := org.Tasks(app.ID)[0]; got.Status != mockidp.TaskCompleted || more != 2 {
		t.Errorf("after retry: %+v, %d more requests; want completed after F(u) and POST", got, more)
	}
	if status, _ := apiCall(t, org, "POST", "/api/v1/apps/"+app.ID+"/tasks/"+tasks[0].ID+"/lifecycle/retry", ""); status != 400 {
		t.Errorf("retry of a completed task: %d, want 400", status)
	}
}

// The mock-only faults endpoint sets an app's faults over HTTP and refuses unknown names.
func TestFaultsOverHTTP(t *testing.T) {
	t.Parallel()
	idp := newServer(t, mockidp.Config{})
	ctx := t.Context()
	org := must(idp.CreateOrg(ctx, "acme"))
	app := must(org.CreateOIDCApp(ctx, mockidp.OIDCAppInput{Label: "refapp", RedirectURIs: []string{redirectURI}}))
	name := mockidp.Faults()[0].Name
	status, body := apiCall(t, org, "PUT", "/api/v1/mock/apps/"+app.ID+"/faults", `{"faults":["`+name+`"]}`)
	if status != 200 || !strings.Contains(body, name) {
		t.Fatalf("PUT faults: %d %s", status, body)
	}
	if _, got := apiCall(t, org, "GET", "/api/v1/mock/apps/"+app.ID+"/faults", ""); got != `{"faults":["`+name+`"]}`+"\n" {
		t.Errorf("faults after PUT = %s", got)
	}
	if status, body := apiCall(t, org, "PUT", "/api/v1/mock/apps/"+app.ID+"/faults", `{"faults":["no-such-fault"]}`); status != 400 ||
		!strings.Contains(body, "E0000001") {
		t.Errorf("unknown fault: %d %s, want 400 E0000001", status, body)
	}
	if status, got := apiCall(t, org, "PUT", "/api/v1/mock/apps/"+app.ID+"/faults", `{"faults":[]}`); status != 200 || got != `{"faults":[]}`+"\n" {
		t.Errorf("clearing faults: %d %s", status, got)
	}
}
