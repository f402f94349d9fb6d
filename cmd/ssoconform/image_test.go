package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/harness"
	"github.com/ssoconform/ssoconform/harness/container"
	"github.com/ssoconform/ssoconform/internal/version"
	"github.com/ssoconform/ssoconform/mockidp"
)

// The container path, proven on every `make test` where a Docker daemon answers (.ci/run starts one):
// the images are built (scripts/build-images.sh, what `make images` runs), `ssoconform scim --image`
// runs the SCIM suite against the refapp image and must end conformant with the container's log in the
// report, a broken image must end with its log lines and exit status 3, a partner's Go entry point and
// the ssoconform image must work together, and the mockidp image must run out of the box. Without a
// daemon the test skips with the reason, and the line `make test` prints at the end says so.

var (
	cliOnce sync.Once
	cliBin  string
	cliErr  error
)

// ssoconformBin builds this command once per test binary: exit statuses are main's, so the tests run
// the real program.
func ssoconformBin(t *testing.T) string {
	t.Helper()
	cliOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ssoconform-cli-")
		if err != nil {
			cliErr = err
			return
		}
		cliBin = filepath.Join(dir, "ssoconform")
		if out, err := exec.Command("go", "build", "-o", cliBin, ".").CombinedOutput(); err != nil {
			cliErr = fmt.Errorf("build ssoconform: %w\n%s", err, out)
		}
	})
	if cliErr != nil {
		t.Fatal(cliErr)
	}
	return cliBin
}

// runBin runs the built ssoconform with env added and returns its output and exit status.
func runBin(t *testing.T, env []string, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	cmd := exec.Command(ssoconformBin(t), args...)
	cmd.Env = append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		status = exit.ExitCode()
	default:
		t.Fatalf("run ssoconform: %v", err)
	}
	return o.String(), e.String(), status
}

