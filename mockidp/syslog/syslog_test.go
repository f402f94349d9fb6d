package syslog

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"
)

func TestLogKeepsTheNewestAndFilters(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	l := New(Config{Max: 3, Now: func() time.Time { now = now.Add(time.Second); return now }})
	ctx := context.Background()
	l.Append(ctx, Event{EventType: TypeSessionStart, Outcome: Success()})
	l.Append(ctx, Event{EventType: TypeSSO, Outcome: Success(), Targets: []Target{AppTarget("0oa1", "refapp")}})
	l.Append(ctx, Event{EventType: TypeUnauthAppAccess, Outcome: Deny("not assigned")})
	l.Append(ctx, Event{EventType: TypeUserLifecycle + ".create"})

	all := l.Events(Query{})
	if len(all) != 3 || all[0].EventType != TypeSSO {
		t.Fatalf("events = %+v, want the newest 3 starting with the SSO event", all)
	}
	if all[1].Severity != "WARN" || all[0].Severity != "INFO" || all[0].UUID == "" {
		t.Errorf("severity/uuid not filled: %+v", all[:2])
	}
	if got := l.Events(Query{TargetID: "0oa1"}); len(got) != 1 {
		t.Errorf("by target: %d events", len(got))
	}
	if got := l.Events(Query{EventType: "user.lifecycle."}); len(got) != 1 {
		t.Errorf("by prefix: %d events", len(got))
	}
	if got := l.Events(Query{Limit: 1}); len(got) != 1 || got[0].EventType != TypeUserLifecycle+".create" {
		t.Errorf("limit: %+v", got)
	}
	var nilLog *Log
	nilLog.Append(ctx, Event{})
	if nilLog.Events(Query{}) != nil {
		t.Error("a nil log returned events")
	}
}

func TestEventsCarryTheirRequest(t *testing.T) {
	t.Parallel()
	l := New(Config{})
	uuidRE := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	ctx := WithRequest(context.Background(), "req-1", Client{IPAddress: "127.0.0.1", UserAgent: "test-agent"})
	l.Append(ctx, Event{EventType: TypeSessionStart})
	l.Append(ctx, Event{EventType: TypeSSO})
	l.Append(context.Background(), Event{EventType: TypeProvisionPush})
	ev := l.Events(Query{})
	for i, e := range ev {
		if !uuidRE.MatchString(e.UUID) || e.UUID == e.TransactionID || e.Seq != uint64(i+1) {
			t.Errorf("event %d: uuid %q, transaction %q, seq %d", i, e.UUID, e.TransactionID, e.Seq)
		}
	}
	if ev[0].TransactionID != "req-1" || ev[1].TransactionID != "req-1" || ev[0].TransactionType != "WEB" ||
		ev[0].Client.IPAddress != "127.0.0.1" || ev[0].Client.UserAgent != "test-agent" || ev[0].UUID == ev[1].UUID {
		t.Errorf("request events: %+v", ev[:2])
	}
	if ev[2].TransactionType != "JOB" || len(ev[2].TransactionID) != 27 || ev[2].Client != (Client{}) {
		t.Errorf("background event: %+v", ev[2])
	}
	if got := l.Events(Query{AfterSeq: 2}); len(got) != 1 || got[0].Seq != 3 {
		t.Errorf("after seq 2: %+v", got)
	}
}

func TestMiddlewareSetsTheRequestID(t *testing.T) {
	t.Parallel()
	var seen string
	h := Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { seen = RequestID(r.Context()) }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if id := rec.Header().Get(RequestIDHeader); len(id) != 27 || id != seen {
		t.Errorf("X-Okta-Request-Id %q, context %q", id, seen)
	}
}
