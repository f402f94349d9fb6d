// Package mailer sends refapp's mail from the outbox table: messages are queued in the database (in the
// same transaction as whatever they announce) and a Sender delivers them over SMTP, retrying with
// exponential backoff. A message that cannot be sent stays in the outbox and is retried, however long
// the SMTP server is away: mail is never lost. Claiming a batch leases it (store.Store.ClaimMail), so
// several refapp instances on one database never send the same message at once, and a sender that dies
// mid-send leaves its batch due again when the lease ends (delivery is at least once).
//
// Messages are rendered at send time by the Renderer registered for their kind (linking.Render for
// account-linking invitations), with the serving app's base URL.
//
// Usage:
//
//	s, err := mailer.New(mailer.Config{Store: st, SMTPURL: "smtp://127.0.0.1:2525", From: "no-reply@app.test",
//		Renderers: map[string]mailer.Renderer{linking.Kind: func(m store.OutboxMail) (string, string, error) {
//			return linking.Render(baseURL, m)
//		}}})
//	go s.Run(ctx)  // sends until ctx ends
//	s.Kick()       // after queuing: send now instead of at the next tick
package mailer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// Outbox is the part of the store the Sender needs.
type Outbox interface {
	ClaimMail(ctx context.Context, now, leaseUntil time.Time, limit int) ([]store.OutboxMail, error)
	MailSent(ctx context.Context, id string, at time.Time) error
	MailFailed(ctx context.Context, id string, next time.Time, reason string) error
}

// Message is one rendered mail.
type Message struct {
	From, To, Subject, Body string
}

// Renderer turns an outbox row into a subject and a plain-text body.
type Renderer func(m store.OutboxMail) (subject, body string, err error)

// Config configures a Sender.
type Config struct {
	// Store is the outbox. Required.
	Store Outbox
	// SMTPURL is the SMTP server, smtp://HOST:PORT. Required unless Send is set.
	SMTPURL string
	// From is the sender address. Default "NeuraLegion <no-reply@refapp.test>".
	From string
	// Renderers render each kind of message. A kind without one stays in the outbox (retried), logged.
	Renderers map[string]Renderer
	// Send delivers one message. Default: SMTP to SMTPURL (see SMTP).
	Send func(ctx context.Context, m Message) error
	// Interval is how often the outbox is polled. Default 2s.
	Interval time.Duration
	// Batch is how many messages one pass claims. Default 20.
	Batch int
	// Lease is how long a claimed message is reserved for this sender. Default 2m.
	Lease time.Duration
	// MinBackoff is the wait after the first failure; it doubles with each failure. Default 2s.
	MinBackoff time.Duration
	// MaxBackoff caps the wait between attempts. Default 10m.
	MaxBackoff time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Logger records sends and failures (addresses, never payloads). Default: discard.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.From == "" {
		c.From = "NeuraLegion <no-reply@refapp.test>"
	}
	if c.Interval <= 0 {
		c.Interval = 2 * time.Second
	}
	if c.Batch <= 0 {
		c.Batch = 20
	}
	if c.Lease <= 0 {
		c.Lease = 2 * time.Minute
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = 2 * time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 10 * time.Minute
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Send == nil {
		c.Send = SMTP(c.SMTPURL)
	}
	return c
}

// Validate reports a missing or malformed field.
func (c Config) Validate() error {
	if c.Store == nil {
		return errors.New("mailer config: Store is required")
	}
	if c.Send == nil {
		if _, err := smtpAddr(c.SMTPURL); err != nil {
			return fmt.Errorf("mailer config: %w", err)
		}
	}
	return nil
}

// Sender delivers the outbox.
type Sender struct {
	cfg  Config
	kick chan struct{}
}

// New checks cfg and returns a Sender.
func New(cfg Config) (*Sender, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Sender{cfg: cfg.withDefaults(), kick: make(chan struct{}, 1)}, nil
}

// Kick asks Run to make a pass now.
func (s *Sender) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Run makes a pass at every tick or kick until ctx ends.
func (s *Sender) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.Interval)
	defer t.Stop()
	for {
		if _, err := s.Drain(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Logger.ErrorContext(ctx, "mail outbox pass failed", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.kick:
		}
	}
}

// Drain sends every message due now, batch after batch, and returns how many were sent. A message
// that fails is rescheduled with backoff; Drain goes on with the others.
func (s *Sender) Drain(ctx context.Context) (int, error) {
	sent := 0
	for {
		now := s.cfg.Now()
		batch, err := s.cfg.Store.ClaimMail(ctx, now, now.Add(s.cfg.Lease), s.cfg.Batch)
		if err != nil {
			return sent, fmt.Errorf("drain outbox: %w", err)
		}
		for _, m := range batch {
			ok, err := s.deliver(ctx, m)
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
			}
		}
		if len(batch) < s.cfg.Batch {
			return sent, nil
		}
	}
}

// deliver sends one message and records the outcome; the error is a store failure only.
func (s *Sender) deliver(ctx context.Context, m store.OutboxMail) (bool, error) {
	sendErr := s.send(ctx, m)
	now := s.cfg.Now()
	if sendErr == nil {
		if err := s.cfg.Store.MailSent(ctx, m.ID, now); err != nil {
			return false, fmt.Errorf("drain outbox: %w", err)
		}
		s.cfg.Logger.InfoContext(ctx, "mail sent", slog.String("id", m.ID), slog.String("kind", m.Kind),
			slog.String("to", m.To))
		return true, nil
	}
	next := now.Add(s.Backoff(m.Attempts))
	s.cfg.Logger.WarnContext(ctx, "mail not sent; will retry", slog.String("id", m.ID), slog.String("to", m.To),
		slog.Int("attempt", m.Attempts+1), slog.Time("next", next), slog.Any("error", sendErr))
	if err := s.cfg.Store.MailFailed(ctx, m.ID, next, truncate(sendErr.Error(), 500)); err != nil {
		return false, fmt.Errorf("drain outbox: %w", err)
	}
	return false, nil
}

func (s *Sender) send(ctx context.Context, m store.OutboxMail) error {
	render, ok := s.cfg.Renderers[m.Kind]
	if !ok {
		return fmt.Errorf("no renderer for mail kind %q", m.Kind)
	}
	subject, body, err := render(m)
	if err != nil {
		return err
	}
	return s.cfg.Send(ctx, Message{From: s.cfg.From, To: m.To, Subject: subject, Body: body})
}

// Backoff is the wait after a message's failed attempt, given how many attempts failed before it:
// MinBackoff doubled each time, at most MaxBackoff.
func (s *Sender) Backoff(failedBefore int) time.Duration {
	d := s.cfg.MinBackoff
	for range failedBefore {
		d *= 2
		if d >= s.cfg.MaxBackoff {
			return s.cfg.MaxBackoff
		}
	}
	return min(d, s.cfg.MaxBackoff)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
