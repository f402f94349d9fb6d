package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// RefAppConfig says how to start the reference app's built binary.
type RefAppConfig struct {
	// Bin is the built refapp binary. Required.
	Bin string
	// Dir holds the SQLite file and the log. Required.
	Dir string
	// Host is the name the browser uses for the app; it must end in .test so the browser maps it to
	// 127.0.0.1. Default: "app.test".
	Host string
	// Port is the loopback port to listen on. Default: 0, a free port.
	Port int
	// ExtraArgs are appended to `refapp serve` (e.g. --smtp-url). Default: none.
	ExtraArgs []string
	// DB is the --db argument, e.g. a postgres:// DSN several refapp processes share. Default:
	// sqlite:Dir/refapp.db.
	DB string
	// BaseURL is the --base-url the app is told: its public address, which may be another instance's
	// (instances behind one address, where the IdP's redirect lands on whichever). Default:
	// http://Host:Port.
	BaseURL string
}

// RefApp is a running refapp process, started from its binary and driven as a black box: its CLI for
// setup and HTTP for everything else.
type RefApp struct {
	// URL is the base URL the browser uses (http://app.test:PORT).
	URL string
	// LocalURL reaches the same server from this process (http://127.0.0.1:PORT).
	LocalURL string
	// DB is the --db argument (sqlite:PATH, or RefAppConfig.DB).
	DB string
	// DirectURL is this process itself as the browser reaches it (http://Host:PORT); it differs from
	// URL when RefAppConfig.BaseURL names another address.
	DirectURL string
	// LogPath is the file receiving the process's stderr.
	LogPath string

	bin  string
	cmd  *exec.Cmd
	done chan error
}

// StartRefApp starts `refapp serve` on a free loopback port and waits until /healthz answers.
func StartRefApp(ctx context.Context, cfg RefAppConfig) (*RefApp, error) {
	if cfg.Bin == "" || cfg.Dir == "" {
		return nil, errors.New("start refapp: Bin and Dir are required")
	}
	if cfg.Host == "" {
		cfg.Host = "app.test"
	}
	port := cfg.Port
	if port == 0 {
		var err error
		if port, err = freePort(); err != nil {
			return nil, fmt.Errorf("start refapp: %w", err)
		}
	}
	a := &RefApp{
		URL:      fmt.Sprintf("http://%s:%d", cfg.Host, port),
		LocalURL: fmt.Sprintf("http://127.0.0.1:%d", port),
		DB:       "sqlite:" + filepath.Join(cfg.Dir, "refapp.db"),
		LogPath:  filepath.Join(cfg.Dir, "refapp.log"),
		bin:      cfg.Bin,
		done:     make(chan error, 1),
	}
	a.DirectURL = a.URL
	if cfg.DB != "" {
		a.DB = cfg.DB
	}
	if cfg.BaseURL != "" {
		a.URL = strings.TrimRight(cfg.BaseURL, "/")
	}
	logf, err := os.Create(a.LogPath)
	if err != nil {
		return nil, fmt.Errorf("start refapp: log file: %w", err)
	}
	args := append([]string{"serve", "--addr", fmt.Sprintf("127.0.0.1:%d", port), "--db", a.DB,
		"--base-url", a.URL}, cfg.ExtraArgs...)
	a.cmd = exec.Command(cfg.Bin, args...)
	a.cmd.Stdout, a.cmd.Stderr = logf, logf
	if err := a.cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start refapp %s: %w", cfg.Bin, err)
	}
	go func() { a.done <- a.cmd.Wait(); logf.Close() }()
	if err := a.waitHealthy(ctx); err != nil {
		_ = a.Stop(context.Background())
		return nil, fmt.Errorf("start refapp: %w; log: %s", err, tail(a.LogPath, 800))
	}
	return a, nil
}

func (a *RefApp) waitHealthy(ctx context.Context) error {
	client := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.LocalURL+"/healthz", nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-a.done:
			a.done <- err
			if err == nil {
				return errors.New("refapp exited (status 0) before it was healthy")
			}
			return fmt.Errorf("refapp exited before it was healthy: %w", err)
		case <-ctx.Done():
			return fmt.Errorf("refapp not healthy at %s/healthz: %w", a.LocalURL, ctx.Err())
		case <-tick.C:
		}
	}
}

// Stop asks the process to shut down (SIGTERM) and kills it when ctx ends first.
func (a *RefApp) Stop(ctx context.Context) error {
	if a.cmd == nil || a.cmd.Process == nil {
		return nil
	}
	_ = a.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-a.done:
		a.done <- err
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			return fmt.Errorf("stop refapp: %w", err)
		}
		return nil
	case <-ctx.Done():
		_ = a.cmd.Process.Kill()
		return fmt.Errorf("stop refapp: killed: %w", ctx.Err())
	}
}

// Bin is the refapp binary the process runs (to start more instances of it).
func (a *RefApp) Bin() string { return a.bin }

// Log returns the end of the process's log, for failure reports.
func (a *RefApp) Log(max int) string { return tail(a.LogPath, max) }

