// Package scimfault is a deliberately broken SCIM server, for the specs' self-test: a reverse proxy in
// front of a working SCIM server that breaks one named rule (counts sent as strings, no id on create,
// 404 for an empty filter, the password echoed back, ...). Running a spec through it must make that
// spec fail; running it straight against the working server must make it pass. That proves the spec
// can fail, and fails for the rule it names. The self-test's table (cmd/ssoconform) names, per
// mutation, the specs that must fail; any other spec failing through it is a cascade and fails the
// self-test, so a mutation breaks one rule and nothing it does must break another's.
//
// The proxy serves the same paths as the server behind it, so a SCIM base URL
// http://127.0.0.1:8081/scim/v2 becomes PROXY_URL/scim/v2.
//
//	p, err := scimfault.New(scimfault.Config{Target: "http://127.0.0.1:8081", Mutation: scimfault.CountsAsStrings})
//	srv := httptest.NewServer(p)
//	target := harness.SCIMTarget{BaseURL: srv.URL + "/scim/v2", Authorization: "Bearer " + key}
package scimfault

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"sync"
)

// Config says what to break and where the working server is.
type Config struct {
	// Target is the working server's origin, e.g. http://127.0.0.1:8081 (any path is ignored). Required.
	Target string
	// Mutation is the rule to break. Default: none, a transparent proxy.
	Mutation Mutation
	// Authorization is a valid credential of the target; AcceptAnyToken sends it in place of whatever
	// the client sent. Required for AcceptAnyToken.
	Authorization string
	// LeakAuthorization is a credential of another tenant; TenantLeak retries a 404 with it. Required
	// for TenantLeak.
	LeakAuthorization string
	// Transport forwards the requests. Default: http.DefaultTransport.
	Transport http.RoundTripper
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	u, err := url.Parse(c.Target)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return fmt.Errorf("scimfault: target %q must be an absolute URL", c.Target)
	}
	if c.Mutation != "" && !slices.Contains(Mutations, c.Mutation) {
		return fmt.Errorf("scimfault: unknown mutation %q", c.Mutation)
	}
	if c.Mutation == AcceptAnyToken && c.Authorization == "" {
		return errors.New("scimfault: accept-any-token needs Authorization")
	}
	if c.Mutation == TenantLeak && c.LeakAuthorization == "" {
		return errors.New("scimfault: tenant-leak needs LeakAuthorization")
	}
	return nil
}

// Proxy is the broken server; it is an http.Handler.
type Proxy struct {
	cfg    Config
	target *url.URL
	rp     *httputil.ReverseProxy

	mu     sync.Mutex
	hidden map[string]bool // DeactivateHides: ids answered 404 from now on
}

// New builds a proxy.
func New(cfg Config) (*Proxy, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Transport == nil {
		cfg.Transport = http.DefaultTransport
	}
	u, _ := url.Parse(cfg.Target)
	p := &Proxy{cfg: cfg, target: u, hidden: map[string]bool{}}
	p.rp = &httputil.ReverseProxy{
		Rewrite:        p.rewrite,
		ModifyResponse: p.modifyResponse,
		Transport:      cfg.Transport,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			http.Error(w, "scimfault: upstream: "+err.Error(), http.StatusBadGateway)
		},
	}
	return p, nil
}

type ctxKey struct{}

// exchange is what the response side needs to know about the request.
type exchange struct {
	method, path string
	query        url.Values
	body         []byte // the request body as the client sent it
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 32<<20))
	if err != nil {
		http.Error(w, "scimfault: read request: "+err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	ex := &exchange{method: r.Method, path: r.URL.Path, query: r.URL.Query(), body: body}
	if p.shortCircuit(w, r, ex) {
		return
	}
	p.rp.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, ex)))
}

func (p *Proxy) rewrite(pr *httputil.ProxyRequest) {
	pr.SetURL(p.target)
	pr.Out.URL.Path, pr.Out.URL.RawPath = pr.In.URL.Path, pr.In.URL.RawPath
	pr.Out.Host = p.target.Host
	pr.Out.Header.Del("Accept-Encoding") // bodies are rewritten: keep them plain
	p.mutateRequest(pr.Out)
}

func (p *Proxy) modifyResponse(resp *http.Response) error {
	ex, _ := resp.Request.Context().Value(ctxKey{}).(*exchange)
	if ex == nil {
		return nil
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("scimfault: read response: %w", err)
	}
	var doc map[string]any
	if json.Unmarshal(raw, &doc) != nil {
		doc = nil
	}
	raw = p.mutateResponse(resp, ex, doc, raw)
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	resp.ContentLength = int64(len(raw))
	resp.Header.Set("Content-Length", strconv.Itoa(len(raw)))
	resp.Header.Del("Content-Encoding")
	return nil
}

// encode re-marshals a mutated document.
func encode(doc map[string]any) []byte {
	b, _ := json.Marshal(doc)
	return b
}

// writeJSON answers the client directly, without the target.
func writeJSON(w http.ResponseWriter, status int, doc map[string]any) {
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	_, _ = w.Write(encode(doc))
}
