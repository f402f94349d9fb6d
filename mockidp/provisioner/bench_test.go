package provisioner_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/provisioner"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// BenchmarkEngineNoopSCIM pushes b.N users through the engine (directory change, task, queue, F(u) and
// POST, System Log-less) to 8 apps at once, against a SCIM server that answers at once: the engine's
// request rate at concurrency 8 (one queue per app).
func BenchmarkEngineNoopSCIM(b *testing.B) { benchEngine(b, nil) }

// BenchmarkEngineNoopSCIMSystemLog is BenchmarkEngineNoopSCIM with a System Log, as an org has one: each
// push is an event keeping its exchanges, redacted as they are recorded.
func BenchmarkEngineNoopSCIMSystemLog(b *testing.B) { benchEngine(b, syslog.New(syslog.Config{})) }

func benchEngine(b *testing.B, log *syslog.Log) {
	const apps = 8
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			fmt.Fprint(w, `{"totalResults":0,"Resources":[]}`)
			return
		}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"id":"x"}`)
	}))
	defer hs.Close()
	dir, err := directory.New(directory.Config{Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	eng, err := provisioner.New(provisioner.Config{Directory: dir, HTTPClient: hs.Client(), Log: log})
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()
	var appIDs []string
	for i := range apps {
		a, err := dir.CreateOIDCApp(directory.OIDCAppInput{Label: fmt.Sprintf("app%d", i), RedirectURIs: []string{"http://a.test/cb"}})
		if err != nil {
			b.Fatal(err)
		}
		if err := dir.SetProvisioning(a.ID, directory.Provisioning{BaseURL: hs.URL, Token: "t"}); err != nil {
			b.Fatal(err)
		}
		appIDs = append(appIDs, a.ID)
	}
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		u, err := dir.CreateUser(directory.UserInput{Login: fmt.Sprintf("u%d@bench.test", i)})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := dir.Assign(appIDs[i%apps], u.ID); err != nil {
			b.Fatal(err)
		}
		eng.UsersChanged(u.ID)
	}
	requests := 0
	for _, id := range appIDs {
		if err := eng.WaitQuiet(b.Context(), id); err != nil {
			b.Fatal(err)
		}
		requests += len(eng.Transcript(id))
	}
	b.ReportMetric(float64(requests)/time.Since(start).Seconds(), "req/s")
}