// CLI runs `refapp ARGS... --db DB` with stdin and returns its standard output. The error carries the
// command's standard error, which never holds secrets: refapp takes them from files or stdin only.
func (a *RefApp) CLI(ctx context.Context, stdin string, args ...string) (string, error) {
	args = append(args, "--db", a.DB)
	cmd := exec.CommandContext(ctx, a.bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("refapp %s: %w: %s", strings.Join(args[:min(2, len(args))], " "), err,
			strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// OrgSpec describes an organization to create in refapp.
type OrgSpec struct {
	Name          string
	Plan          string // free, pro or enterprise
	AdminEmail    string
	AdminPassword string
}

// CreateOrg creates an organization with its first admin.
func (a *RefApp) CreateOrg(ctx context.Context, o OrgSpec) error {
	_, err := a.CLI(ctx, o.AdminPassword, "org", "create", "--name", o.Name, "--plan", o.Plan,
		"--admin-email", o.AdminEmail, "--admin-password-file", "-")
	return err
}

// AddMember adds a member to the organization with a role (admin, member or viewer) and no password
// (`refapp member add`): someone who will sign in with SSO.
func (a *RefApp) AddMember(ctx context.Context, org, email, role string) error {
	_, err := a.CLI(ctx, "", "member", "add", "--org", org, "--email", email, "--role", role)
	return err
}

// SetPlan moves an organization to another plan (support's `refapp org plan`).
func (a *RefApp) SetPlan(ctx context.Context, org, plan string) error {
	_, err := a.CLI(ctx, "", "org", "plan", "--org", org, "--plan", plan)
	return err
}

// CreateAPIKey creates an organization API key with the given scopes and returns it.
func (a *RefApp) CreateAPIKey(ctx context.Context, org string, scopes ...string) (string, error) {
	return a.createKey(ctx, "apikey", "create", "--org", org, "--scopes", strings.Join(scopes, ","))
}

// CreatePersonalAPIKey creates a personal API key of the member with this email, with the given
// scopes, and returns it.
func (a *RefApp) CreatePersonalAPIKey(ctx context.Context, org, owner string, scopes ...string) (string, error) {
	return a.createKey(ctx, "apikey", "create", "--org", org, "--scopes", strings.Join(scopes, ","), "--owner", owner)
}

func (a *RefApp) createKey(ctx context.Context, args ...string) (string, error) {
	out, err := a.CLI(ctx, "", args...)
	if err != nil {
		return "", err
	}
	key := strings.TrimSpace(out)
	if key == "" || strings.ContainsAny(key, " \n") {
		return "", fmt.Errorf("refapp apikey create: want one key on stdout, got %d bytes", len(out))
	}
	return key, nil
}

// OIDCSettings is what an admin enters on refapp's OKTA AUTHENTICATION page for OIDC.
type OIDCSettings struct {
	MetadataURL  string
	ClientID     string
	ClientSecret string
	DefaultRole  string // admin, member or viewer
	Enforce      bool   // "Require your organization members to use SSO to access"
}

// SetOIDC connects the organization to Okta over OIDC (refapp fetches and checks the metadata).
func (a *RefApp) SetOIDC(ctx context.Context, org string, s OIDCSettings) error {
	args := []string{"sso", "set", "--org", org, "--protocol", "oidc",
		"--metadata-url", s.MetadataURL, "--client-id", s.ClientID, "--client-secret-file", "-",
		"--default-role", withDefault(s.DefaultRole, "member"), "--sync"}
	if s.Enforce {
		args = append(args, "--enforce")
	}
	_, err := a.CLI(ctx, s.ClientSecret, args...)
	return err
}

// SAMLSettings is what an admin enters on refapp's OKTA AUTHENTICATION page for SAML.
type SAMLSettings struct {
	MetadataURL string // the Okta app's Identity Provider metadata URL
	DefaultRole string // admin, member or viewer
	Enforce     bool   // "Require your organization members to use SSO to access"
}

// SetSAML connects the organization to Okta over SAML (refapp fetches and checks the IdP metadata).
func (a *RefApp) SetSAML(ctx context.Context, org string, s SAMLSettings) error {
	args := []string{"sso", "set", "--org", org, "--protocol", "saml", "--metadata-url", s.MetadataURL,
		"--default-role", withDefault(s.DefaultRole, "member"), "--sync"}
	if s.Enforce {
		args = append(args, "--enforce")
	}
	_, err := a.CLI(ctx, "", args...)
	return err
}

// SSOInfo is what refapp tells an admin to copy into Okta, plus its current settings (never secrets).
type SSOInfo struct {
	RedirectURI string `json:"redirect_uri"`
	ACSURL      string `json:"acs_url"`
	SPEntityID  string `json:"sp_entity_id"`
	// SLOURL and SPCertificate (PEM) enable single logout on the Okta app.
	SLOURL        string `json:"slo_url"`
	SPCertificate string `json:"sp_certificate"`
	SCIMBaseURL   string `json:"scim_base_url"`
	Protocol      string `json:"protocol"`
	MetadataURL   string `json:"metadata_url"`
	ClientID      string `json:"client_id"`
	DefaultRole   string `json:"default_role"`
	Issuer        string `json:"issuer"`
	Enforce       bool   `json:"enforce"`
}

// SSOShow reads `refapp sso show` for the organization.
func (a *RefApp) SSOShow(ctx context.Context, org string) (SSOInfo, error) {
	out, err := a.CLI(ctx, "", "sso", "show", "--org", org, "--base-url", a.URL)
	if err != nil {
		return SSOInfo{}, err
	}
	var info SSOInfo
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		return SSOInfo{}, fmt.Errorf("refapp sso show: decode %q: %w", excerpt(out, 200), err)
	}
	return info, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	_, p, _ := net.SplitHostPort(ln.Addr().String())
	return strconv.Atoi(p)
}

func tail(path string, max int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(b)
}

func excerpt(s string, max int) string {
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}

// On returns a view of the stack whose refapp is app (another instance, e.g. on a shared database):
// NewTenant creates the organization through app's CLI (refappdriver.Pages{URL: app.DirectURL} drives
// its pages). The view shares everything else with st; close st, never the view.
func (st *Stack) On(app *RefApp) *Stack {
	v := *st
	v.App = app
	return &v
}
