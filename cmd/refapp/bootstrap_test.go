package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/refapp"
	"github.com/ssoconform/ssoconform/refapp/admin"
)

// env is a fake environment for flagsFromEnv and loadBootstrap.
type env map[string]string

func (e env) lookup(k string) (string, bool) { v, ok := e[k]; return v, ok }

func TestFlagsFromEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     env
		args    []string
		want    map[string]string
		wantErr string
	}{
		{"nothing set", env{}, nil, map[string]string{"addr": "127.0.0.1:8080", "base-url": "", "db": ""}, ""},
		{"PORT", env{"PORT": "9001"}, nil,
			map[string]string{"addr": "127.0.0.1:9001", "base-url": "http://127.0.0.1:9001", "db": ""}, ""},
		{"REFAPP_ beats PORT", env{"PORT": "9001", "REFAPP_ADDR": "127.0.0.1:9002", "REFAPP_DB": "sqlite:/data/refapp.db"}, nil,
			map[string]string{"addr": "127.0.0.1:9002", "base-url": "http://127.0.0.1:9001", "db": "sqlite:/data/refapp.db"}, ""},
		{"dashes become underscores", env{"REFAPP_BASE_URL": "http://app.test:1", "REFAPP_SCIM_RATE_LIMIT": "5"}, nil,
			map[string]string{"base-url": "http://app.test:1", "scim-rate-limit": "5"}, ""},
		{"the command line wins", env{"PORT": "9001", "REFAPP_DB": "sqlite:env.db"}, []string{"--db", "sqlite:arg.db", "--addr", "127.0.0.1:1"},
			map[string]string{"addr": "127.0.0.1:1", "base-url": "http://127.0.0.1:9001", "db": "sqlite:arg.db"}, ""},
		{"a bad value names its variable", env{"REFAPP_SCIM_RATE_LIMIT": "fast"}, nil, nil, "REFAPP_SCIM_RATE_LIMIT"},
		{"other variables are ignored", env{"REFAPP_TEST_POSTGRES_DSN": "postgres://x", "DB": "sqlite:x"}, nil, map[string]string{"db": ""}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			fs.String("addr", "127.0.0.1:8080", "")
			fs.String("base-url", "", "")
			fs.String("db", "", "")
			fs.Float64("scim-rate-limit", 0, "")
			err := flagsFromEnv(fs, tc.env.lookup)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for name := range tc.want {
				got[name] = fs.Lookup(name).Value.String()
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("flags (-want +got):\n%s", d)
			}
		})
	}
}

const (
	keyA = "rk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	keyB = "rk_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
)

func TestLoadBootstrapRefusesBadDocuments(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	empty := write("empty", "\n")
	doc := write("doc.json", `{"orgs":[{"name":"acme","admin_email":"a@acme.test","admin_password":"pw-123456789"}]}`)
	org := func(fields string) string {
		return `{"orgs":[{"name":"acme","admin_email":"a@acme.test",` + fields + `}]}`
	}
	tests := []struct {
		name, inline, file, want string
	}{
		{"inline and file", org(`"admin_password":"x"`), doc, "give one"},
		{"not JSON", `{"orgs":[`, "", "not valid"},
		{"unknown field", org(`"admin_password":"x","scim_key":"` + keyA + `"`), "", `unknown field "scim_key"`},
		{"data after the end", org(`"admin_password":"x"`) + `{}`, "", "data after its end"},
		{"no organization", `{"orgs":[]}`, "", "names no organization"},
		{"no name", `{"orgs":[{"admin_email":"a@acme.test","admin_password":"x"}]}`, "", `"name" and "admin_email" are required`},
		{"no password", org(`"plan":"pro"`), "", `"admin_password" or "admin_password_file" is required`},
		{"password twice", org(`"admin_password":"x","admin_password_file":"` + doc + `"`), "", "both set"},
		{"empty password file", org(`"admin_password_file":"` + empty + `"`), "", "is empty"},
		{"missing password file", org(`"admin_password_file":"` + filepath.Join(dir, "nope") + `"`), "", "no such file"},
		{"malformed key", org(`"admin_password":"x","scim_keys":["rk_secret-but-short"]`), "", "scim key 1 is not a refapp API key"},
		{"malformed key from a file", org(`"admin_password":"x","scim_key_files":["` + write("badkey", "secret-but-short\n") + `"]`), "", "scim key 1 is not"},
		{"oidc without a client secret", org(`"admin_password":"x","sso":{"protocol":"oidc","client_id":"c"}`), "", `"sso.client_secret" or "sso.client_secret_file" is required`},
		{"the same organization twice", `{"orgs":[{"name":"acme","admin_email":"a@x.test","admin_password":"x"},{"name":"ACME","admin_email":"b@x.test","admin_password":"y"}]}`, "", "appears twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := env{}
			if tc.inline != "" {
				e[bootstrapEnv] = tc.inline
			}
			got, err := loadBootstrap(e.lookup, tc.file)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("loadBootstrap = %v, %v; want an error saying %q", got, err, tc.want)
			}
			if strings.Contains(err.Error(), "secret-but-short") {
				t.Errorf("the error repeats a secret: %v", err)
			}
		})
	}
}

func TestLoadBootstrapReadsSecretFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{"pw": "Admin-Passw0rd\n", "key": keyB + "\r\n", "secret": "client-secret\n"}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := json.Marshal(map[string]any{"orgs": []map[string]any{{
		"name": "acme", "admin_email": "admin@acme.test", "admin_password_file": filepath.Join(dir, "pw"),
		"scim_keys": []string{keyA}, "scim_key_files": []string{filepath.Join(dir, "key")},
		"sso": map[string]any{"protocol": "oidc", "metadata_url": "http://idp.test/.well-known/openid-configuration",
			"client_id": "cid", "client_secret_file": filepath.Join(dir, "secret"), "default_role": "viewer", "sync": true},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	docFile := filepath.Join(dir, "bootstrap.json")
	if err := os.WriteFile(docFile, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, load := range map[string]func() (*bootstrapDoc, error){
		"inline": func() (*bootstrapDoc, error) { return loadBootstrap(env{bootstrapEnv: string(raw)}.lookup, "") },
		"file":   func() (*bootstrapDoc, error) { return loadBootstrap(env{}.lookup, docFile) },
	} {
		t.Run(name, func(t *testing.T) {
			doc, err := load()
			if err != nil {
				t.Fatal(err)
			}
			want := bootstrapOrg{Name: "acme", Plan: "pro", AdminEmail: "admin@acme.test", AdminPassword: "Admin-Passw0rd",
				AdminPasswordFile: filepath.Join(dir, "pw"), SCIMKeys: []string{keyA, keyB},
				SSO: &bootstrapSSO{Protocol: "oidc", MetadataURL: "http://idp.test/.well-known/openid-configuration", ClientID: "cid",
					ClientSecret: "client-secret", DefaultRole: "viewer", Sync: true}}
			if d := cmp.Diff([]bootstrapOrg{want}, doc.Orgs); d != "" {
				t.Errorf("orgs (-want +got):\n%s", d)
			}
		})
	}
	if doc, err := loadBootstrap(env{bootstrapEnv: "  "}.lookup, ""); doc != nil || err != nil {
		t.Errorf("a blank %s = %v, %v; want no document", bootstrapEnv, doc, err)
	}
}

// lockedBuffer is a log sink the server writes while the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// serveOnce runs `refapp serve` with the environment e (PORT among it) until it answers /healthz, then
// stops it; it returns serve's log and, while it ran, what fn saw.
func serveOnce(t *testing.T, e env, fn func(base string)) (string, error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	e["PORT"] = port
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var log lockedBuffer
	done := make(chan error, 1)
	go func() { done <- serve(ctx, nil, e.lookup, &log) }()
	base := "http://127.0.0.1:" + port
	for {
		select {
		case err := <-done:
			return log.String(), err
		case <-time.After(20 * time.Millisecond):
		}
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
	}
	fn(base)
	cancel()
	return log.String(), <-done
}

// TestServeBootstraps: a container's first start makes the organizations ready from the environment
// alone (SCIM answers with the chosen keys, SSO is connected with sync on); a restart on the same
// database adds nothing; a changed setting is saved; no secret reaches the log.
func TestServeBootstraps(t *testing.T) {
	t.Parallel()
	idp := discoveryServer(t)
	dir := t.TempDir()
	doc := func(enforce bool) string {
		raw, err := json.Marshal(map[string]any{"orgs": []map[string]any{
			{"name": "acme", "plan": "enterprise", "admin_email": "admin@acme.test", "admin_password": "Acme-Admin-Passw0rd",
				"scim_keys": []string{keyA}, "sso": map[string]any{"protocol": "oidc", "metadata_url": idp.URL + "/.well-known/openid-configuration",
					"client_id": "acme-client", "client_secret": "acme-client-secret", "default_role": "viewer", "sync": true, "enforce": enforce}},
			{"name": "globex", "admin_email": "admin@globex.test", "admin_password": "Globex-Admin-Passw0rd", "scim_keys": []string{keyB}},
		}})
		if err != nil {
			t.Fatal(err)
		}
		return string(raw)
	}
	e := env{"REFAPP_DB": "sqlite:" + filepath.Join(dir, "refapp.db"), bootstrapEnv: doc(false), "REFAPP_LOG_LEVEL": "debug"}
	scimStatus := func(base, key string) int {
		req, _ := http.NewRequest(http.MethodGet, base+"/scim/v2/Users?count=1", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	var logs []string
	for run, enforce := range []bool{false, false, true} {
		e[bootstrapEnv] = doc(enforce)
		log, err := serveOnce(t, e, func(base string) {
			// acme has SSO with sync on; globex has no SSO, so SCIM refuses it (403), but its key is known
			if got := []int{scimStatus(base, keyA), scimStatus(base, keyB), scimStatus(base, "rk_"+strings.Repeat("C", 43))}; !cmp.Equal(got, []int{200, 403, 401}) {
				t.Errorf("run %d: SCIM statuses for acme, globex and an unknown key = %v, want [200 403 401]", run, got)
			}
		})
		if err != nil {
			t.Fatalf("run %d: serve: %v\n%s", run, err, log)
		}
		logs = append(logs, log)
		for _, s := range []string{"Acme-Admin-Passw0rd", "acme-client-secret", keyA[3:], keyB[3:]} {
			if strings.Contains(log, s) {
				t.Errorf("run %d: the log shows a secret (%.12s...)", run, s)
			}
		}
	}
	for run, want := range []map[string]int{
		{"organization created": 2, "api key added": 2, "sso connection saved": 1},
		{"organization exists": 2, "SSO settings unchanged": 1},
		{"organization exists": 2, "sso connection saved": 1},
	} {
		for msg, n := range want {
			if got := strings.Count(logs[run], msg); got != n {
				t.Errorf("run %d: %q logged %d times, want %d\n%s", run, msg, got, n, logs[run])
			}
		}
		if strings.Contains(logs[run], "api key added") != (run == 0) {
			t.Errorf("run %d: keys added again:\n%s", run, logs[run])
		}
	}
	st, err := refapp.OpenStore(context.Background(), e["REFAPP_DB"])
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := admin.New(admin.Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	v, err := a.ShowSSO(context.Background(), "acme", "http://127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if v.Protocol != "oidc" || v.ClientID != "acme-client" || v.DefaultRole != "viewer" || !v.Sync || !v.Enforce {
		t.Errorf("acme's SSO after the third start = %+v, want oidc, acme-client, viewer, sync and enforce on", v)
	}
}

// TestServeBootstrapFailsBeforeServing: a document that cannot be applied stops serve with a plain
// error naming the organization, before it listens.
func TestServeBootstrapFailsBeforeServing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e := env{"REFAPP_DB": "sqlite:" + filepath.Join(dir, "refapp.db"), bootstrapEnv: `{"orgs":[
		{"name":"acme","admin_email":"admin@acme.test","admin_password":"Acme-Admin-Passw0rd","scim_keys":["` + keyA + `"]},
		{"name":"globex","admin_email":"admin@globex.test","admin_password":"Globex-Admin-Passw0rd","scim_keys":["` + keyA + `"]}]}`}
	log, err := serveOnce(t, e, func(string) { t.Error("serve answered /healthz with a bootstrap that cannot be applied") })
	if err == nil || !strings.Contains(err.Error(), "bootstrap organization globex: scim key 1") ||
		!strings.Contains(err.Error(), "another organization holds this key") {
		t.Fatalf("serve = %v, want the globex key refused", err)
	}
	if strings.Contains(err.Error()+log, keyA[3:]) {
		t.Errorf("the error or log repeats the key")
	}
}
