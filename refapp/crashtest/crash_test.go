package crashtest_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/refapp"
	"github.com/ssoconform/ssoconform/refapp/auth"
	"github.com/ssoconform/ssoconform/refapp/scimserver"
	"github.com/ssoconform/ssoconform/refapp/store"
	"github.com/ssoconform/ssoconform/refapp/store/storetest"
)

// childEnv, when set to a store DSN, makes this test binary a child refapp: the SCIM server on that
// store, on a loopback port it prints, until it is killed. With earlyEnv set too, its store is ackEarly.
const childEnv, earlyEnv = "REFAPP_CRASH_CHILD_DB", "REFAPP_CRASH_CHILD_ACK_EARLY"

func TestMain(m *testing.M) {
	if dsn := os.Getenv(childEnv); dsn != "" {
		if err := serveChild(dsn, os.Getenv(earlyEnv) != ""); err != nil {
			fmt.Fprintln(os.Stderr, "crash child:", err)
			os.Exit(1)
		}
		return
	}
	os.Exit(m.Run())
}

func serveChild(dsn string, early bool) error {
	ctx := context.Background()
	st, err := refapp.OpenStore(ctx, dsn)
	if err != nil {
		return err
	}
	if early {
		st = &ackEarly{Store: st}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	srv, err := scimserver.New(scimserver.Config{Store: st, BaseURL: "http://" + ln.Addr().String()})
	if err != nil {
		return err
	}
	srv.Mount(mux)
	fmt.Println("listening", ln.Addr().String())
	return http.Serve(ln, mux) //nolint:gosec // a test server on loopback, killed by its parent
}

// ackEarly is the broken store of TestCrashTestCatchesLostWrites: it answers a SCIM create at once and
// makes it a few milliseconds later, one create at a time (as a database with one writer would), so a
// child killed in that window loses a user it answered 201 for.
type ackEarly struct {
	store.Store
	mu sync.Mutex // held from a create's answer until it is stored
}

func (a *ackEarly) ProvisionMember(ctx context.Context, m store.Member) (store.Member, error) {
	a.mu.Lock()
	go func() {
		defer a.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		_, _ = a.Store.ProvisionMember(context.WithoutCancel(ctx), m)
	}()
	return m, nil
}

// TestCrashKeepsEveryCreatedUser: a child refapp takes SCIM pushes at concurrency 8 and is killed with
// SIGKILL mid-run; restarted on the same database, it must find every user it answered 201 for.
func TestCrashKeepsEveryCreatedUser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	eachDatabase(t, func(t *testing.T, dsn string) {
		created, missing := crashTest(t, false, dsn)
		for _, u := range missing {
			t.Errorf("user %s got 201 before the crash but is gone after it", u)
		}
		t.Logf("%d users got 201 before SIGKILL; %d of them missing after restart", created, len(missing))
	})
}

// TestCrashTestCatchesLostWrites runs the same crash test against a child whose store answers before
// it writes (ackEarly): the crash test must report lost users there.
func TestCrashTestCatchesLostWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	eachDatabase(t, func(t *testing.T, dsn string) {
		created, missing := crashTest(t, true, dsn)
		if len(missing) == 0 {
			t.Errorf("the crash test found all %d users of a child that answers before writing: it cannot catch lost writes",
				created)
		}
		if len(missing) == created { // the lookup after restart must still find what was committed
			t.Errorf("all %d users are missing: the loss is not the crash's, or the lookup finds nothing", created)
		}
		t.Logf("child answering before writing: %d users got 201 before SIGKILL; %d of them missing", created, len(missing))
	})
}

// eachDatabase runs fn on a fresh SQLite file and, when REFAPP_TEST_POSTGRES_DSN is set, a fresh
// PostgreSQL schema.
func eachDatabase(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, "sqlite:"+filepath.Join(t.TempDir(), "refapp.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := storetest.PostgresSchema(t)
		if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
			t.Skip(storetest.PostgresVar + " is not a postgres:// URL, which refapp needs")
		}
		fn(t, dsn)
	})
}

