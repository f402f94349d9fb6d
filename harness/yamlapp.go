package harness

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ssoconform/ssoconform/mockidp"
)

// YAMLApp is an App described by an app.yaml (AppFile): started as a child process when the file says
// how, connected once to a mock org made for it, recognised through its signed-in URL.
type YAMLApp struct {
	file   AppFile
	vars   expander
	idp    *mockidp.Server
	tenant map[string]AppTenant // by protocol (connect.static)
	proc   *exec.Cmd
	done   chan error
	log    string // the process's log file

	mu    sync.Mutex
	conns map[string]connection // by organization (connect.command)
}

var (
	_ App         = (*YAMLApp)(nil)
	_ Reconnector = (*YAMLApp)(nil)
)

// ErrCannotReconnect is Reconnect's answer for an app connected once, at start.
var ErrCannotReconnect = errors.New("the app cannot be connected again")

// StartYAMLApp reads the app file, makes the app's organization in the mock Okta idp (which must be
// serving at its base URL), starts the app when the file says how and waits until it is ready. work is
// a scratch directory ({work}; the app's log goes there). Close stops the app.
func StartYAMLApp(ctx context.Context, path string, idp *mockidp.Server, work string) (_ *YAMLApp, err error) {
	f, err := LoadAppFile(path)
	if err != nil {
		return nil, err
	}
	a := &YAMLApp{file: f, idp: idp, tenant: map[string]AppTenant{}, conns: map[string]connection{}, done: make(chan error, 1),
		log: filepath.Join(work, f.Name+".log")}
	a.vars = expander{"dir": dirOf(path), "work": work}
	if f.Start != nil {
		port, err := freePort()
		if err != nil {
			return nil, fmt.Errorf("start %s: %w", f.Name, err)
		}
		a.vars["port"] = strconv.Itoa(port)
	}
	a.vars["base_url"] = strings.TrimRight(a.vars.expand(withDefault(f.BaseURL, "http://127.0.0.1:{port}")), "/")
	if f.Connect.Static != nil {
		if err := a.connectStatic(ctx, idp); err != nil {
			return nil, fmt.Errorf("start %s: %w", f.Name, err)
		}
	}
	if f.Start == nil {
		return a, nil
	}
	if err := a.start(ctx); err != nil {
		_ = a.Close(context.Background())
		return nil, fmt.Errorf("start %s: %w", f.Name, err)
	}
	return a, nil
}

// connectStatic makes the app's org in the mock with an app integration per protocol pointing at the
// app's URLs, and fills the {okta.*}, {oidc.*} and {saml.*} placeholders for the app's start.
func (a *YAMLApp) connectStatic(ctx context.Context, idp *mockidp.Server) error {
	name := withDefault(a.file.Connect.Static.Org, a.file.Name)
	for _, protocol := range a.file.Protocols() {
		tn, conn, err := a.mockIntegration(ctx, idp, name, protocol)
		if err != nil {
			return err
		}
		tn.Shared = true
		a.tenant[protocol] = tn
		a.vars["org"], a.vars["okta.issuer"] = name, conn.issuer
		if protocol == "oidc" {
			a.vars["oidc.client_id"], a.vars["oidc.client_secret"] = conn.clientID, conn.clientSecret
		} else {
			a.vars["saml.metadata_url"] = conn.metadataURL
		}
	}
	return nil
}

// connection is what an app needs to know of its app integration in the mock.
type connection struct {
	issuer, metadataURL, clientID, clientSecret string
}

