// Package pushload is the mock Okta's load mode: it pushes generated users (and groups with members) to
// any SCIM server exactly as the provisioning engine does (package scimpush: F(u) then POST, group POST
// then membership per flavour, 429 waits as Okta's), from Concurrency workers, and reports what happened:
// users, groups, requests, errors by class, users per second, request latency p50/p99 and the retries
// after 429. It is what `mockidp push` runs.
//
//	rep, err := pushload.Run(ctx, pushload.Config{URL: "http://127.0.0.1:8081/scim/v2", Token: tok,
//		Users: 1000, Groups: 10, Concurrency: 8})
//	fmt.Println(rep.Summary())
//	json.NewEncoder(os.Stdout).Encode(rep)
package pushload

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ssoconform/ssoconform/mockidp/scimpush"
)

// Config says what to push where.
type Config struct {
	// URL is the SCIM base URL, e.g. http://127.0.0.1:8081/scim/v2. Required.
	URL string
	// Token is sent per Auth (default Bearer). Required.
	Token    string
	Auth     scimpush.Auth
	Username string
	// Users is how many users to push (at least 1). Groups is how many groups to push after them, each
	// with an equal share of the users as members. Default: 0 groups.
	Users, Groups int
	// Flavour is scimpush.FlavourOIN (default) or FlavourAIW.
	Flavour scimpush.Flavour
	// Concurrency is how many pushes run at once. Default: 8.
	Concurrency int
	// Prefix starts every generated userName and group name, so runs do not collide. Default: "load-"
	// and the start time.
	Prefix string
	// HTTPClient sends the requests. Default: keep-alive off (Okta sends Connection: close), 60 s timeout.
	HTTPClient *http.Client
	// Sleep waits after a 429 (default: a real timer).
	Sleep func(ctx context.Context, d time.Duration) error
	// Progress, when set, is called after each user or group with the count done and the total.
	Progress func(done, total int)
	// Now is the clock for the elapsed time. Default: time.Now.
	Now func() time.Time
}

// Report is the outcome of a run; its JSON form is the one line `mockidp push` ends with.
type Report struct {
	Users           int            `json:"users"`
	Groups          int            `json:"groups"`
	Requests        int            `json:"requests"`
	Errors          map[string]int `json:"errors"`
	UsersPerSec     float64        `json:"users_per_sec"`
	P50Ms           float64        `json:"p50_ms"`
	P99Ms           float64        `json:"p99_ms"`
	RetriesAfter429 int            `json:"retries_after_429"`
	ElapsedMs       float64        `json:"elapsed_ms"`
}

// Summary is the report in one human line.
func (r Report) Summary() string {
	var errs []string
	for _, k := range slices.Sorted(maps.Keys(r.Errors)) {
		errs = append(errs, fmt.Sprintf("%s=%d", k, r.Errors[k]))
	}
	if len(errs) == 0 {
		errs = []string{"none"}
	}
	return fmt.Sprintf("pushed %d users and %d groups in %.1f s (%.0f users/s): %d requests, p50 %.1f ms, p99 %.1f ms, %d retries after 429, errors: %s",
		r.Users, r.Groups, r.ElapsedMs/1000, r.UsersPerSec, r.Requests, r.P50Ms, r.P99Ms, r.RetriesAfter429, strings.Join(errs, " "))
}

func (c Config) withDefaults() Config {
	if c.Concurrency <= 0 {
		c.Concurrency = 8
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Prefix == "" {
		c.Prefix = fmt.Sprintf("load-%d-", c.Now().Unix())
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 60 * time.Second}
	}
	return c
}

// Validate reports the first invalid field.
func (c Config) Validate() error {
	switch {
	case c.URL == "":
		return errors.New("push: the SCIM base URL is required")
	case c.Token == "":
		return errors.New("push: a token is required")
	case c.Users < 1:
		return errors.New("push: at least one user")
	case c.Groups < 0 || c.Groups > c.Users:
		return errors.New("push: groups must be between 0 and the number of users")
	}
	return nil
}

// run is one load run's shared state.
type run struct {
	cfg      Config
	client   *scimpush.Client
	target   scimpush.Target
	mu       sync.Mutex
	rep      Report
	lat      []time.Duration
	ids      []string // server ids of the pushed users, by index ("" when failed)
	done     atomic.Int64
	rate429s atomic.Int64
}