// crashTest pushes users at concurrency 8 to a child refapp on dsn (its store ackEarly when early),
// SIGKILLs it after 300 201s, restarts it (a sound one) and returns how many users got 201 and which of
// them are gone.
func crashTest(t *testing.T, early bool, dsn string) (int, []string) {
	key := seedCrashOrg(t, dsn)
	child, base := startChild(t, early, dsn)
	const conc, killAfter = 8, 300
	var created sync.Map // userName -> true, for every 201
	var n201 atomic.Int64
	var killed atomic.Bool
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 30 * time.Second}
	for w := range conc {
		wg.Go(func() {
			for i := 0; ; i++ { // until the killed child stops answering
				userName := fmt.Sprintf("crash-%d-%06d@acme.test", w, i)
				status, err := push(client, base, key, userName)
				if err != nil {
					return
				}
				if status != http.StatusCreated {
					t.Errorf("push %s: status %d, want 201", userName, status)
					return
				}
				created.Store(userName, true)
				if n201.Add(1) == killAfter {
					killed.Store(true)
					if err := child.Process.Signal(syscall.SIGKILL); err != nil {
						t.Errorf("kill the child: %v", err)
					}
				}
			}
		})
	}
	wg.Wait()
	_ = child.Wait()
	if !killed.Load() {
		t.Fatalf("the child stopped answering after %d users, before it was killed", n201.Load())
	}
	_, base = startChild(t, false, dsn)
	var missing []string
	created.Range(func(k, _ any) bool {
		if !found(t, client, base, key, k.(string)) {
			missing = append(missing, k.(string))
		}
		return true
	})
	return int(n201.Load()), missing
}

// seedCrashOrg creates an org that may use SCIM, and returns an API key with the scim scope.
func seedCrashOrg(t *testing.T, dsn string) string {
	t.Helper()
	ctx := context.Background()
	st, err := refapp.OpenStore(ctx, dsn)
	storetest.Must(t, err)
	defer st.Close()
	now := time.Now()
	storetest.Must(t, st.CreateOrg(ctx, store.Org{ID: "acme", Name: "acme", Plan: store.PlanPro, CreatedAt: now}))
	storetest.Must(t, st.PutSSOConnection(ctx, store.SSOConnection{OrgID: "acme", Protocol: "oidc",
		MetadataURL: "https://idp/x", Issuer: "https://idp", ClientID: "c", ClientSecret: "s",
		DefaultRole: store.RoleMember, SyncEnabled: true, UpdatedAt: now}))
	key, rec, err := auth.NewAPIKey(rand.Reader, "acme", []string{"scim"}, now)
	storetest.Must(t, err)
	storetest.Must(t, st.CreateAPIKey(ctx, rec))
	return key
}

// startChild runs this test binary as a child refapp on dsn and returns it with its SCIM base URL.
func startChild(t *testing.T, early bool, dsn string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+dsn)
	if early {
		cmd.Env = append(cmd.Env, earlyEnv+"=1")
	}
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	storetest.Must(t, err)
	storetest.Must(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		t.Fatalf("child refapp did not start: %q %v", line, err)
	}
	return cmd, "http://" + addr + scimserver.Prefix
}

// send sends a SCIM request authenticated by key.
func send(c *http.Client, method, url, key string, body []byte) (*http.Response, error) {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/scim+json")
	return c.Do(req)
}

// push creates a user and returns the response's status.
func push(c *http.Client, base, key, userName string) (int, error) {
	body, err := json.Marshal(map[string]any{
		"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": userName, "active": true,
		"name":   map[string]any{"givenName": "Crash", "familyName": "Test"},
		"emails": []any{map[string]any{"primary": true, "value": userName, "type": "work"}},
	})
	if err != nil {
		return 0, err
	}
	resp, err := send(c, http.MethodPost, base+"/Users", key, body)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

// found looks the user up as Okta does, by a userName filter.
func found(t *testing.T, c *http.Client, base, key, userName string) bool {
	t.Helper()
	resp, err := send(c, http.MethodGet, base+"/Users?filter="+url.QueryEscape(`userName eq "`+userName+`"`), key, nil)
	storetest.Must(t, err)
	defer resp.Body.Close()
	var list struct{ TotalResults int }
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil && !errors.Is(err, io.EOF) {
		t.Fatalf("lookup %s: status %d: %v", userName, resp.StatusCode, err)
	}
	return resp.StatusCode == http.StatusOK && list.TotalResults == 1
}
