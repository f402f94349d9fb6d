package syslog

import (
	"context"
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
