package browser

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRetryNavigationRunsTheStepAgainOnTheNewPage(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	calls := 0
	err := retryNavigation(ctx, func() error {
		calls++
		if calls < 3 {
			return errors.New("click #go on http://a.test/: {-32000 Inspected target navigated or closed }")
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Fatalf("err = %v after %d calls, want success on the third", err, calls)
	}
}

func TestRetryNavigationStopsOnOtherErrorsAndAtTheDeadline(t *testing.T) {
	t.Parallel()
	calls := 0
	err := retryNavigation(context.Background(), func() error { calls++; return errors.New("element not found\nstack") })
	if err == nil || calls != 1 || strings.Contains(err.Error(), "stack") {
		t.Fatalf("err = %v after %d calls, want the first line of the error at once", err, calls)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Millisecond)
	defer cancel()
	err = retryNavigation(ctx, func() error { return errors.New("Execution context was destroyed.") })
	if err == nil || !strings.Contains(err.Error(), "Execution context was destroyed") {
		t.Fatalf("err = %v, want the navigation error once the context ended", err)
	}
}
