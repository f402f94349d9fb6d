package syslog

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net"
	"net/http"
)

// RequestIDHeader is the header Okta sets on every response: the id of the request, which is also the
// transaction.id of the System Log events the request caused (Okta's "API rate limits" and "System Log"
// pages; okta-sdk-golang sends it back as X-Okta-Retry-For when it retries a 429).
const RequestIDHeader = "X-Okta-Request-Id"

// Client is where a request came from, as the System Log reports it in "client".
type Client struct {
	IPAddress, UserAgent string
}

type requestKey struct{}

type requestInfo struct {
	id     string
	client Client
}

// NewRequestID returns a fresh request id: 27 characters of URL-safe base64, the length Okta's have.
func NewRequestID() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// WithRequest returns ctx carrying the request's id and client; events appended with it share that
// transaction id and client.
func WithRequest(ctx context.Context, id string, c Client) context.Context {
	return context.WithValue(ctx, requestKey{}, requestInfo{id: id, client: c})
}

// RequestID returns the request id carried by ctx, or "".
func RequestID(ctx context.Context) string {
	info, _ := ctx.Value(requestKey{}).(requestInfo)
	return info.id
}

// ClientOf returns what the request shows of its client: the remote IP address and User-Agent.
func ClientOf(r *http.Request) Client {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	return Client{IPAddress: ip, UserAgent: r.UserAgent()}
}

// Middleware gives every request an id, answers it in X-Okta-Request-Id, and puts it with the client
// on the request's context for the events the request causes.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := NewRequestID()
		w.Header().Set(RequestIDHeader, id)
		next.ServeHTTP(w, r.WithContext(WithRequest(r.Context(), id, ClientOf(r))))
	})
}
