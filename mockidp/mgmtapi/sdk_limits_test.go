package mgmtapi_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/okta/okta-sdk-golang/v5/okta"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/ratelimit"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// TestOktaSDKLogPagingAndRateLimits drives the System Log and the rate limiter with okta-sdk-golang:
// it follows next links until a page comes back empty (a polling query always has one), reads the
// X-Rate-Limit-* headers, and retries a forced 429 E0000047 after X-Rate-Limit-Reset, as the SDK does.
func TestOktaSDKLogPagingAndRateLimits(t *testing.T) {
	t.Parallel()
	log := syslog.New(syslog.Config{})
	dir, err := directory.New(directory.Config{Name: "acme", Log: log})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 7 {
		log.Append(context.Background(), syslog.Event{EventType: fmt.Sprintf("test.event.%d", i)})
	}
	lim := ratelimit.New(ratelimit.Config{Limits: map[string]int{"/api/v1/logs": 50}})
	client := newSDKClient(t, dir, log, lim, okta.WithRateLimitMaxRetries(2), okta.WithRateLimitMaxBackOff(5))
	ctx := t.Context()

	events, resp, err := client.SystemLogAPI.ListLogEvents(ctx).Filter(`eventType sw "test.event."`).Limit(3).Execute()
	if err != nil {
		t.Fatalf("list logs: %v", err)
	}
	if got := resp.Header.Get("X-Rate-Limit-Limit"); got != "50" {
		t.Errorf("X-Rate-Limit-Limit = %q", got)
	}
	if got, _ := strconv.Atoi(resp.Header.Get("X-Rate-Limit-Remaining")); got != 49 {
		t.Errorf("X-Rate-Limit-Remaining = %d", got)
	}
	seen := len(events)
	for pages := 1; resp.HasNextPage(); pages++ {
		if pages > 10 {
			t.Fatal("the next links never led to an empty page")
		}
		var page []okta.LogEvent
		if resp, err = resp.Next(&page); err != nil {
			t.Fatalf("next page: %v", err)
		}
		if len(page) == 0 {
			break
		}
		for _, ev := range page {
			if ev.GetUuid() == "" || ev.Transaction.GetId() == ev.GetUuid() {
				t.Errorf("event %s: uuid %q transaction %q", ev.GetEventType(), ev.GetUuid(), ev.Transaction.GetId())
			}
		}
		seen += len(page)
	}
	if seen != 7 {
		t.Errorf("followed next until empty: %d events, want 7", seen)
	}

	lim.Force("/api/v1/logs", 1)
	if _, resp, err = client.SystemLogAPI.ListLogEvents(ctx).Limit(1).Execute(); err != nil || resp.StatusCode != 200 {
		t.Fatalf("after a forced 429 the SDK should retry and succeed: %v", err)
	}
	if resp.Request.Header.Get("X-Okta-Retry-Count") != "1" || resp.Request.Header.Get("X-Okta-Retry-For") == "" {
		t.Errorf("the SDK did not retry with the 429's request id: %v", resp.Request.Header)
	}

}
