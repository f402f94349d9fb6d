package mgmtapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

var nextRE = regexp.MustCompile(`<([^>]*)>; rel="next"`)

// getLogs fetches a System Log page and returns the event types and the next link ("" when absent).
func (e *env) getLogs(t *testing.T, pathOrURL string) (types []string, next string) {
	t.Helper()
	u := pathOrURL
	if !strings.HasPrefix(u, "http") {
		u = e.base + u
	}
	req, err := http.NewRequestWithContext(t.Context(), "GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "SSWS "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var events []struct{ EventType string }
	if err := json.NewDecoder(resp.Body).Decode(&events); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", u, resp.StatusCode, err)
	}
	for _, ev := range events {
		types = append(types, ev.EventType)
	}
	for _, l := range resp.Header.Values("Link") {
		if m := nextRE.FindStringSubmatch(l); m != nil {
			next = m[1]
		}
	}
	return types, next
}

// TestLogPaging follows Okta's System Log API "Request types": a polling request (no until) always links a
// next page, even when the page is empty, and that link later yields events appended since; a bounded
// request (until) links a next page only while there are more events.
func TestLogPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	log := e.dir.Log()
	for _, typ := range []string{"a.one", "a.two", "a.three", "a.four", "a.five"} {
		log.Append(context.Background(), syslog.Event{EventType: typ})
	}
	filter := "&filter=" + strings.ReplaceAll(`eventType sw "a."`, " ", "%20")
	var all []string
	next := "/api/v1/logs?limit=2" + filter
	for range 10 {
		types, n := e.getLogs(t, next)
		if n == "" {
			t.Fatalf("polling page %q has no next link", next)
		}
		if len(types) == 0 {
			next = n
			break
		}
		all, next = append(all, types...), n
	}
	if got := strings.Join(all, " "); got != "a.one a.two a.three a.four a.five" {
		t.Errorf("followed next until empty: %s", got)
	}
	log.Append(context.Background(), syslog.Event{EventType: "a.six"})
	if types, n := e.getLogs(t, next); len(types) != 1 || types[0] != "a.six" || n == "" {
		t.Errorf("polling after a new event: %v, next %q", types, n)
	}

	bounded := "/api/v1/logs?limit=3&until=2100-01-01T00:00:00Z" + filter
	types, n := e.getLogs(t, bounded)
	if len(types) != 3 || n == "" {
		t.Fatalf("bounded first page: %v next %q", types, n)
	}
	if types, n = e.getLogs(t, n); len(types) != 3 || n != "" {
		t.Errorf("bounded last page: %v next %q", types, n)
	}
	if types, _ = e.getLogs(t, "/api/v1/logs?limit=2&sortOrder=DESCENDING"+filter); strings.Join(types, " ") != "a.six a.five" {
		t.Errorf("descending: %v", types)
	}
	if status, body := e.do("GET", "/api/v1/logs?after=nonsense", ""); status != 400 || errorCode(body) != "E0000001" {
		t.Errorf("bad cursor: %d %s", status, body)
	}
}

// TestEveryoneGroup follows Okta's Groups API: the BUILT_IN group Everyone is listed, holds every user,
// is among each user's groups, and cannot be changed.
func TestEveryoneGroup(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, created := e.do("POST", "/api/v1/users?activate=true",
		`{"profile":{"login":"bob@acme.test","email":"bob@acme.test","firstName":"Bob","lastName":"B"}}`)
	uid := id(t, created)
	var groups []struct {
		ID, Type string
		Profile  struct{ Name string }
	}
	status, body := e.do("GET", "/api/v1/groups", "")
	if err := json.Unmarshal(body, &groups); err != nil || status != 200 || len(groups) != 1 ||
		groups[0].Type != "BUILT_IN" || groups[0].Profile.Name != "Everyone" {
		t.Fatalf("groups: %d %s", status, body)
	}
	everyone := groups[0].ID
	if _, body := e.do("GET", "/api/v1/groups/"+everyone+"/users", ""); !strings.Contains(string(body), uid) {
		t.Errorf("Everyone's users lack the new user: %s", body)
	}
	if _, body := e.do("GET", "/api/v1/users/"+uid+"/groups", ""); !strings.Contains(string(body), everyone) {
		t.Errorf("user's groups lack Everyone: %s", body)
	}
	for _, c := range []struct{ method, path string }{
		{"PUT", "/api/v1/groups/" + everyone}, {"DELETE", "/api/v1/groups/" + everyone},
		{"PUT", "/api/v1/groups/" + everyone + "/users/" + uid},
	} {
		if status, body := e.do(c.method, c.path, `{"profile":{"name":"x"}}`); status != 403 || errorCode(body) != "E0000006" {
			t.Errorf("%s %s: %d %s", c.method, c.path, status, body)
		}
	}
}
