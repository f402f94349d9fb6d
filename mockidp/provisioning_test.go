package mockidp_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/mockidp"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// scimStore is a small stateful SCIM server: users with active flags, groups with members; it records
// each request as "METHOD path" (queries cut to their first word) and can throttle.
type scimStore struct {
	mu       sync.Mutex
	got      []string
	users    map[string]map[string]any
	groups   map[string]map[string]any
	next     int
	throttle int
}

func newSCIMStore() *scimStore {
	return &scimStore{users: map[string]map[string]any{}, groups: map[string]map[string]any{}}
}

func (s *scimStore) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.got
	s.got = nil
	return out
}

func (s *scimStore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	line := r.Method + " " + strings.TrimPrefix(r.URL.Path, "/scim/v2")
	if f := r.URL.Query().Get("filter"); f != "" {
		line += "?" + strings.Fields(f)[0]
	}
	s.got = append(s.got, line)
	w.Header().Set("Content-Type", "application/scim+json")
	if s.throttle > 0 {
		s.throttle--
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	status, resp := s.handle(r, body)
	w.WriteHeader(status)
	if resp != nil {
		_ = json.NewEncoder(w).Encode(resp)
	}
}

func (s *scimStore) handle(r *http.Request, body []byte) (int, any) {
	var in map[string]any
	_ = json.Unmarshal(body, &in)
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/scim/v2/"), "/")
	coll := s.users
	if parts[0] == "Groups" {
		coll = s.groups
	}
	switch {
	case r.Method == "GET" && len(parts) == 1:
		f := r.URL.Query().Get("filter")
		val := f[strings.Index(f, `"`)+1 : len(f)-1]
		var found []any
		for _, res := range coll {
			if res["userName"] == val || res["displayName"] == val {
				found = append(found, res)
			}
		}
		return 200, map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:ListResponse"},
			"totalResults": len(found), "startIndex": 1, "itemsPerPage": len(found), "Resources": found}
	case r.Method == "POST":
		s.next++
		in["id"] = fmt.Sprintf("%s-%d", strings.ToLower(parts[0][:1]), s.next)
		delete(in, "password")
		coll[in["id"].(string)] = in
		return 201, in
	}
	res, ok := coll[parts[len(parts)-1]]
	if !ok {
		return 404, map[string]any{"detail": "not found"}
	}
	switch r.Method {
	case "GET":
		return 200, res
	case "PUT":
		in["id"] = res["id"]
		coll[res["id"].(string)] = in
		return 200, in
	case "PATCH":
		applyPatch(res, in)
		return 204, nil
	case "DELETE":
		delete(coll, res["id"].(string))
		return 204, nil
	}
	return 405, nil
}

// applyPatch understands Okta's PatchOps: path-less replace, add members, remove members[value eq "x"].
func applyPatch(res, in map[string]any) {
	ops, _ := in["Operations"].([]any)
	for _, o := range ops {
		op := o.(map[string]any)
		path, _ := op["path"].(string)
		switch {
		case path == "":
			for k, v := range op["value"].(map[string]any) {
				res[k] = v
			}
		case op["op"] == "add":
			cur, _ := res["members"].([]any)
			res["members"] = append(cur, op["value"].([]any)...)
		case op["op"] == "remove":
			v := path[strings.Index(path, `"`)+1 : strings.LastIndex(path, `"`)]
			var keep []any
			for _, m := range res["members"].([]any) {
				if m.(map[string]any)["value"] != v {
					keep = append(keep, m)
				}
			}
			res["members"] = keep
		}
	}
}

type provEnv struct {
	org   *mockidp.Org
	app   mockidp.App
	scim  *scimStore
	waits []time.Duration
	seq   int // tasks before the step being checked
}

