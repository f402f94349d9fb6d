package scimpush

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeServer is a SCIM server that answers every request Okta sends with a plausible body and records
// what it got.
type fakeServer struct {
	mu         sync.Mutex
	got        []string // "METHOD /path?query"
	bodies     []string
	userExists bool // the userName filter finds "u-9"
	groupFound bool // the displayName filter finds "g-9"
	throttle   int  // answer this many requests with 429 first
	retryAfter string
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.got = append(f.got, r.Method+" "+r.URL.RequestURI())
	f.bodies = append(f.bodies, string(body))
	throttled := f.throttle > 0
	if throttled {
		f.throttle--
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", MediaType)
	if throttled {
		if f.retryAfter != "" {
			w.Header().Set("Retry-After", f.retryAfter)
		}
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"429"}`)
		return
	}
	status, resp := f.answer(r, body)
	w.WriteHeader(status)
	_, _ = io.WriteString(w, resp)
}

func (f *fakeServer) answer(r *http.Request, body []byte) (int, string) {
	list := func(found bool, id string) string {
		if !found {
			return `{"schemas":["` + SchemaListResponse + `"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}`
		}
		return `{"schemas":["` + SchemaListResponse + `"],"totalResults":1,"startIndex":1,"itemsPerPage":1,"Resources":[{"id":"` + id + `"}]}`
	}
	p := r.URL.Path
	switch {
	case r.Method == "GET" && p == "/scim/v2/Users":
		return 200, list(f.userExists, "u-9")
	case r.Method == "GET" && p == "/scim/v2/Groups":
		return 200, list(f.groupFound, "g-9")
	case r.Method == "POST" && p == "/scim/v2/Users":
		return 201, `{"schemas":["` + SchemaUser + `"],"id":"u-1"}`
	case r.Method == "POST" && p == "/scim/v2/Groups":
		return 201, `{"schemas":["` + SchemaGroup + `"],"id":"g-1","displayName":"x","members":[]}`
	case r.Method == "GET" && strings.HasPrefix(p, "/scim/v2/Users/"):
		return 200, `{"schemas":["` + SchemaUser + `"],"id":"` + strings.TrimPrefix(p, "/scim/v2/Users/") +
			`","userName":"old@acme.test","name":{"givenName":"Old","familyName":"Name","formatted":"Old Name"},` +
			`"emails":[{"primary":true,"value":"old@acme.test","type":"work"}],"active":true,"meta":{"resourceType":"User"},"x-vendor":1}`
	case r.Method == "GET" && strings.HasPrefix(p, "/scim/v2/Groups/"):
		return 200, `{"schemas":["` + SchemaGroup + `"],"id":"g","displayName":"Old","members":[]}`
	case r.Method == "PUT", r.Method == "PATCH" && strings.HasPrefix(p, "/scim/v2/Users/"):
		return 200, string(body)
	case r.Method == "PATCH", r.Method == "DELETE":
		return 204, ""
	}
	return 404, `{"detail":"no route"}`
}

var alice = User{ID: "00ualice", UserName: "alice@acme.test", GivenName: "Alice", FamilyName: "Anders",
	Email: "alice@acme.test"}

var (
	ann = Member{Value: "u-1", Display: "ann@acme.test"}
	bob = Member{Value: "u-2", Display: "bob@acme.test"}
	cat = Member{Value: "u-3", Display: "cat@acme.test"}
)

func TestSequences(t *testing.T) {
	t.Parallel()
	const filterU = "GET /scim/v2/Users?filter=userName%20eq%20%22alice%40acme.test%22&startIndex=1&count=100"
	const filterG = "GET /scim/v2/Groups?filter=displayName%20eq%20%22Eng%22&startIndex=1&count=100"
	putAlice := func(active bool) string {
		a := "true"
		if !active {
			a = "false"
		}
		return `{"active":` + a + `,"displayName":"Alice Anders","emails":[{"primary":true,"value":"alice@acme.test","type":"work"}],` +
			`"externalId":"00ualice","id":"u-1","meta":{"resourceType":"User"},` +
			`"name":{"familyName":"Anders","formatted":"Old Name","givenName":"Alice"},` +
			`"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"alice@acme.test","x-vendor":1}`
	}
	const patchOff = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`
	const patchOn = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":true}}]}`
	const postGroup = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Eng","members":[]}`
	eng := Group{DisplayName: "Eng", Members: []Member{ann, bob}}
	tests := []struct {
		name    string
		flavour Flavour
		srv     fakeServer // settings only; copied before use
		run     func(context.Context, *Client, Target, *Transcript) error
		want    []string
		bodies  map[int]string // request index -> exact body
	}{
		{name: "A3 link existing user", flavour: FlavourOIN, srv: fakeServer{userExists: true},
			run: func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
				res, err := c.PushUser(ctx, t, alice, tr)
				if err == nil && (res.ID != "u-9" || res.Created) {
					err = errors.New("result " + res.ID)
				}
				return err
			},
			want: []string{filterU, "GET /scim/v2/Users/u-9", "PUT /scim/v2/Users/u-9"}},
		{name: "A4 profile update OIN", flavour: FlavourOIN,
			run: func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
				return c.UpdateUser(ctx, t, "u-1", alice, tr)
			},
			want: []string{"GET /scim/v2/Users/u-1", "PUT /scim/v2/Users/u-1"}, bodies: map[int]string{1: putAlice(true)}},
		{name: "A4 profile update AIW", flavour: FlavourAIW,
			run: func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
				return c.UpdateUser(ctx, t, "u-1", alice, tr)
			},
			want: []string{"GET /scim/v2/Users/u-1", "PUT /scim/v2/Users/u-1"}, bodies: map[int]string{1: putAlice(true)}},
		{name: "A5 deactivate OIN", flavour: FlavourOIN,
			run: func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
				return c.SetActive(ctx, t, "u-1", alice, false, tr)
			},
			want: []string{"PATCH /scim/v2/Users/u-1"}, bodies: map[int]string{0: patchOff}},
		{name: "A5 deactivate AIW", flavour: FlavourAIW,
			run: func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
				return c.SetActive(ctx, t, "u-1", alice, false, tr)
			},
			want: []string{"GET /scim/v2/Users/u-1", "PUT /scim/v2/Users/u-1"}, bodies: map[int]string{1: putAlice(false)}},
		{name: "A8 reactivate OIN", flavour: FlavourOIN,
			run: func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
				return c.SetActive(ctx, t, "u-1", alice, true, tr)
			},
			want: []string{"PATCH /scim/v2/Users/u-1"}, bodies: map[int]string{0: patchOn}},
		{name: "A8 reactivate AIW", flavour: FlavourAIW,
			run: func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
				return c.SetActive(ctx, t, "u-1", alice, true, tr)
			},
			want: []string{"GET /scim/v2/Users/u-1", "PUT /scim/v2/Users/u-1"}, bodies: map[int]string{1: putAlice(true)}},
		{name: "A12 push group OIN", flavour: FlavourOIN,
			run: func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
				return wantID(c.PushGroup(ctx, t, eng, tr))("g-1")
			},
			want: []string{"POST /scim/v2/Groups", "PATCH /scim/v2/Groups/g-1"},
			bodies: map[int]string{0: postGroup, 1: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` +
				`{"op":"add","path":"members","value":[{"value":"u-1","display":"ann@acme.test"},{"value":"u-2","display":"bob@acme.test"}]}]}`}},
		{name: "A12 push empty group OIN", flavour: FlavourOIN,
			run: func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
				return wantID(c.PushGroup(ctx, t, Group{DisplayName: "Eng"}, tr))("g-1")
			},
			want: []string{"POST /scim/v2/Groups"}, bodies: map[int]string{0: postGroup}},
		{name: "A12 push group AIW", flavour: FlavourAIW,
			run: func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
				return wantID(c.PushGroup(ctx, t, eng, tr))("g-1")
			},
			want: []string{filterG, "POST /scim/v2/Groups", "GET /scim/v2/Groups/g-1", "PUT /scim/v2/Groups/g-1"},
			bodies: map[int]string{1: postGroup, 3: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Eng",` +
				`"members":[{"value":"u-1","display":"ann@acme.test"},{"value":"u-2","display":"bob@acme.test"}]}`}},
		{name: "A12 push group AIW, name exists", flavour: FlavourAIW, srv: fakeServer{groupFound: true},
			run: func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
				return wantID(c.PushGroup(ctx, t, eng, tr))("g-9")
			},
			want: []string{filterG, "GET /scim/v2/Groups/g-9", "PUT /scim/v2/Groups/g-9"}},
		{name: "A14 membership OIN", flavour: FlavourOIN,
			run: func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
				return c.UpdateGroup(ctx, t, "g-1", eng, Group{DisplayName: "Eng", Members: []Member{bob, cat}}, tr)
			},
			want: []string{"PATCH /scim/v2/Groups/g-1"},
			bodies: map[int]string{0: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` +
				`{"op":"remove","path":"members[value eq \"u-1\"]"},` +
				`{"op":"add","path":"members","value":[{"value":"u-3","display":"cat@acme.test"}]}]}`}},
		{name: "A14 membership AIW", flavour: FlavourAIW,
			run: func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
				return c.UpdateGroup(ctx, t, "g-1", eng, Group{DisplayName: "Eng", Members: []Member{bob}}, tr)
			},
			want: []string{"GET /scim/v2/Groups/g-1", "PUT /scim/v2/Groups/g-1"},
			bodies: map[int]string{1: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Eng",` +
				`"members":[{"value":"u-2","display":"bob@acme.test"}]}`}},
		{name: "A16 rename OIN", flavour: FlavourOIN,
			run: func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
				return c.UpdateGroup(ctx, t, "g-1", eng, Group{DisplayName: "Platform", Members: eng.Members}, tr)
			},
			want: []string{"PATCH /scim/v2/Groups/g-1"},
			bodies: map[int]string{0: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` +
				`{"op":"replace","value":{"displayName":"Platform","id":"g-1"}}]}`}},
		{name: "A16 rename AIW", flavour: FlavourAIW,
			run: func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
				return c.UpdateGroup(ctx, t, "g-1", eng, Group{DisplayName: "Platform", Members: eng.Members}, tr)
			},
			want: []string{"GET /scim/v2/Groups/g-1", "PUT /scim/v2/Groups/g-1"}},
		{name: "no change sends nothing", flavour: FlavourOIN,
			run: func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
				return c.UpdateGroup(ctx, t, "g-1", eng, Group{DisplayName: "Eng", Members: []Member{bob, ann}}, tr)
			}},
		{name: "A18 delete group", flavour: FlavourAIW,
			run: func(ctx context.Context, c *Client, t Target, tr *Transcript) error {
				return c.DeleteGroup(ctx, t, "g-1", tr)
			},
			want: []string{"DELETE /scim/v2/Groups/g-1"}, bodies: map[int]string{0: ""}},
	}
	for i := range tests {
		tc := &tests[i]
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeServer{userExists: tc.srv.userExists, groupFound: tc.srv.groupFound}
			srv := httptest.NewServer(f)
			defer srv.Close()
			c := New(Config{HTTPClient: srv.Client()})
			var tr Transcript
			if err := tc.run(t.Context(), c, Target{BaseURL: srv.URL + "/scim/v2", Token: "tok", Flavour: tc.flavour}, &tr); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, f.got); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			for i, want := range tc.bodies {
				if i < len(f.bodies) && !sameJSON(want, f.bodies[i]) {
					t.Errorf("body of request %d =\n %s\nwant\n %s", i, f.bodies[i], want)
				}
			}
			if tr.Len() != len(tc.want) {
				t.Errorf("transcript has %d exchanges, want %d", tr.Len(), len(tc.want))
			}
		})
	}
}

func wantID(got string, err error) func(string) error {
	return func(want string) error {
		if err == nil && got != want {
			return errors.New("group id " + got + ", want " + want)
		}
		return err
	}
}

// sameJSON compares two JSON texts by value (an empty want means no body).
func sameJSON(want, got string) bool {
	if want == "" || got == "" {
		return want == got
	}
	var a, b any
	if json.Unmarshal([]byte(want), &a) != nil || json.Unmarshal([]byte(got), &b) != nil {
		return false
	}
	return cmp.Equal(a, b)
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"1", time.Second}, {" 30 ", 30 * time.Second}, {"0", 0}, {"", DefaultRetryAfter},
		{"1.5", DefaultRetryAfter}, {"Wed, 21 Oct 2026 07:28:00 GMT", DefaultRetryAfter}, {"-3", DefaultRetryAfter},
		{"null", DefaultRetryAfter},
	}
	for _, tc := range tests {
		if got := RetryAfter(tc.in); got != tc.want {
			t.Errorf("RetryAfter(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		throttle   int
		retryAfter string
		wantWaits  []time.Duration
		wantErr    bool
	}{
		{"retry after 1 s, then doubled", 3, "1", []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, false},
		{"no header: 5 minutes", 1, "", []time.Duration{5 * time.Minute}, false},
		{"http date: 5 minutes", 2, "Wed, 21 Oct 2026 07:28:00 GMT", []time.Duration{5 * time.Minute, 10 * time.Minute}, false},
		{"ten 429s fail", 10, "2", []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second,
			32 * time.Second, 64 * time.Second, 128 * time.Second, 256 * time.Second, 512 * time.Second}, true},
		{"nine 429s then success", 9, "2", []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second,
			32 * time.Second, 64 * time.Second, 128 * time.Second, 256 * time.Second, 512 * time.Second}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeServer{throttle: tc.throttle, retryAfter: tc.retryAfter}
			srv := httptest.NewServer(f)
			defer srv.Close()
			var waits []time.Duration
			c := New(Config{HTTPClient: srv.Client(), Sleep: func(_ context.Context, d time.Duration) error {
				waits = append(waits, d)
				return nil
			}})
			var tr Transcript
			err := c.SetActive(t.Context(), Target{BaseURL: srv.URL + "/scim/v2", Token: "t"}, "u-1", alice, false, &tr)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if tc.wantErr && !errors.Is(err, ErrRateLimited) {
				t.Errorf("err = %v, want ErrRateLimited", err)
			}
			if diff := cmp.Diff(tc.wantWaits, waits); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			attempts := min(tc.throttle+1, MaxAttempts)
			if len(f.got) != attempts || tr.Len() != attempts {
				t.Errorf("%d requests, %d recorded; want %d", len(f.got), tr.Len(), attempts)
			}
		})
	}
}

func TestRateLimitWaitCancelled(t *testing.T) {
	t.Parallel()
	f := &fakeServer{throttle: 5, retryAfter: "1"}
	srv := httptest.NewServer(f)
	defer srv.Close()
	c := New(Config{HTTPClient: srv.Client(), Sleep: func(context.Context, time.Duration) error { return context.Canceled }})
	err := c.SetActive(t.Context(), Target{BaseURL: srv.URL, Token: "t"}, "u-1", alice, false, nil)
	var pe *PushError
	if !errors.As(err, &pe) || pe.Status != 429 || !errors.Is(err, context.Canceled) || len(f.got) != 1 {
		t.Errorf("err = %v after %d requests, want a 429 PushError wrapping context.Canceled after 1", err, len(f.got))
	}
}
