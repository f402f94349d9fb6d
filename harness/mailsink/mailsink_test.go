package mailsink

import (
	"context"
	"net/smtp"
	"strings"
	"testing"
	"time"
)

func TestSinkKeepsWhatIsSent(t *testing.T) {
	t.Parallel()
	sink, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	if !strings.HasPrefix(sink.URL(), "smtp://127.0.0.1:") {
		t.Errorf("URL = %q", sink.URL())
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := sink.Wait(ctx, To("Alice@Acme.test"))
		done <- err
	}()

	msg := "From: app@refapp.test\r\nTo: alice@acme.test\r\nSubject: Link your Okta account\r\n\r\nClick here.\r\n"
	if err := smtp.SendMail(sink.Addr(), nil, "app@refapp.test", []string{"alice@acme.test"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := sink.Messages()
	if len(got) != 1 {
		t.Fatalf("got %d messages, want 1", len(got))
	}
	if got[0].Subject != "Link your Okta account" || got[0].From != "app@refapp.test" || got[0].Body != "Click here.\r\n" {
		t.Errorf("message = %+v", got[0])
	}
}

func TestWaitGivesUpWithTheContext(t *testing.T) {
	t.Parallel()
	sink, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := sink.Wait(ctx, To("nobody@acme.test")); err == nil {
		t.Fatal("Wait returned no error for a message that never came")
	}
}