// mockIntegration makes (or, for a second protocol, reuses) the mock org named org and adds an app
// integration of the protocol pointing at the app's URLs.
func (a *YAMLApp) mockIntegration(ctx context.Context, idp *mockidp.Server, org, protocol string) (AppTenant, connection, error) {
	o, ok := idp.Org(org)
	if !ok {
		var err error
		if o, err = idp.CreateOrg(ctx, org); err != nil {
			return AppTenant{}, connection{}, fmt.Errorf("mock okta org %q: %w", org, err)
		}
	}
	v := expander{"org": org}
	conn := connection{issuer: o.BaseURL()}
	tn := AppTenant{Org: org, Protocol: protocol, IdPOrg: o}
	if protocol == "oidc" {
		app, err := o.CreateOIDCApp(ctx, mockidp.OIDCAppInput{Label: a.file.Name,
			RedirectURIs: []string{a.vars.resolve(v.expand(a.file.OIDC.RedirectURI))}})
		if err != nil {
			return AppTenant{}, connection{}, fmt.Errorf("mock okta oidc app: %w", err)
		}
		tn.AppID, conn.metadataURL, conn.clientID, conn.clientSecret = app.ID, o.DiscoveryURL(), app.ClientID, app.ClientSecret
		return tn, conn, nil
	}
	s := a.file.SAML
	app, err := o.CreateSAMLApp(ctx, mockidp.SAMLAppInput{Label: a.file.Name, SSOURL: a.vars.resolve(v.expand(s.ACSURL)),
		Audience: a.vars.resolve(v.expand(s.EntityID)), NameIDFormat: mockidp.NameIDEmail, Attributes: []mockidp.SAMLAttribute{
			{Name: "email", Value: "email"}, {Name: "firstName", Value: "firstName"},
			{Name: "lastName", Value: "lastName"}, {Name: "displayName", Value: "displayName"}}})
	if err != nil {
		return AppTenant{}, connection{}, fmt.Errorf("mock okta saml app: %w", err)
	}
	tn.AppID, conn.metadataURL = app.ID, app.MetadataURL
	return tn, conn, nil
}

// start runs the build step, then the command, and waits for the ready URL.
func (a *YAMLApp) start(ctx context.Context) error {
	st := a.file.Start
	dir := a.workDir()
	env := os.Environ()
	for k, v := range st.Env {
		env = append(env, k+"="+a.vars.expand(v))
	}
	if len(st.Build) > 0 {
		args := a.vars.all(st.Build)
		cmd := exec.CommandContext(ctx, args[0], args[1:]...)
		cmd.Dir, cmd.Env = dir, env
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("build (%s): %w: %s", strings.Join(args, " "), err, excerpt(string(out), 2000))
		}
	}
	logf, err := os.Create(a.log)
	if err != nil {
		return fmt.Errorf("log file: %w", err)
	}
	args := a.vars.all(st.Command)
	a.proc = exec.Command(args[0], args[1:]...)
	a.proc.Dir, a.proc.Env = dir, env
	a.proc.Stdout, a.proc.Stderr = logf, logf
	if err := a.proc.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("run %s: %w", args[0], err)
	}
	go func() { a.done <- a.proc.Wait(); logf.Close() }()
	return a.waitReady(ctx, a.vars.resolve(withDefault(st.Ready, "{base_url}")))
}

func (a *YAMLApp) waitReady(ctx context.Context, url string) error {
	client := HeadlessClient()
	client.Timeout = 2 * time.Second
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	last := "no answer"
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode < 500 {
				return nil
			}
			last = resp.Status
		}
		select {
		case err := <-a.done:
			a.done <- err
			if err == nil {
				err = errors.New("exit status 0")
			}
			return fmt.Errorf("the app exited before %s answered: %w; log: %s", url, err, a.Log(1500))
		case <-ctx.Done():
			return fmt.Errorf("the app not ready at %s (%s): %w; log: %s", url, last, ctx.Err(), a.Log(1500))
		case <-tick.C:
		}
	}
}

// Close stops the app it started (SIGTERM, then SIGKILL after 5 s).
func (a *YAMLApp) Close(ctx context.Context) error {
	if a.proc == nil || a.proc.Process == nil {
		return nil
	}
	_ = a.proc.Process.Signal(syscall.SIGTERM)
	timer := time.NewTimer(5 * time.Second)
	defer timer.Stop()
	select {
	case err := <-a.done:
		a.done <- err
		return nil
	case <-ctx.Done():
	case <-timer.C:
	}
	_ = a.proc.Process.Kill()
	return errors.New("stop app: killed after it ignored SIGTERM")
}

// Name is the app's name from its file.
func (a *YAMLApp) Name() string { return a.file.Name }

// Connect returns the organization made at start for protocol (connect.static), or makes a new one
// and runs the file's connect commands (connect.command).
func (a *YAMLApp) Connect(ctx context.Context, protocol string) (AppTenant, error) {
	if !slices.Contains(a.file.Protocols(), protocol) {
		return AppTenant{}, fmt.Errorf("%s does not sign in over %q (its file has no %s section)", a.file.Name, protocol, protocol)
	}
	if a.file.Connect.Static != nil {
		return a.tenant[protocol], nil
	}
	tn, conn, err := a.mockIntegration(ctx, a.idp, uniqueName(a.file.Name), protocol)
	if err != nil {
		return AppTenant{}, fmt.Errorf("connect %s: %w", a.file.Name, err)
	}
	a.mu.Lock()
	a.conns[tn.Org] = conn
	a.mu.Unlock()
	if len(a.file.Connect.Create) > 0 {
		if err := a.runConnect(ctx, a.file.Connect.Create, tn, conn); err != nil {
			return AppTenant{}, err
		}
	}
	return tn, a.runConnect(ctx, a.file.Connect.Command, tn, conn)
}

