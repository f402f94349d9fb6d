package harness

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Exchange is one request and its response, with the Authorization header redacted and bodies cut to
// an excerpt, fit for failure messages and reports.
type Exchange struct {
	Method         string
	URL            string
	RequestHeader  http.Header // Authorization redacted
	RequestBody    string
	Status         int // 0 when no response was read
	ResponseHeader http.Header
	ResponseBody   string
	Duration       time.Duration
	Err            string // transport error, if any
}

func (e Exchange) String() string {
	return fmt.Sprintf("%s %s -> %d %s", e.Method, e.URL, e.Status, excerpt(e.ResponseBody, 300))
}

// Transcript is the exchange as an HTTP-like text: request line, headers and body, then the response.
func (e Exchange) Transcript() string {
	var b strings.Builder
	fmt.Fprintf(&b, "> %s %s\n", e.Method, e.URL)
	writeHeaders(&b, "> ", e.RequestHeader)
	if e.RequestBody != "" {
		fmt.Fprintf(&b, "> \n> %s\n", excerpt(e.RequestBody, 1500))
	}
	if e.Err != "" {
		fmt.Fprintf(&b, "! %s (after %s)\n", e.Err, e.Duration.Round(time.Millisecond))
	}
	if e.Status == 0 {
		return b.String()
	}
	fmt.Fprintf(&b, "< %d %s (%s)\n", e.Status, http.StatusText(e.Status), e.Duration.Round(time.Millisecond))
	writeHeaders(&b, "< ", e.ResponseHeader)
	if e.ResponseBody != "" {
		fmt.Fprintf(&b, "< \n< %s\n", excerpt(e.ResponseBody, 3000))
	}
	return b.String()
}

// responseHeadersShown are the response headers a transcript shows; the others are noise.
var responseHeadersShown = []string{"Content-Type", "Content-Encoding", "Location", "Www-Authenticate", "Retry-After", "Etag"}

func writeHeaders(b *strings.Builder, prefix string, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		if prefix == "< " && !slices.Contains(responseHeadersShown, k) {
			continue
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(b, "%s%s: %s\n", prefix, k, strings.Join(h[k], ", "))
	}
}

// redactedHeader copies h with credentials replaced: they are never recorded.
func redactedHeader(h http.Header) http.Header {
	out := h.Clone()
	for _, k := range []string{"Authorization", "Cookie", "Proxy-Authorization"} {
		if _, ok := out[k]; ok {
			out[k] = []string{"[redacted]"}
		}
	}
	return out
}

// Recorder keeps the exchanges of one spec, in order, for its report. It is safe for concurrent use;
// a nil *Recorder records nothing. It keeps the first Max exchanges.
type Recorder struct {
	// Max is how many exchanges are kept. Default: 200.
	Max int

	mu        sync.Mutex
	exchanges []Exchange
	dropped   int
}

// Add records one exchange.
func (r *Recorder) Add(e Exchange) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	limit := r.Max
	if limit == 0 {
		limit = 200
	}
	if len(r.exchanges) >= limit {
		r.dropped++
		return
	}
	r.exchanges = append(r.exchanges, e)
}

// Exchanges returns what was recorded so far.
func (r *Recorder) Exchanges() []Exchange {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.exchanges)
}

// Transcript is every recorded exchange, numbered, as one text.
func (r *Recorder) Transcript() string {
	if r == nil {
		return ""
	}
	var b strings.Builder
	for i, e := range r.Exchanges() {
		fmt.Fprintf(&b, "--- exchange %d\n%s", i+1, e.Transcript())
	}
	r.mu.Lock()
	if r.dropped > 0 {
		fmt.Fprintf(&b, "--- %d more exchanges not kept\n", r.dropped)
	}
	r.mu.Unlock()
	return b.String()
}