// Run pushes the users, then the groups, and returns the report. Failed pushes are counted by class,
// never fatal; err is only for an invalid config or a cancelled ctx.
func Run(ctx context.Context, cfg Config) (Report, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return Report{}, err
	}
	r := &run{cfg: cfg, ids: make([]string, cfg.Users), rep: Report{Errors: map[string]int{}},
		target: scimpush.Target{BaseURL: cfg.URL, Token: cfg.Token, Auth: cfg.Auth, Username: cfg.Username, Flavour: cfg.Flavour}}
	sleep := cfg.Sleep
	r.client = scimpush.New(scimpush.Config{HTTPClient: cfg.HTTPClient, Sleep: func(ctx context.Context, d time.Duration) error {
		r.rate429s.Add(1)
		if sleep == nil {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-t.C:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return sleep(ctx, d)
	}})
	start := cfg.Now()
	r.each(ctx, cfg.Users, r.pushUser)
	r.each(ctx, cfg.Groups, r.pushGroup)
	elapsed := cfg.Now().Sub(start)
	rep := r.rep
	rep.RetriesAfter429 = int(r.rate429s.Load())
	rep.ElapsedMs = float64(elapsed.Microseconds()) / 1000
	if elapsed > 0 {
		rep.UsersPerSec = math.Round(float64(rep.Users)/elapsed.Seconds()*10) / 10
	}
	rep.P50Ms, rep.P99Ms = percentile(r.lat, 0.50), percentile(r.lat, 0.99)
	return rep, ctx.Err()
}

// each runs fn for 0..n-1 on Concurrency workers.
func (r *run) each(ctx context.Context, n int, fn func(context.Context, int)) {
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for range r.cfg.Concurrency {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				fn(ctx, i)
				if r.cfg.Progress != nil {
					r.cfg.Progress(int(r.done.Add(1)), r.cfg.Users+r.cfg.Groups)
				}
			}
		})
	}
	wg.Wait()
}

func (r *run) pushUser(ctx context.Context, i int) {
	name := fmt.Sprintf("%suser%06d@load.test", r.cfg.Prefix, i)
	var tr scimpush.Transcript
	res, err := r.client.PushUser(ctx, r.target, scimpush.User{ID: fmt.Sprintf("00uload%013d", i), UserName: name,
		GivenName: "Load", FamilyName: fmt.Sprintf("User%06d", i), Email: name}, &tr)
	r.record(&tr, err, func(rep *Report) {
		rep.Users++
		r.ids[i] = res.ID
	})
}

func (r *run) pushGroup(ctx context.Context, i int) {
	per := r.cfg.Users / r.cfg.Groups
	var members []scimpush.Member
	for j := i * per; j < (i+1)*per; j++ {
		if id := r.ids[j]; id != "" {
			members = append(members, scimpush.Member{Value: id, Display: fmt.Sprintf("%suser%06d@load.test", r.cfg.Prefix, j)})
		}
	}
	var tr scimpush.Transcript
	_, err := r.client.PushGroup(ctx, r.target, scimpush.Group{DisplayName: fmt.Sprintf("%sgroup%04d", r.cfg.Prefix, i),
		Members: members}, &tr)
	r.record(&tr, err, func(rep *Report) { rep.Groups++ })
}

// record adds a push's exchanges to the report and counts it as done or as an error of its class.
func (r *run) record(tr *scimpush.Transcript, err error, ok func(*Report)) {
	ex := tr.Exchanges()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rep.Requests += len(ex)
	for _, e := range ex {
		r.lat = append(r.lat, e.Duration)
	}
	if err != nil {
		r.rep.Errors[errorClass(err)]++
		return
	}
	ok(&r.rep)
}

// errorClass is the class a failed push is counted under: "429" (still throttled after 10 tries), "4xx",
// "5xx", "timeout", "network" or "invalid" (a 2xx that is not the SCIM answer expected).
func errorClass(err error) string {
	var pe *scimpush.PushError
	if !errors.As(err, &pe) {
		return "other"
	}
	switch {
	case errors.Is(pe.Err, scimpush.ErrRateLimited):
		return "429"
	case pe.Status >= 500:
		return "5xx"
	case pe.Status >= 400:
		return "4xx"
	case pe.Status >= 200:
		return "invalid"
	case errors.Is(pe.Err, context.DeadlineExceeded) || strings.Contains(pe.Error(), "Timeout"):
		return "timeout"
	}
	return "network"
}

func percentile(d []time.Duration, p float64) float64 {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(math.Ceil(p*float64(len(s)))) - 1
	i = max(0, min(i, len(s)-1))
	return math.Round(float64(s[i].Microseconds())/10) / 100
}
