package harness

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ssoconform/ssoconform/mockidp"
)

// A hostile SCIM server and the mock's 429 clock, for the provisioning task specs: the server answers
// Okta's lookups with an empty list and misbehaves on POST /Users in one chosen way, so a spec can watch
// the mock's task queue fail, wait after a 429 and retry.
//
//	h, err := StartHostileSCIM(HostilePlain500)
//	appID, err := tn.AddApp(ctx, "hostile", h.URL)     // a second app integration in the tenant's org
//	h.Heal()                                            // from now on POST answers 201

// Hostile behaviours of POST /Users (the first answer; see Heal).
const (
	HostilePlain500     = "500"               // 500 with a SCIM error body
	HostileHTML         = "html"              // 502 text/html, as a proxy in front of the app
	HostileEmpty201     = "empty-201"         // 201 with no body
	HostileRateLimit    = "429"               // 429 without Retry-After, then 201
	HostileRetryAfter   = "429-retry-after-2" // 429 with Retry-After: 2, then 201
	HostileSlow         = "slow"              // 201 once Release is called, or after five seconds
	hostileSlowDuration = 5 * time.Second
)

// HostileSCIM is a SCIM server that misbehaves on purpose. It listens on 127.0.0.1.
type HostileSCIM struct {
	URL string // base URL, ".../scim/v2"

	mu        sync.Mutex
	behaviour string
	healed    bool
	requests  []string
	srv       *http.Server
	n         int
	release   chan struct{} // closed by Release: a slow answer is sent at once
	released  sync.Once
}

// StartHostileSCIM starts a hostile server with one of the Hostile* behaviours.
func StartHostileSCIM(behaviour string) (*HostileSCIM, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start hostile scim server: %w", err)
	}
	h := &HostileSCIM{behaviour: behaviour, URL: "http://" + ln.Addr().String() + "/scim/v2", release: make(chan struct{})}
	h.srv = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = h.srv.Serve(ln) }()
	return h, nil
}

// Release ends the wait of a slow server: the answer held (and every later one) is sent at once, so a
// spec that has seen what it needs during the wait does not sit out the five seconds.
func (h *HostileSCIM) Release() { h.released.Do(func() { close(h.release) }) }

// Close stops the server.
func (h *HostileSCIM) Close() error { return h.srv.Close() }

// Heal makes POST /Users answer 201 with an id from now on (the admin fixed the app).
func (h *HostileSCIM) Heal() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.healed = true
}

// Requests returns the request lines received, "METHOD /path" (queries cut).
func (h *HostileSCIM) Requests() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.requests...)
}

func (h *HostileSCIM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.requests = append(h.requests, r.Method+" "+strings.TrimPrefix(r.URL.Path, "/scim/v2"))
	h.n++
	posts := 0
	for _, l := range h.requests {
		if strings.HasPrefix(l, "POST") {
			posts++
		}
	}
	behaviour, healed, n := h.behaviour, h.healed, h.n
	h.mu.Unlock()
	w.Header().Set("Content-Type", "application/scim+json")
	if r.Method == http.MethodGet {
		_, _ = fmt.Fprint(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}`)
		return
	}
	if !healed && posts == 1 && h.hostileAnswer(w, r, behaviour) {
		return
	}
	w.WriteHeader(http.StatusCreated)
	_, _ = fmt.Fprintf(w, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"hostile-%d"}`, n)
}

// hostileAnswer writes the misbehaving answer; false means answer normally (after a delay for slow).
func (h *HostileSCIM) hostileAnswer(w http.ResponseWriter, r *http.Request, behaviour string) bool {
	switch behaviour {
	case HostilePlain500:
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = fmt.Fprint(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"database is down","status":"500"}`)
	case HostileHTML:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = fmt.Fprint(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
	case HostileEmpty201:
		w.WriteHeader(http.StatusCreated)
	case HostileRateLimit:
		w.WriteHeader(http.StatusTooManyRequests)
	case HostileRetryAfter:
		w.Header().Set("Retry-After", "2")
		w.WriteHeader(http.StatusTooManyRequests)
	case HostileSlow:
		select {
		case <-time.After(hostileSlowDuration):
		case <-h.release:
		case <-r.Context().Done():
		}
		return false
	default:
		return false
	}
	return true
}

// SCIMClock is the mock Okta's wait after a 429, under the harness's control: every wait is recorded and
// returns at once, unless the clock is held, so specs never sleep for Okta's minutes.
type SCIMClock struct {
	mu    sync.Mutex
	held  chan struct{} // closed by the release of Hold; nil when not held
	waits []time.Duration
}

// Sleep is mockidp.Config.SCIMSleep.
func (c *SCIMClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.waits = append(c.waits, d)
	held := c.held
	c.mu.Unlock()
	if held == nil {
		return nil
	}
	select {
	case <-held:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Hold makes every wait last until release is called (specs using it must be Serial).
func (c *SCIMClock) Hold() (release func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan struct{})
	c.held = ch
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			c.held = nil
			c.mu.Unlock()
			close(ch)
		})
	}
}

// Waits returns the waits asked for so far.
func (c *SCIMClock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// AddApp adds an OIDC app integration to the tenant's org, provisioned to baseURL with a fixed token,
// for specs that need a second SCIM target (a hostile one).
func (tn *Tenant) AddApp(ctx context.Context, label, baseURL string) (string, error) {
	app, err := tn.IdPOrg.CreateOIDCApp(ctx, mockidp.OIDCAppInput{Label: label, RedirectURIs: []string{"http://app.test/cb"}})
	if err != nil {
		return "", fmt.Errorf("add app %s: %w", label, err)
	}
	if err := tn.IdPOrg.SetProvisioning(ctx, app.ID, mockidp.Provisioning{BaseURL: baseURL, Token: "hostile-token"}); err != nil {
		return "", fmt.Errorf("add app %s: %w", label, err)
	}
	return app.ID, nil
}