func provSetup(t *testing.T, flavour string, feats *mockidp.ProvisioningFeatures) *provEnv {
	t.Helper()
	e := &provEnv{scim: newSCIMStore()}
	srv := httptest.NewServer(e.scim)
	t.Cleanup(srv.Close)
	idp, err := mockidp.New(mockidp.Config{BaseURL: "http://127.0.0.1:1", HTTPClient: srv.Client(),
		Rand: rand.NewChaCha8([32]byte{2}), SCIMSleep: func(_ context.Context, d time.Duration) error {
			e.waits = append(e.waits, d)
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	e.org = must(idp.CreateOrg(ctx, "acme"))
	e.app = must(e.org.CreateOIDCApp(ctx, mockidp.OIDCAppInput{Label: "refapp", RedirectURIs: []string{redirectURI}}))
	err = e.org.SetProvisioning(ctx, e.app.ID, mockidp.Provisioning{BaseURL: srv.URL + "/scim/v2", Token: "tok",
		Flavour: flavour, Features: feats})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *provEnv) user(t *testing.T, first string) mockidp.User {
	t.Helper()
	login := strings.ToLower(first) + "@acme.test"
	return must(e.org.CreateUser(t.Context(), mockidp.UserInput{Login: login, FirstName: first, LastName: "Test", Password: "pw"}))
}

func (e *provEnv) scimUser(t *testing.T, id string) map[string]any {
	t.Helper()
	e.scim.mu.Lock()
	defer e.scim.mu.Unlock()
	return e.scim.users[id]
}

// check waits for the app's queue after a step, fails on the step's error or a failed task, and compares
// the requests the step caused.
func check(t *testing.T, step string, err error, e *provEnv, want ...string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	err = e.org.Settle(t.Context(), e.app.ID, e.seq)
	e.seq = e.org.TaskSeq()
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	if diff := cmp.Diff(want, e.scim.requests()); diff != "" {
		t.Errorf("%s: requests (-want +got):\n%s", step, diff)
	}
}

func TestProvisioningUserLifecycle(t *testing.T) {
	t.Parallel()
	for _, flavour := range []string{mockidp.FlavourOIN, mockidp.FlavourAIW} {
		t.Run(flavour, func(t *testing.T) {
			t.Parallel()
			e := provSetup(t, flavour, nil)
			ctx := t.Context()
			u := e.user(t, "Alice")
			check(t, "assign", e.org.AssignUser(ctx, e.app.ID, u.ID), e, "GET /Users?userName", "POST /Users")
			id, _ := e.org.ExternalID(e.app.ID, u.ID)

			name := "Alicia"
			_, err := e.org.UpdateUser(ctx, u.ID, mockidp.UserUpdate{FirstName: &name})
			check(t, "update", err, e, "GET /Users/"+id, "PUT /Users/"+id)
			if got := e.scimUser(t, id)["displayName"]; got != "Alicia Test" {
				t.Errorf("displayName after update = %v", got)
			}
			pw := "new-pw"
			_, err = e.org.UpdateUser(ctx, u.ID, mockidp.UserUpdate{Password: &pw})
			check(t, "password only (Sync Password is not modelled)", err, e)

			toggle := []string{"PATCH /Users/" + id}
			if flavour == mockidp.FlavourAIW {
				toggle = []string{"GET /Users/" + id, "PUT /Users/" + id}
			}
			check(t, "deactivate", e.org.DeactivateUser(ctx, u.ID), e, toggle...)
			if got := e.scimUser(t, id)["active"]; got != false {
				t.Errorf("active after deactivation = %v", got)
			}
			check(t, "activate", e.org.ActivateUser(ctx, u.ID), e, toggle...)
			check(t, "unassign", e.org.UnassignUser(ctx, e.app.ID, u.ID), e, toggle...)
			if got := e.scimUser(t, id)["active"]; got != false {
				t.Errorf("active after unassignment = %v", got)
			}
			check(t, "assign again", e.org.AssignUser(ctx, e.app.ID, u.ID), e, toggle...)
			if again, _ := e.org.ExternalID(e.app.ID, u.ID); again != id || e.scimUser(t, id)["active"] != true {
				t.Errorf("reactivated as %q (active %v), want the same id %q, active", again, e.scimUser(t, id)["active"], id)
			}
			check(t, "suspend", e.org.SuspendUser(ctx, u.ID), e)
			check(t, "unsuspend", e.org.UnsuspendUser(ctx, u.ID), e)
			check(t, "deactivate before delete", e.org.DeactivateUser(ctx, u.ID), e, toggle...)
			check(t, "delete", e.org.DeleteUser(ctx, u.ID), e)
		})
	}
}

func TestProvisioningFeaturesOff(t *testing.T) {
	t.Parallel()
	e := provSetup(t, mockidp.FlavourOIN, &mockidp.ProvisioningFeatures{Create: true})
	ctx := t.Context()
	u := e.user(t, "Bob")
	check(t, "assign", e.org.AssignUser(ctx, e.app.ID, u.ID), e, "GET /Users?userName", "POST /Users")
	name := "Robert"
	_, err := e.org.UpdateUser(ctx, u.ID, mockidp.UserUpdate{FirstName: &name})
	check(t, "update with Update off", err, e)
	check(t, "deactivate with Deactivate off", e.org.DeactivateUser(ctx, u.ID), e)
	g := must(e.org.CreateGroup(ctx, mockidp.GroupInput{Name: "Eng"}))
	if err := e.org.PushGroup(ctx, e.app.ID, g.ID); !errors.Is(err, mockidp.ErrFeatureOff) {
		t.Errorf("PushGroup with Push Groups off: %v, want ErrFeatureOff", err)
	}
	e2 := provSetup(t, mockidp.FlavourOIN, &mockidp.ProvisioningFeatures{})
	check(t, "assign with Create off", e2.org.AssignUser(ctx, e2.app.ID, e2.user(t, "Cat").ID), e2)
}

func TestProvisioningGroups(t *testing.T) {
	t.Parallel()
	for _, flavour := range []string{mockidp.FlavourOIN, mockidp.FlavourAIW} {
		t.Run(flavour, func(t *testing.T) {
			t.Parallel()
			e := provSetup(t, flavour, nil)
			ctx := t.Context()
			ann, bob, cat := e.user(t, "Ann"), e.user(t, "Bob"), e.user(t, "Cat")
			g := must(e.org.CreateGroup(ctx, mockidp.GroupInput{Name: "Eng"}))
			for _, u := range []mockidp.User{ann, bob} {
				if err := e.org.AddGroupMember(ctx, g.ID, u.ID); err != nil {
					t.Fatal(err)
				}
			}
			check(t, "assign group", e.org.AssignGroup(ctx, e.app.ID, g.ID), e,
				"GET /Users?userName", "POST /Users", "GET /Users?userName", "POST /Users")
			push := []string{"POST /Groups", "PATCH /Groups/g-3"}
			if flavour == mockidp.FlavourAIW {
				push = []string{"GET /Groups?displayName", "POST /Groups", "GET /Groups/g-3", "PUT /Groups/g-3"}
			}
			check(t, "push group", e.org.PushGroup(ctx, e.app.ID, g.ID), e, push...)
			gid, _ := e.org.GroupExternalID(e.app.ID, g.ID)
			if gid != "g-3" || len(e.scim.groups[gid]["members"].([]any)) != 2 {
				t.Fatalf("pushed group %q = %v, want 2 members", gid, e.scim.groups[gid])
			}
			update := []string{"PATCH /Groups/" + gid}
			if flavour == mockidp.FlavourAIW {
				update = []string{"GET /Groups/" + gid, "PUT /Groups/" + gid}
			}
			check(t, "add member", e.org.AddGroupMember(ctx, g.ID, cat.ID), e,
				append([]string{"GET /Users?userName", "POST /Users"}, update...)...)
			deact := []string{"PATCH /Users/u-1"}
			if flavour == mockidp.FlavourAIW {
				deact = []string{"GET /Users/u-1", "PUT /Users/u-1"}
			}
			check(t, "remove member (loses the app too)", e.org.RemoveGroupMember(ctx, g.ID, ann.ID), e,
				append(deact, update...)...)
			if m := e.scim.groups[gid]["members"].([]any); len(m) != 2 {
				t.Errorf("members after add and remove = %v, want bob and cat", m)
			}
			_, err := e.org.UpdateGroup(ctx, g.ID, mockidp.GroupInput{Name: "Platform"})
			check(t, "rename", err, e, update...)
			if got := e.scim.groups[gid]["displayName"]; got != "Platform" {
				t.Errorf("displayName after rename = %v", got)
			}
			check(t, "unlink, leave", e.org.UnlinkGroup(ctx, e.app.ID, g.ID, false), e)
			if _, ok := e.org.GroupExternalID(e.app.ID, g.ID); ok || e.scim.groups[gid] == nil {
				t.Error("unlink (leave) must drop the link and keep the app's group")
			}
			check(t, "push again", e.org.PushGroup(ctx, e.app.ID, g.ID), e, pushAgain(flavour)...)
			gid2, _ := e.org.GroupExternalID(e.app.ID, g.ID)
			check(t, "unlink, delete", e.org.UnlinkGroup(ctx, e.app.ID, g.ID, true), e, "DELETE /Groups/"+gid2)
			if err := e.org.UnlinkGroup(ctx, e.app.ID, g.ID, true); !errors.Is(err, mockidp.ErrNotFound) {
				t.Errorf("unlink twice: %v, want ErrNotFound", err)
			}
		})
	}
}

// pushAgain is a second push of a group whose app group was left behind: OIN creates another one, AIW
// finds it by name and links it.
func pushAgain(flavour string) []string {
	if flavour == mockidp.FlavourAIW {
		return []string{"GET /Groups?displayName", "GET /Groups/g-3", "PUT /Groups/g-3"}
	}
	return []string{"POST /Groups", "PATCH /Groups/g-5"}
}

func TestProvisioningRateLimitAndSystemLog(t *testing.T) {
	t.Parallel()
	e := provSetup(t, mockidp.FlavourOIN, nil)
	ctx := t.Context()
	u := e.user(t, "Dan")
	e.scim.throttle = 2
	check(t, "assign through two 429s", e.org.AssignUser(ctx, e.app.ID, u.ID), e,
		"GET /Users?userName", "GET /Users?userName", "GET /Users?userName", "POST /Users")
	if diff := cmp.Diff([]time.Duration{time.Second, 2 * time.Second}, e.waits); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	evs := e.org.SystemLog().Events(syslog.Query{EventType: mockidp.EventProvisionRateLimit})
	if len(evs) != 2 {
		t.Errorf("%d rate limit events, want 2", len(evs))
	}
	push := e.org.SystemLog().Events(syslog.Query{EventType: mockidp.EventProvisionUserPush})
	if len(push) != 1 || push[0].Outcome.Result != "SUCCESS" || len(push[0].Debug) != 4 {
		t.Fatalf("push events = %+v, want one success listing 4 exchanges", push)
	}
	e.scim.throttle = mockidp.SCIMMaxAttempts
	if err := e.org.DeactivateUser(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	err := e.org.Settle(ctx, e.app.ID, e.seq)
	e.seq = e.org.TaskSeq()
	if err == nil || !strings.Contains(err.Error(), "429") {
		t.Errorf("deactivate after %d 429s: %v, want an error", mockidp.SCIMMaxAttempts, err)
	}
	deact := e.org.SystemLog().Events(syslog.Query{EventType: mockidp.EventProvisionUserDeactivate})
	if len(deact) != 1 || deact[0].Outcome.Result != "FAILURE" {
		t.Errorf("deactivate events = %+v, want one failure", deact)
	}
	e.scim.requests()
	check(t, "Push Now retries the deactivation", e.org.Provision(ctx, e.app.ID), e, "PATCH /Users/u-1")
}
