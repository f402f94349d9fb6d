package scimpush

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// Okta's SCIM transport constants (okta-scim.md a.2).
const (
	UserAgent   = "Okta SCIM Client 1.0.0"
	MediaType   = "application/scim+json"
	ContentType = "application/scim+json; charset=utf-8"
	redacted    = "[REDACTED]"
	maxBody     = 1 << 20
)

// Exchange is one recorded request and its response, secrets redacted: the System Log's own type, so
// a push's exchanges go into its events as they are.
type Exchange = syslog.Exchange

// Transcript collects exchanges; it is safe for concurrent use.
type Transcript struct {
	mu        sync.Mutex
	exchanges []Exchange
}

// Add appends an exchange.
func (t *Transcript) Add(e Exchange) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.exchanges = append(t.exchanges, e)
}

// Len returns how many exchanges were recorded.
func (t *Transcript) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.exchanges)
}

// Since returns a copy of the exchanges recorded after the first n.
func (t *Transcript) Since(n int) []Exchange {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n >= len(t.exchanges) {
		return nil
	}
	return append([]Exchange(nil), t.exchanges[n:]...)
}

// Exchanges returns a copy of the recorded exchanges, oldest first.
func (t *Transcript) Exchanges() []Exchange {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Exchange(nil), t.exchanges...)
}

// call is one SCIM request: body is sent, secrets are replaced by redacted
// in what the transcript and errors show.
type call struct {
	method, url string
	body        []byte
	secrets     []string
}

// Okta's 429 handling (okta-scim.md a.6).
const (
	// MaxAttempts is how many times a request is sent while the server answers 429.
	MaxAttempts = 10
	// DefaultRetryAfter is the first wait when Retry-After is missing or not integer seconds.
	DefaultRetryAfter = 5 * time.Minute
)

// ErrRateLimited is wrapped by the PushError of a request that got 429 on every attempt.
var ErrRateLimited = errors.New("rate limited: 429 on every attempt")

// do sends one SCIM request, again after a wait while the server answers 429.
func (c *Client) do(ctx context.Context, t Target, k call, tr *Transcript) (int, []byte, error) {
	var wait time.Duration
	for attempt := 1; ; attempt++ {
		status, header, body, err := c.once(ctx, t, k, tr)
		if status != http.StatusTooManyRequests {
			return status, body, err
		}
		if attempt == MaxAttempts {
			pe := &PushError{Method: k.method, URL: k.url, Status: status}
			if last, ok := errors.AsType[*PushError](err); ok {
				pe.Body = last.Body
			}
			pe.Err = fmt.Errorf("%w (%d attempts)", ErrRateLimited, attempt)
			return status, body, pe
		}
		if wait == 0 {
			wait = RetryAfter(header.Get("Retry-After"))
		} else {
			wait *= 2
		}
		c.cfg.Logger.InfoContext(ctx, "scim rate limited", "method", k.method, "url", k.url,
			"attempt", attempt, "wait", wait)
		if err := c.cfg.Sleep(ctx, wait); err != nil {
			return status, body, &PushError{Method: k.method, URL: k.url, Status: status,
				Err: fmt.Errorf("waiting after 429: %w", err)}
		}
	}
}

// RetryAfter is Okta's first wait after a 429: the Retry-After header as
// integer seconds, or DefaultRetryAfter when it is missing or not an integer
// (an HTTP date, a fraction, garbage).
func RetryAfter(v string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return DefaultRetryAfter
	}
	return time.Duration(n) * time.Second
}

// once sends the request one time and records the exchange.
func (c *Client) once(ctx context.Context, t Target, k call, tr *Transcript) (int, http.Header, []byte, error) {
	var rd io.Reader
	if k.body != nil {
		rd = bytes.NewReader(k.body)
	}
	req, err := http.NewRequestWithContext(ctx, k.method, k.url, rd)
	if err != nil {
		return 0, nil, nil, &PushError{Method: k.method, URL: k.url, Err: err}
	}
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("Accept", MediaType)
	req.Header.Set("Accept-Charset", "utf-8")
	req.Header.Set("Accept-Encoding", "gzip,deflate")
	if k.body != nil {
		req.Header.Set("Content-Type", ContentType)
	}
	auth, shown, authSecret := t.authorization()
	req.Header.Set("Authorization", auth)
	req.Close = true // Okta sends Connection: close
	secrets := append([]string{t.Token, authSecret}, k.secrets...)

	ex := Exchange{Time: c.cfg.Now(), Method: k.method, URL: k.url,
		RequestHeader: req.Header.Clone(), RequestBody: redact(string(k.body), secrets)}
	ex.RequestHeader.Set("Authorization", shown)
	ex.RequestHeader.Set("Connection", "close")
	start := time.Now()
	status, header, body, err := c.roundTrip(req)
	ex.Duration = time.Since(start)
	ex.Status, ex.ResponseHeader, ex.ResponseBody = status, header, redact(string(body), secrets)
	if err != nil {
		ex.Err = err.Error()
	}
	if tr != nil {
		tr.Add(ex)
	}
	c.cfg.Logger.InfoContext(ctx, "scim exchange", "method", k.method, "url", k.url, "status", status)
	if err != nil || status < 200 || status > 299 {
		return status, header, body, &PushError{Method: k.method, URL: k.url, Status: status,
			Body: excerpt(ex.ResponseBody), Err: err}
	}
	return status, header, body, nil
}

// roundTrip sends req and returns the status, headers and decoded body.
func (c *Client) roundTrip(req *http.Request) (int, http.Header, []byte, error) {
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, err := decodeBody(resp)
	if err != nil {
		return resp.StatusCode, resp.Header, nil, fmt.Errorf("read response: %w", err)
	}
	return resp.StatusCode, resp.Header, body, nil
}

// decodeBody reads at most maxBody bytes, undoing the Content-Encoding we
// asked for with Accept-Encoding.
func decodeBody(resp *http.Response) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, err
	}
	var r io.ReadCloser
	switch strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))) {
	case "", "identity":
		return raw, nil
	case "gzip", "x-gzip":
		if r, err = gzip.NewReader(bytes.NewReader(raw)); err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
	case "deflate": // zlib-wrapped per RFC 9110; some servers send raw deflate
		if r, err = zlib.NewReader(bytes.NewReader(raw)); err != nil {
			r = flate.NewReader(bytes.NewReader(raw))
		}
	default:
		return nil, fmt.Errorf("unsupported Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	defer r.Close()
	return io.ReadAll(io.LimitReader(r, maxBody))
}

func redact(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, redacted)
		}
	}
	return s
}