// Reconnect runs the file's connect.command again for the organization, with metadataURL (when set) as
// OKTA_METADATA_URL. An app connected once, at start, cannot be connected again.
func (a *YAMLApp) Reconnect(ctx context.Context, tn AppTenant, metadataURL string) error {
	if a.file.Connect.Static != nil {
		return fmt.Errorf("%s is connected once, at start (connect.static): %w", a.file.Name, ErrCannotReconnect)
	}
	a.mu.Lock()
	conn, ok := a.conns[tn.Org]
	a.mu.Unlock()
	if !ok {
		return fmt.Errorf("reconnect %s: no organization %q made by Connect", a.file.Name, tn.Org)
	}
	if metadataURL != "" {
		conn.metadataURL = metadataURL
	}
	return a.runConnect(ctx, a.file.Connect.Command, tn, conn)
}

// runConnect runs one of the file's connect commands for the organization.
func (a *YAMLApp) runConnect(ctx context.Context, command []string, tn AppTenant, conn connection) error {
	v := expander{"org": tn.Org}
	args := a.vars.all(v.all(command))
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Dir = a.workDir()
	cmd.Env = append(os.Environ(), "SSOCONFORM_ORG="+tn.Org, "SSOCONFORM_PROTOCOL="+tn.Protocol,
		"OKTA_ISSUER="+conn.issuer, "OKTA_METADATA_URL="+conn.metadataURL,
		"OKTA_CLIENT_ID="+conn.clientID, "OKTA_CLIENT_SECRET="+conn.clientSecret)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("connect %s (%s): %w: %s", tn.Org, args[0], err, excerpt(strings.TrimSpace(string(out)), 1000))
	}
	return nil
}

// workDir is where the app's commands run: start.dir, or the file's directory.
func (a *YAMLApp) workDir() string {
	if a.file.Start != nil {
		return filepath.Join(a.vars["dir"], a.vars.expand(a.file.Start.Dir))
	}
	return a.vars["dir"]
}

// Protocols are the protocols the file describes.
func (a *YAMLApp) Protocols() []string { return a.file.Protocols() }

// SignInURL is the file's sign_in URL of the protocol, with {org} filled.
func (a *YAMLApp) SignInURL(org, protocol string) string {
	v := expander{"org": org}
	if protocol == "saml" && a.file.SAML != nil {
		return a.vars.resolve(v.expand(a.file.SAML.SignIn))
	}
	if a.file.OIDC != nil {
		return a.vars.resolve(v.expand(a.file.OIDC.SignIn))
	}
	return ""
}

// CallbackPath is the path of the file's oidc.redirect_uri.
func (a *YAMLApp) CallbackPath() string {
	if a.file.OIDC == nil {
		return ""
	}
	u, err := url.Parse(a.vars.resolve(a.file.OIDC.RedirectURI))
	if err != nil {
		return ""
	}
	return u.Path
}

// Identity asks the file's signed_in URL, or looks for its selector on signed_in.page (default: the
// page the sign-in ended on).
func (a *YAMLApp) Identity(ctx context.Context, client *http.Client, land Landing) (Identity, bool, error) {
	in := a.file.SignedIn
	if in.Selector == "" {
		return IdentityAt(ctx, client, a.vars.resolve(in.URL))
	}
	sel, err := parseSelector(in.Selector) // checked when the file was loaded
	if err != nil {
		return Identity{}, false, err
	}
	page := land.Body
	if in.Page != "" {
		status, body, err := getNoRedirect(ctx, client, a.vars.resolve(in.Page))
		if err != nil || status != http.StatusOK {
			return Identity{}, false, err
		}
		page = body
	}
	return identityBySelector(sel, page)
}

// ShowsRefusal checks the landing page against the file's refused section.
func (a *YAMLApp) ShowsRefusal(land Landing) error { return a.file.Refused.Check(land) }

// Log is the end of the app's log (empty when the run did not start it).
func (a *YAMLApp) Log(max int) string {
	if a.proc == nil {
		return ""
	}
	return tail(a.log, max)
}
