package mailer_test

import (
	"context"
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/ssoconform/ssoconform/refapp/mailer"
	"github.com/ssoconform/ssoconform/refapp/store"
	"github.com/ssoconform/ssoconform/refapp/store/sqlstore"
)

// smtpServer is a loopback SMTP server that refuses every message while failing is set.
type smtpServer struct {
	mu      sync.Mutex
	failing bool
	got     []string // raw messages
	url     string
}

func (s *smtpServer) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s}, nil }

type session struct{ s *smtpServer }

func (*session) Reset()                               {}
func (*session) Logout() error                        { return nil }
func (*session) Mail(string, *smtp.MailOptions) error { return nil }
func (*session) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (se *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	se.s.mu.Lock()
	defer se.s.mu.Unlock()
	if se.s.failing {
		return &smtp.SMTPError{Code: 451, Message: "try again later"}
	}
	se.s.got = append(se.s.got, string(b))
	return nil
}

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{url: "smtp://" + ln.Addr().String()}
	srv := smtp.NewServer(s)
	srv.Domain = "test.localhost"
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return s
}

func (s *smtpServer) setFailing(b bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing = b
}

func (s *smtpServer) messages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.got...)
}

func openStore(t *testing.T) *sqlstore.Store {
	t.Helper()
	st, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func render(m store.OutboxMail) (string, string, error) {
	return "Hello", "Body of " + m.Payload + "\n", nil
}

func TestOutboxNeverLosesMail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := openStore(t)
	srv := startSMTP(t)
	clock := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	s, err := mailer.New(mailer.Config{Store: st, SMTPURL: srv.url, Now: func() time.Time { return clock },
		Renderers: map[string]mailer.Renderer{"test": render}, MinBackoff: time.Second, MaxBackoff: 8 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"m1", "m2"} {
		if err := st.EnqueueMail(ctx, store.OutboxMail{ID: id, Kind: "test", To: id + "@acme.test", Payload: `"` + id + `"`,
			CreatedAt: clock, NextAttemptAt: clock}); err != nil {
			t.Fatal(err)
		}
	}
	srv.setFailing(true)
	waits := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}
	for i, wait := range waits {
		n, err := s.Drain(ctx)
		if err != nil || n != 0 {
			t.Fatalf("pass %d with a failing server: sent %d, %v", i, n, err)
		}
		pending, err := st.PendingMail(ctx, 0)
		if err != nil || len(pending) != 2 {
			t.Fatalf("pass %d: %d pending (%v), want both kept", i, len(pending), err)
		}
		if got := pending[0].NextAttemptAt.Sub(clock); got != wait || pending[0].Attempts != i+1 || pending[0].LastError == "" {
			t.Errorf("pass %d: next attempt in %v after %d attempts (%q), want %v", i, got, pending[0].Attempts, pending[0].LastError, wait)
		}
		if n, _ := s.Drain(ctx); n != 0 { // not due yet: nothing is tried
			t.Errorf("pass %d: a message was sent before it was due", i)
		}
		clock = clock.Add(wait)
	}
	srv.setFailing(false)
	if n, err := s.Drain(ctx); err != nil || n != 2 {
		t.Fatalf("with a working server: sent %d, %v; want 2", n, err)
	}
	if pending, _ := st.PendingMail(ctx, 0); len(pending) != 0 {
		t.Errorf("%d messages still pending after delivery", len(pending))
	}
	got := srv.messages()
	if len(got) != 2 || !strings.Contains(got[0], "To: m1@acme.test") || !strings.Contains(got[0], `Body of "m1"`) {
		t.Errorf("delivered %q", got)
	}
	if n, _ := s.Drain(ctx); n != 0 {
		t.Error("a sent message was sent again")
	}
}

func TestClaimLeasesMessages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := openStore(t)
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := st.EnqueueMail(ctx, store.OutboxMail{ID: "m1", Kind: "test", To: "a@acme.test", Payload: "{}",
		CreatedAt: now, NextAttemptAt: now}); err != nil {
		t.Fatal(err)
	}
	first, err := st.ClaimMail(ctx, now, now.Add(time.Minute), 10)
	if err != nil || len(first) != 1 {
		t.Fatalf("first claim = %d, %v", len(first), err)
	}
	if second, _ := st.ClaimMail(ctx, now, now.Add(time.Minute), 10); len(second) != 0 {
		t.Error("a leased message was claimed twice")
	}
	if again, _ := st.ClaimMail(ctx, now.Add(time.Minute), now.Add(2*time.Minute), 10); len(again) != 1 {
		t.Error("a message whose lease ended (sender died) is not due again")
	}
}

func TestUnknownKindStays(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := openStore(t)
	now := time.Now()
	sent := 0
	s, err := mailer.New(mailer.Config{Store: st, Send: func(context.Context, mailer.Message) error { sent++; return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.EnqueueMail(ctx, store.OutboxMail{ID: "m1", Kind: "mystery", To: "a@acme.test", Payload: "{}",
		CreatedAt: now, NextAttemptAt: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if pending, _ := st.PendingMail(ctx, 0); len(pending) != 1 || sent != 0 {
		t.Errorf("a message without a renderer was dropped or sent")
	}
}

func TestConfigAndFormat(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"", "http://x:25", "smtp://host", "smtp://:25/x"} {
		if _, err := mailer.New(mailer.Config{Store: openStore(t), SMTPURL: u}); err == nil {
			t.Errorf("SMTP URL %q accepted", u)
		}
	}
	if _, err := mailer.Format(mailer.Message{From: "a@b.test", To: "c@d.test\r\nBcc: x@y.test", Subject: "s"}, time.Now()); err == nil {
		t.Error("a header with a line break was accepted")
	}
	raw, err := mailer.Format(mailer.Message{From: "a@b.test", To: "c@d.test", Subject: "Liên kết", Body: "a\nb"}, time.Now())
	if err != nil || !strings.Contains(string(raw), "Subject: =?utf-8?q?") || !strings.HasSuffix(string(raw), "a\r\nb") {
		t.Errorf("Format = %q, %v", raw, err)
	}
	if err := mailer.SMTP("smtp://127.0.0.1:1")(context.Background(), mailer.Message{From: "a@b.test", To: "c@d.test"}); err == nil {
		t.Error("sending to a closed port succeeded")
	}
}
