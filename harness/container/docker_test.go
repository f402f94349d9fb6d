package container

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
)

// The tests below start real containers. They need a Docker daemon (.ci/run starts one) and skip with
// the reason when none answers. TestMain turns off testcontainers' reaper, whose image cannot be pulled
// where nothing can be.
func TestMain(m *testing.M) {
	if os.Getenv("TESTCONTAINERS_RYUK_DISABLED") == "" {
		os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
	tclog.SetDefault(tclog.NewNoopLogger()) // its banner on every test run is noise
	os.Exit(m.Run())
}

// needDocker skips the test when no daemon answers.
func needDocker(t *testing.T) {
	t.Helper()
	if err := Health(context.Background()); err != nil {
		t.Skipf("%v: the container tests need a Docker daemon (.ci/run installs and starts one)", err)
	}
}

var (
	fixtureOnce  sync.Once
	fixtureImage string
	fixtureErr   error
)

// fixture builds the test fixture image (testdata/fixture, FROM scratch) once per test binary.
func fixture(t testing.TB) string {
	t.Helper()
	fixtureOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ssoconform-fixture-")
		if err != nil {
			fixtureErr = err
			return
		}
		defer os.RemoveAll(dir)
		build := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(dir, "fixture"), "./testdata/fixture")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			fixtureErr = errors.New("build the fixture: " + err.Error() + "\n" + string(out))
			return
		}
		df := "FROM scratch\nCOPY fixture /fixture\nENTRYPOINT [\"/fixture\"]\n"
		if fixtureErr = os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); fixtureErr != nil {
			return
		}
		p, err := testcontainers.NewDockerProvider()
		if err != nil {
			fixtureErr = err
			return
		}
		defer p.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		fixtureImage, fixtureErr = p.BuildImage(ctx, &testcontainers.ContainerRequest{FromDockerfile: testcontainers.FromDockerfile{
			Context: dir, Repo: "ssoconform-test/fixture", Tag: "latest", KeepImage: true, BuildLogWriter: io.Discard}})
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixtureImage
}

// gone reports whether Docker no longer knows the container.
func gone(t *testing.T, id string) bool {
	t.Helper()
	cli, err := client.New(client.FromEnv)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	_, err = cli.ContainerInspect(context.Background(), id, client.ContainerInspectOptions{})
	return err != nil && strings.Contains(strings.ToLower(err.Error()), "no such container")
}

// containersLabelled counts the containers, running or not, that carry org.ssoconform.test=name.
func containersLabelled(t *testing.T, name string) int {
	t.Helper()
	cli, err := client.New(client.FromEnv)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	list, err := cli.ContainerList(context.Background(), client.ContainerListOptions{All: true,
		Filters: make(client.Filters).Add("label", "org.ssoconform.test="+name)})
	if err != nil {
		t.Fatal(err)
	}
	return len(list.Items)
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestStartReadyLogsAndClose: the container gets its environment and PORT, answers on the loopback
// port once its ready path does, keeps its log, and is gone after Close.
func TestStartReadyLogsAndClose(t *testing.T) {
	t.Parallel()
	needDocker(t)
	img := fixture(t)
	ctx := context.Background()
	c, err := Start(ctx, Config{Image: img, ReadyPath: "/ready", Env: map[string]string{"FIXTURE_READY_AFTER": "1s", "GREETING": "hello"},
		Labels: map[string]string{"org.ssoconform.test": t.Name()}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if got := get(t, c.BaseURL+"/ready"); got != "ready\n" {
		t.Errorf("/ready after Start = %q, want ready: Start returned before the app was ready", got)
	}
	if got := get(t, c.BaseURL+"/env/GREETING"); got != "hello" {
		t.Errorf("GREETING in the container = %q", got)
	}
	if got, want := get(t, c.BaseURL+"/env/PORT"), strings.TrimPrefix(c.BaseURL, "http://127.0.0.1:"); got != want {
		t.Errorf("PORT in the container = %q, want %s", got, want)
	}
	// Docker's log driver writes asynchronously: the last request may take a moment to show
	var log []byte
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if log, err = c.Logs(ctx); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(log), "fixture: GET /env/GREETING") {
			break
		}
	}
	for _, want := range []string{"fixture: listening on 127.0.0.1:", "fixture: GET /env/GREETING"} {
		if !strings.Contains(string(log), want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(ctx); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if !gone(t, c.ID) || containersLabelled(t, t.Name()) != 0 {
		t.Errorf("container %s still exists after Close", c.ID)
	}
	if _, err := net.DialTimeout("tcp", strings.TrimPrefix(c.BaseURL, "http://"), time.Second); err == nil {
		t.Errorf("something still listens on %s after Close", c.BaseURL)
	}
}

// TestStartFailures: each way a start fails says why, with the container's last log lines, and leaves
// no container behind.
func TestStartFailures(t *testing.T) {
	t.Parallel()
	needDocker(t)
	img := fixture(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Close() }) // after the parallel subtests, not when this function returns
	tests := []struct {
		name     string
		cfg      Config
		want     []string
		exitCode int
	}{
		{"exits at start", Config{Image: img, ReadyPath: "/ready", Env: map[string]string{"FIXTURE_EXIT": "7"}},
			[]string{"exited with status 7 before it was ready", "its last 1 log lines:\n  | fixture: refusing to start: FIXTURE_EXIT=7"}, 7},
		{"never ready", Config{Image: img, ReadyPath: "/ready", StartTimeout: 2 * time.Second, Env: map[string]string{"FIXTURE_NEVER_READY": "1"}},
			[]string{"did not answer GET http://127.0.0.1:", "/ready below 500 within 2s (last: 503 Service Unavailable)", "fixture: GET /ready"}, -1},
		{"listens elsewhere", Config{Image: img, ReadyPath: "/ready", StartTimeout: 2 * time.Second, Env: map[string]string{"PORT": "1"}},
			[]string{"(last: ", "connection refused", "an image that listens on a fixed port"}, -1},
		{"port in use", Config{Image: img, Port: busy.Addr().(*net.TCPAddr).Port}, []string{"is already in use"}, 0},
		{"not on the host, not pullable", Config{Image: "127.0.0.1:1/ssoconform-test/absent:1"},
			[]string{"is not on this Docker host and could not be pulled", "make images"}, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.cfg.Labels = map[string]string{"org.ssoconform.test": t.Name()}
			c, err := Start(context.Background(), tc.cfg)
			if err == nil {
				c.Close(context.Background())
				t.Fatal("Start succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			var se *StartError
			if errors.As(err, &se) {
				if se.ExitCode != tc.exitCode {
					t.Errorf("ExitCode = %d, want %d", se.ExitCode, tc.exitCode)
				}
				if se.Created && len(se.Log) == 0 {
					t.Errorf("no log kept")
				}
			}
			if n := containersLabelled(t, t.Name()); n != 0 {
				t.Errorf("%d containers left behind", n)
			}
		})
	}
}
