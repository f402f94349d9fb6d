package syslog

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestAppendRedactsExchanges(t *testing.T) {
	t.Parallel()
	l := New(Config{})
	reqHeader := http.Header{"Authorization": {"Bearer scim-bearer-secret-1"}, "Accept": {"application/scim+json"}}
	respHeader := http.Header{"Set-Cookie": {"sid=cookie-secret-2"}, "X-Echo": {"SSWS 00ssws-secret-3"}}
	x := Exchange{Method: "POST", URL: "https://app.test/token?client_secret=query-secret-4&x=1",
		RequestHeader: reqHeader, Status: 201, ResponseHeader: respHeader,
		RequestBody:  `{"userName":"ann@acme.test","password":"pw-secret-5","nested":{"access_token":"tok-secret-6"}}`,
		ResponseBody: "SAMLResponse=assertion-secret-7&RelayState=keep-me, then Basic YmFzaWMtc2VjcmV0LTg=",
	}
	l.Append(context.Background(), Event{EventType: TypeProvisionPush, Exchanges: []Exchange{x}})
	got := l.Events(Query{})[0].Exchanges[0]

	all := got.URL + got.RequestBody + got.ResponseBody + got.Err
	for _, vs := range got.RequestHeader {
		all += strings.Join(vs, ",")
	}
	for _, vs := range got.ResponseHeader {
		all += strings.Join(vs, ",")
	}
	for _, secret := range []string{"scim-bearer-secret-1", "cookie-secret-2", "00ssws-secret-3", "query-secret-4",
		"pw-secret-5", "tok-secret-6", "assertion-secret-7", "YmFzaWMtc2VjcmV0LTg="} {
		if strings.Contains(all, secret) {
			t.Errorf("stored exchange shows %q:\n%s", secret, all)
		}
	}
	for _, kept := range []string{"Bearer " + Redacted, "ann@acme.test", "keep-me", "x=1", "application/scim+json", "SSWS " + Redacted} {
		if !strings.Contains(all, kept) {
			t.Errorf("stored exchange lost %q:\n%s", kept, all)
		}
	}
	if reqHeader.Get("Authorization") != "Bearer scim-bearer-secret-1" {
		t.Error("Append changed the caller's header map")
	}
}

func TestAppendCutsLongBodies(t *testing.T) {
	t.Parallel()
	l := New(Config{})
	l.Append(context.Background(), Event{Exchanges: []Exchange{{ResponseBody: strings.Repeat("a", MaxExchangeBody+10)}}})
	if n := len(l.Events(Query{})[0].Exchanges[0].ResponseBody); n > MaxExchangeBody+40 {
		t.Errorf("stored body is %d bytes, want at most about %d", n, MaxExchangeBody)
	}
}

func TestQueryByUserTextAndTimeRange(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	l := New(Config{})
	ctx := context.Background()
	ann := UserActor("00uann", "ann@acme.test", "Ann")
	l.Append(ctx, Event{Published: at, EventType: TypeSessionStart, Actor: ann})
	l.Append(ctx, Event{Published: at.Add(time.Hour), EventType: TypeProvisionPush,
		Targets:   []Target{{ID: "00ubob", Type: "User", AlternateID: "bob@acme.test"}, AppTarget("0oa1", "refapp")},
		Exchanges: []Exchange{{Method: "POST", URL: "https://app.test/scim/v2/Users", ResponseBody: `{"id":"scim-77"}`}}})
	l.Append(ctx, Event{Published: at.Add(2 * time.Hour), EventType: TypeSSO, DisplayMessage: "SSO to refapp", Actor: ann})

	count := func(q Query) int { return len(l.Events(q)) }
	cases := []struct {
		name string
		q    Query
		want int
	}{
		{"user by id as actor", Query{User: "00uann"}, 2},
		{"user by login as target, any case", Query{User: "BOB@acme.test"}, 1},
		{"unknown user", Query{User: "00unobody"}, 0},
		{"text in message", Query{Text: "sso TO"}, 1},
		{"text in an exchange body", Query{Text: "scim-77"}, 1},
		{"text in a target", Query{Text: "bob@"}, 1},
		{"since is inclusive", Query{Since: at.Add(time.Hour)}, 2},
		{"until is exclusive", Query{Until: at.Add(time.Hour)}, 1},
		{"a window", Query{Since: at.Add(30 * time.Minute), Until: at.Add(90 * time.Minute)}, 1},
		{"all filters together", Query{User: "00uann", Text: "refapp", Since: at.Add(time.Minute)}, 1},
	}
	for _, c := range cases {
		if got := count(c.q); got != c.want {
			t.Errorf("%s: %d events, want %d", c.name, got, c.want)
		}
	}
}