// TestImageWithoutDocker: with no daemon, `scim --image` stops at once with the plain sentence and exit
// status 3. It needs no Docker: DOCKER_HOST names a socket nobody listens on.
func TestImageWithoutDocker(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tok := filepath.Join(dir, "token")
	if err := os.WriteFile(tok, []byte("rk_secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	host := "unix://" + filepath.Join(dir, "docker.sock")
	ssoconformBin(t) // built before the clock starts
	start := time.Now()
	stdout, stderr, status := runBin(t, []string{"DOCKER_HOST=" + host}, "scim", "--image", "ssoconform/refapp:"+version.Version(),
		"--token-file", tok, "--report-dir", filepath.Join(dir, "report"))
	t.Logf("no daemon: exit %d after %v", status, time.Since(start))
	if want := "ssoconform: no Docker daemon answered at " + host + "; install Docker or run against --url\n"; status != 3 || stderr != want {
		t.Errorf("exit %d, stderr %q; want 3 and %q", status, stderr, want)
	}
	if stdout != "" {
		t.Errorf("stdout = %q, want nothing: no spec ran", stdout)
	}
}

// TestImageContainerPath is the container path end to end (see the top of this file).
func TestImageContainerPath(t *testing.T) {
	if testing.Short() {
		t.Skip("builds images and runs the SCIM suite in containers")
	}
	ctx := context.Background()
	if err := container.Health(ctx); err != nil {
		noteContainerPath(t, fmt.Sprintf("container path: SKIPPED: %v (install Docker and start its daemon; .ci/run does)", err))
		t.Skipf("%v: the container path needs a Docker daemon", err)
	}
	t.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true") // for StartSCIM below, as the CLI does
	quietTestcontainers()
	if _, err := exec.LookPath("docker"); err != nil {
		t.Fatalf("a Docker daemon answers but the docker command is missing: %v", err)
	}
	refappImage := "ssoconform/refapp:" + version.Version()
	build := exec.Command("bash", "scripts/build-images.sh")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the images: %v\n%s", err, out)
	} else {
		t.Logf("%s", out)
	}
	boot := newBootstrap(t, startMockOkta(t))
	var lines []string

	t.Run("scim --image refapp is conformant", func(t *testing.T) {
		lines = append(lines, boot.runConformant(t, refappImage))
	})
	t.Run("a broken image ends with its log and status 3", func(t *testing.T) {
		lines = append(lines, boot.runBroken(t, refappImage))
	})
	t.Run("StartSCIM and the ssoconform image", func(t *testing.T) {
		boot.goAPIAndCLIImage(t, refappImage)
	})
	t.Run("the mockidp image out of the box", func(t *testing.T) {
		mockidpOutOfTheBox(t)
	})
	if !t.Failed() {
		noteContainerPath(t, "container path: "+strings.Join(lines, "; "))
	}
}

// noteContainerPath leaves the outcome where `make test` prints it last ($SSOCONFORM_REPORT_DIR/containers.txt).
func noteContainerPath(t *testing.T, line string) {
	t.Log(line)
	if dir := os.Getenv("SSOCONFORM_REPORT_DIR"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err == nil {
			_ = os.WriteFile(filepath.Join(dir, "containers.txt"), []byte(line+"\n"), 0o644)
		}
	}
}

// mockOkta is an in-process mock Okta org with an OIDC app the refapp containers connect to.
type mockOkta struct {
	discovery, clientID, clientSecret string
}

func startMockOkta(t *testing.T) mockOkta {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	idp, err := mockidp.New(mockidp.Config{BaseURL: "http://" + ln.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: idp, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	org, err := idp.CreateOrg(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	app, err := org.CreateOIDCApp(context.Background(), mockidp.OIDCAppInput{Label: "refapp", RedirectURIs: []string{"http://127.0.0.1/sso/oidc/callback"}})
	if err != nil {
		t.Fatal(err)
	}
	return mockOkta{discovery: org.DiscoveryURL(), clientID: app.ClientID, clientSecret: app.ClientSecret}
}

// bootstrap is refapp's bootstrap document for two organizations connected to the mock with sync on,
// and the keys: acme's (a), globex's (b) and acme's key the rate-limit spec may exhaust (c).
type bootstrap struct {
	doc     string
	a, b, c string
	dir     string // token files a, b, c
}

func newBootstrap(t *testing.T, idp mockOkta) bootstrap {
	t.Helper()
	bt := bootstrap{a: newKey(t), b: newKey(t), c: newKey(t), dir: t.TempDir()}
	sso := map[string]any{"protocol": "oidc", "metadata_url": idp.discovery, "client_id": idp.clientID,
		"client_secret": idp.clientSecret, "default_role": "member", "sync": true}
	raw, err := json.Marshal(map[string]any{"orgs": []map[string]any{
		{"name": "acme", "admin_email": "admin@acme.test", "admin_password": "Acme-Admin-" + newKey(t)[3:15], "scim_keys": []string{bt.a, bt.c}, "sso": sso},
		{"name": "globex", "admin_email": "admin@globex.test", "admin_password": "Globex-Admin-" + newKey(t)[3:15], "scim_keys": []string{bt.b}, "sso": sso},
	}})
	if err != nil {
		t.Fatal(err)
	}
	bt.doc = string(raw)
	for name, key := range map[string]string{"a": bt.a, "b": bt.b, "c": bt.c} {
		if err := os.WriteFile(filepath.Join(bt.dir, name), []byte(key+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return bt
}

// newKey makes a refapp API key: rk_ and 32 random bytes in base64url.
func newKey(t *testing.T) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "rk_" + base64.RawURLEncoding.EncodeToString(b)
}

// reportDir is where a container run's reports go: kept under $SSOCONFORM_REPORT_DIR for CI.
func reportDir(t *testing.T, name string) string {
	if dir := os.Getenv("SSOCONFORM_REPORT_DIR"); dir != "" {
		abs, err := filepath.Abs(filepath.Join(dir, name))
		if err == nil {
			_ = os.RemoveAll(abs)
			return abs
		}
	}
	return filepath.Join(t.TempDir(), name)
}

func freeLoopbackPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// countsLine is the summary's count line, "84 passed, 0 failed, 0 warnings, 0 skipped" (other states
// may join it); summaryCounts reads each count by its name.
var (
	countsLine = regexp.MustCompile(`(?m)^\d+ passed(, \d+ [a-z]+)*$`)
	countPart  = regexp.MustCompile(`(\d+) ([a-z]+)`)
)

// summaryCounts returns the run's counts by state ("passed", "failed", ...), nil without a count line.
func summaryCounts(stdout string) map[string]int {
	line := countsLine.FindString(stdout)
	if line == "" {
		return nil
	}
	counts := map[string]int{}
	for _, m := range countPart.FindAllStringSubmatch(line, -1) {
		counts[m[2]], _ = strconv.Atoi(m[1])
	}
	return counts
}

// runConformant: the whole SCIM suite of the okta-oin profile, every feature declared, both tenants
// and the throttled key, against the refapp image started by --image. All specs share key a here, so
// its limit must hold the whole suite (a burst of 1500, well above its few hundred requests, whatever
// the machine's speed), while the rate-limit spec's burst on key c must outrun the refill (50/s).
func (bt bootstrap) runConformant(t *testing.T, image string) string {
	dir := reportDir(t, "container-run")
	port := freeLoopbackPort(t)
	stdout, stderr, status := runBin(t, []string{"REFAPP_BOOTSTRAP=" + bt.doc},
		"scim", "--image", image, "--image-port", strconv.Itoa(port), "--image-ready", "/healthz",
		"--image-env", "REFAPP_BOOTSTRAP", "--image-env", "REFAPP_SCIM_RATE_LIMIT=50", "--image-env", "REFAPP_SCIM_RATE_BURST=1500",
		"--token-file", filepath.Join(bt.dir, "a"), "--second-url", "/scim/v2", "--second-token-file", filepath.Join(bt.dir, "b"),
		"--throttle-token-file", filepath.Join(bt.dir, "c"), "--features", "all", "--report-dir", dir)
	if status != 0 || !strings.Contains(stdout, "\nverdict: conformant\n") {
		t.Fatalf("exit %d; want 0 and verdict conformant\nstdout:\n%s\nstderr:\n%s", status, stdout, stderr)
	}
	counts := summaryCounts(stdout)
	if counts == nil {
		t.Fatalf("no count line in the output:\n%s", stdout)
	}
	for state, n := range counts {
		if state != "passed" && n != 0 {
			t.Errorf("%d %s; want every selected spec passed (counts %v)", n, state, counts)
		}
	}
	if counts["passed"] < 50 {
		t.Errorf("only %d specs passed: the run selected too little to prove anything", counts["passed"])
	}
	log, err := os.ReadFile(filepath.Join(dir, "container.log"))
	if err != nil {
		t.Fatalf("no container log in the report directory: %v", err)
	}
	for _, want := range []string{`msg="bootstrap done" organizations=2`, "refapp listening", "path=/scim/v2/Users"} {
		if !strings.Contains(string(log), want) {
			t.Errorf("container.log lacks %q", want)
		}
	}
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil || !strings.Contains(string(html), `<a href="container.log">container.log</a>`) {
		t.Errorf("report.html does not link container.log (%v)", err)
	}
	for _, secret := range []string{bt.a[3:], bt.b[3:], bt.c[3:]} {
		if strings.Contains(stdout+stderr+string(log), secret) {
			t.Errorf("a SCIM key was shown in the output or the log")
		}
	}
	noContainerOn(t, port)
	return fmt.Sprintf("ssoconform scim --image %s: verdict conformant, %d passed (report in %s)", image, counts["passed"], dir)
}

// runBroken: an image that exits at start (its database cannot be opened) ends the run with status
// 3, its last log lines and its log in the report directory, and leaves no container.
func (bt bootstrap) runBroken(t *testing.T, refappImage string) string {
	broken := "ssoconform-test/refapp-broken:" + version.Version()
	cmd := exec.Command("docker", "build", "--quiet", "-t", broken, "-")
	cmd.Stdin = strings.NewReader("FROM " + refappImage + "\nENV REFAPP_DB=nowhere:refapp\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the broken image: %v\n%s", err, out)
	}
	dir := reportDir(t, "container-broken")
	port := freeLoopbackPort(t)
	stdout, stderr, status := runBin(t, nil, "scim", "--image", broken, "--image-port", strconv.Itoa(port),
		"--image-ready", "/healthz", "--token-file", filepath.Join(bt.dir, "a"), "--report-dir", dir)
	want := "ssoconform: image " + broken + " exited with status 1 before it was ready; its last 1 log lines:\n" +
		`  | refapp: database "nowhere:refapp": unsupported kind "nowhere"`
	if status != 3 || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr:\n%s\nwant 3 and:\n%s", status, stderr, want)
	}
	if strings.Contains(stdout, "verdict") {
		t.Errorf("specs ran against an image that never started:\n%s", stdout)
	}
	if log, err := os.ReadFile(filepath.Join(dir, "container.log")); err != nil || !strings.Contains(string(log), "unsupported kind") {
		t.Errorf("container.log = %q, %v; want the image's error", log, err)
	}
	noContainerOn(t, port)
	return "a broken image: exit status 3 with its log"
}

// goAPIAndCLIImage: what a partner's go test does (StartSCIM), with the ssoconform image as the client.
func (bt bootstrap) goAPIAndCLIImage(t *testing.T, refappImage string) {
	ctx := context.Background()
	target, c, err := container.StartSCIM(ctx, container.Config{Image: refappImage, ReadyPath: "/healthz",
		Env: map[string]string{"REFAPP_BOOTSTRAP": bt.doc}}, harness.SCIMTarget{Authorization: "Bearer " + bt.a})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if want := c.BaseURL + "/scim/v2"; target.BaseURL != want {
		t.Errorf("target base URL %q, want %q", target.BaseURL, want)
	}
	cmd := exec.Command("docker", "run", "--rm", "-i", "--network", "host", "ssoconform/ssoconform:"+version.Version(),
		"scim", "--url", target.BaseURL, "--token-file", "-", "--focus", "SCIM-USR-CREATE-201|SCIM-LIST-SHAPE")
	cmd.Stdin = strings.NewReader(bt.a + "\n")
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("\nverdict: conformant\n")) {
		t.Errorf("the ssoconform image against the StartSCIM target: %v\n%s", err, out)
	}
	if err := c.Close(ctx); err != nil {
		t.Error(err)
	}
	noContainerOn(t, c.Port)
}

// mockidpOutOfTheBox runs the mockidp image with the README's command (on a free port) and reads the
// example org's discovery document.
func mockidpOutOfTheBox(t *testing.T) {
	ctx := context.Background()
	port := freeLoopbackPort(t)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	c, err := container.Start(ctx, container.Config{Image: "ssoconform/mockidp:" + version.Version(), Port: port,
		Cmd: []string{"serve", "--addr", addr, "--config", "/fixtures/example.yaml"}, ReadyPath: "/acme/.well-known/openid-configuration"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	resp, err := http.Get(c.BaseURL + "/acme/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Issuer string `json:"issuer"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || resp.StatusCode != 200 || doc.Issuer != "http://"+addr+"/acme" {
		t.Errorf("discovery: status %d, issuer %q, %v; want the example org at http://%s/acme", resp.StatusCode, doc.Issuer, err, addr)
	}
}

// noContainerOn fails when a container labelled with port is left, running or not.
func noContainerOn(t *testing.T, port int) {
	t.Helper()
	out, err := exec.Command("docker", "ps", "--all", "--quiet", "--filter", "label=org.ssoconform.port="+strconv.Itoa(port)).CombinedOutput()
	if err != nil {
		t.Fatalf("docker ps: %v\n%s", err, out)
	}
	if ids := strings.TrimSpace(string(out)); ids != "" {
		t.Errorf("containers left behind on port %d: %s", port, ids)
	}
}
