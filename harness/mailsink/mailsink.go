// Package mailsink is an in-process SMTP server that keeps every message it receives, so specs can read
// the mail an app sends (account-linking invitations) and developers running the stack can see it.
// It accepts any sender and recipient and needs no authentication; it listens on loopback only.
//
//	sink, err := mailsink.Start("127.0.0.1:0")
//	defer sink.Close()
//	// point the app at sink.URL() ("smtp://127.0.0.1:PORT")
//	msg, err := sink.Wait(ctx, func(m mailsink.Message) bool { return m.To[0] == "alice@acme.test" })
package mailsink

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// maxMessageBytes bounds one message; the apps under test send short notices.
const maxMessageBytes = 1 << 20

// Message is one received mail.
type Message struct {
	From     string
	To       []string
	Subject  string
	Body     string // the raw body after the headers, as sent
	Raw      []byte
	Received time.Time
}

// Sink is a running SMTP capture server.
type Sink struct {
	srv  *smtp.Server
	ln   net.Listener
	mu   sync.Mutex
	msgs []Message
	seen chan struct{} // closed and replaced on each new message
}

// Start listens on addr (a loopback address such as "127.0.0.1:0") and serves SMTP until Close.
func Start(addr string) (*Sink, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("mail sink: listen %s: %w", addr, err)
	}
	s := &Sink{ln: ln, seen: make(chan struct{})}
	s.srv = smtp.NewServer(backend{s})
	s.srv.Domain = "mailsink.test"
	s.srv.MaxMessageBytes = maxMessageBytes
	s.srv.ReadTimeout = 30 * time.Second
	s.srv.WriteTimeout = 30 * time.Second
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Addr is the host:port the sink listens on.
func (s *Sink) Addr() string { return s.ln.Addr().String() }

// URL is the sink's address as an smtp:// URL, the form the apps' --smtp-url flags take.
func (s *Sink) URL() string { return "smtp://" + s.Addr() }

// Close stops the server.
func (s *Sink) Close() error { return s.srv.Close() }

// Messages returns a copy of every message received so far, oldest first.
func (s *Sink) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.msgs)
}

// Wait returns the first message (oldest first) for which match is true, waiting for new mail until ctx
// ends.
func (s *Sink) Wait(ctx context.Context, match func(Message) bool) (Message, error) {
	for {
		s.mu.Lock()
		for _, m := range s.msgs {
			if match(m) {
				s.mu.Unlock()
				return m, nil
			}
		}
		seen := s.seen
		s.mu.Unlock()
		select {
		case <-seen:
		case <-ctx.Done():
			return Message{}, fmt.Errorf("mail sink: no matching message among %d received: %w", len(s.Messages()), ctx.Err())
		}
	}
}

// To matches messages addressed to addr (case-insensitive).
func To(addr string) func(Message) bool {
	return func(m Message) bool {
		return slices.ContainsFunc(m.To, func(t string) bool { return strings.EqualFold(t, addr) })
	}
}

func (s *Sink) add(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	close(s.seen)
	s.seen = make(chan struct{})
}

type backend struct{ sink *Sink }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{sink: b.sink}, nil }

type session struct {
	sink *Sink
	from string
	to   []string
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("read message: %w", err)
	}
	m := Message{From: s.from, To: slices.Clone(s.to), Raw: raw, Received: time.Now()}
	if parsed, err := mail.ReadMessage(strings.NewReader(string(raw))); err == nil {
		m.Subject = parsed.Header.Get("Subject")
		body, _ := io.ReadAll(parsed.Body)
		m.Body = string(body)
	}
	s.sink.add(m)
	return nil
}
