package mailer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"
)

// smtpTimeout bounds one delivery.
const smtpTimeout = 30 * time.Second

// smtpAddr checks an smtp://HOST:PORT URL and returns HOST:PORT.
func smtpAddr(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "smtp" || u.Host == "" || u.Port() == "" || (u.Path != "" && u.Path != "/") {
		return "", fmt.Errorf("SMTP URL %q must look like smtp://HOST:PORT", raw)
	}
	return u.Host, nil
}

// SMTP returns a Send function that delivers over plain SMTP to smtp://HOST:PORT (a local relay or a
// test sink; no authentication).
func SMTP(rawURL string) func(ctx context.Context, m Message) error {
	return func(ctx context.Context, m Message) error {
		addr, err := smtpAddr(rawURL)
		if err != nil {
			return err
		}
		return sendSMTP(ctx, addr, m)
	}
}

func sendSMTP(ctx context.Context, addr string, m Message) error {
	from, err := mail.ParseAddress(m.From)
	if err != nil {
		return fmt.Errorf("smtp: sender %q: %w", m.From, err)
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return fmt.Errorf("smtp: recipient: %w", err)
	}
	raw, err := Format(m, time.Now())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, smtpTimeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("smtp: connect %s: %w", addr, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	host, _, _ := net.SplitHostPort(addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("smtp: greeting from %s: %w", addr, err)
	}
	defer c.Close()
	steps := []func() error{
		func() error { return c.Hello("refapp.localhost") },
		func() error { return c.Mail(from.Address) },
		func() error { return c.Rcpt(to.Address) },
		func() error {
			w, err := c.Data()
			if err != nil {
				return err
			}
			if _, err := w.Write(raw); err != nil {
				return err
			}
			return w.Close()
		},
		c.Quit,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("smtp: deliver to %s via %s: %w", to.Address, addr, err)
		}
	}
	return nil
}

// Format builds the RFC 5322 message: headers (no CR or LF allowed in values) and a UTF-8 text body.
func Format(m Message, now time.Time) ([]byte, error) {
	for _, v := range []string{m.From, m.To, m.Subject} {
		if strings.ContainsAny(v, "\r\n") {
			return nil, errors.New("smtp: header value contains a line break")
		}
	}
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@refapp.localhost>\r\n",
		m.From, m.To, mime.QEncoding.Encode("utf-8", m.Subject), now.Format(time.RFC1123Z), hex.EncodeToString(id))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n"))
	return []byte(b.String()), nil
}
