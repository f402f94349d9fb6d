package mockidp_test

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The benchmark org's fixed credentials, so the client needs nothing from
// the mock's start-up output.
const (
	aliceLogin        = "alice@acme.test"
	benchClientID     = "0oabenchclient00000x7"
	benchClientSecret = "bench-secret-0123456789abcdefghijklmnopqrstu"
)

// mockProcess is the mockidp binary serving one org on loopback.
type mockProcess struct {
	cmd     *exec.Cmd
	hostURL string // http://127.0.0.1:PORT
	baseURL string // the org's base URL
}

// startMockProcess builds cmd/mockidp, starts it on a free loopback port with
// an org holding one OIDC app and alice assigned to it, and waits until it
// answers. The process is killed when the benchmark ends.
func startMockProcess(b *testing.B) *mockProcess {
	b.Helper()
	dir := b.TempDir()
	bin := filepath.Join(dir, "mockidp")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/mockidp").CombinedOutput(); err != nil {
		b.Fatalf("build mockidp: %v\n%s", err, out)
	}
	config := filepath.Join(dir, "org.yaml")
	if err := os.WriteFile(config, []byte(benchFixture), 0o600); err != nil {
		b.Fatal(err)
	}
	addr := freeLoopbackAddr(b)
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "serve", "--addr", addr, "--config", config)
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	m := &mockProcess{cmd: cmd, hostURL: "http://" + addr, baseURL: "http://" + addr + "/bench"}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(m.baseURL + "/.well-known/openid-configuration")
		if err == nil {
			resp.Body.Close()
			return m
		}
		if time.Now().After(deadline) {
			b.Fatalf("mockidp did not answer on %s: %v\n%s", addr, err, stderr.String())
		}
	}
}

// cpuTime is the mock process's user and system CPU time so far, from
// /proc/PID/stat (clock ticks of 10 ms).
func (m *mockProcess) cpuTime(b *testing.B) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", m.cmd.Process.Pid))
	if err != nil {
		b.Fatal(err)
	}
	// The command name, in parentheses, may hold spaces; fields count from after it.
	_, rest, _ := strings.Cut(string(raw), ") ")
	f := strings.Fields(rest) // f[0] is field 3 (state): utime and stime are fields 14 and 15
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		b.Fatalf("read /proc/%d/stat: %q", m.cmd.Process.Pid, raw)
	}
	const tick = 10 * time.Millisecond // USER_HZ is 100 on Linux
	return time.Duration(utime+stime) * tick
}

func freeLoopbackAddr(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

var benchFixture = `orgs:
  - name: bench
    users:
      - {login: ` + aliceLogin + `, firstName: Alice, lastName: Anderson, password: ` + alicePassword + `}
    apps:
      - label: bench
        oidc:
          clientId: ` + benchClientID + `
          clientSecret: ` + benchClientSecret + `
          redirectUris: [` + redirectURI + `]
        assignments: [` + aliceLogin + `]
`
