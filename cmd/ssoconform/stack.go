package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/ssoconform/ssoconform/harness"
	"github.com/ssoconform/ssoconform/mockidp"
	"github.com/ssoconform/ssoconform/mockidp/fixture"
)

type stackFlags struct {
	refappBin, config, dir  string
	idpAddr, smtpAddr, host string
	appPort                 int
}

func runStack(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f stackFlags
	fs := flag.NewFlagSet("ssoconform stack", flag.ContinueOnError)
	fs.StringVar(&f.refappBin, "refapp-bin", "bin/refapp", "built refapp binary")
	fs.StringVar(&f.config, "config", "fixtures/orgs/example.yaml", "mock Okta org fixture (YAML)")
	fs.StringVar(&f.dir, "dir", "", "directory for refapp's database and log, reused across runs: each run starts a fresh database there (default: a temporary directory, removed on exit)")
	fs.StringVar(&f.idpAddr, "idp-addr", "127.0.0.1:8080", "loopback address of the mock Okta")
	fs.StringVar(&f.smtpAddr, "smtp-addr", "127.0.0.1:2525", "loopback address of the mail sink")
	fs.StringVar(&f.host, "app-host", "localhost", "host name refapp is reached at")
	fs.IntVar(&f.appPort, "app-port", 8081, "loopback port of refapp")
	if wantsHelp(args) {
		fs.SetOutput(stdout)
		fmt.Fprintln(stdout, "usage: ssoconform stack [flags]\n\nStarts the mock Okta, refapp connected to each fixture org and a mail sink, until Ctrl-C.")
		fs.PrintDefaults()
		return nil
	}
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	fixtureText, err := os.ReadFile(f.config)
	if err != nil {
		return fmt.Errorf("stack: read fixture: %w", err)
	}
	if err := portFree(f.appPort); err != nil {
		return fmt.Errorf("stack: refapp cannot listen: %w", err)
	}
	dir, cleanup, err := stackDir(f.dir)
	if err != nil {
		return fmt.Errorf("stack: %w", err)
	}
	defer cleanup()
	f.dir = dir
	startCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	st, err := harness.StartStack(startCtx, harness.StackConfig{
		RefAppBin: f.refappBin, Dir: f.dir, NoBrowser: true,
		Logger:  slog.New(slog.NewTextHandler(stderr, nil)),
		IdPAddr: f.idpAddr, SMTPAddr: f.smtpAddr, AppHost: f.host, AppPort: f.appPort,
	})
	if err != nil {
		return fmt.Errorf("stack: %w", err)
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = st.Close(stopCtx)
	}()
	fx, err := fixture.Parse(withAppOrigin(fixtureText, st.App.URL))
	if err != nil {
		return fmt.Errorf("stack: %s: %w", f.config, err)
	}
	if err := st.IdP.LoadFixture(startCtx, fx); err != nil {
		return fmt.Errorf("stack: %w", err)
	}
	if err := connectOrgs(startCtx, st, passwords(fx), stdout); err != nil {
		return fmt.Errorf("stack: %w", err)
	}
	fmt.Fprintf(stdout, "\nmail sink:  %s\nrefapp log: %s\nPress Ctrl-C to stop.\n", st.Mail.URL(), st.App.LogPath)
	<-ctx.Done()
	return nil
}

// connectOrgs mirrors every mock Okta org in refapp: same name, a pro plan, an admin, a scim key that the
// org's apps provision with, and SSO over the org's first OIDC app. It prints what a developer needs.
func connectOrgs(ctx context.Context, st *harness.Stack, passwords map[string]string, out io.Writer) error {
	fmt.Fprintf(out, "mock Okta:  %s\nrefapp:     %s\n", st.IdPURL, st.App.URL)
	for _, org := range st.IdP.Orgs() {
		admin, password := "admin@"+org.Name()+".test", rand.Text()[:20]
		err := st.App.CreateOrg(ctx, harness.OrgSpec{Name: org.Name(), Plan: "pro", AdminEmail: admin, AdminPassword: password})
		if err != nil {
			return err
		}
		key, err := st.App.CreateAPIKey(ctx, org.Name(), "scim")
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "\norg %s\n  Okta base URL:  %s\n  discovery URL:  %s\n  refapp admin:   %s / %s\n"+
			"  refapp SCIM key (the apps' provisioning token): %s\n  Okta API token: SSWS %s\n",
			org.Name(), org.BaseURL(), org.DiscoveryURL(), admin, password, key, org.APIToken())
		connected := false
		for _, app := range org.Apps() {
			if err := org.SetProvisioning(ctx, app.ID, mockidp.Provisioning{BaseURL: st.App.LocalURL + "/scim/v2", Token: key}); err != nil {
				return err
			}
			if app.ClientID != "" {
				fmt.Fprintf(out, "  OIDC app %q: client id %s, client secret %s, redirect URIs %v\n",
					app.Label, app.ClientID, app.ClientSecret, app.RedirectURIs)
			}
			if connected || app.ClientID == "" {
				continue // refapp has one SSO connection per org: the first OIDC app
			}
			connected = true
			err := st.App.SetOIDC(ctx, org.Name(), harness.OIDCSettings{MetadataURL: org.DiscoveryURL(),
				ClientID: app.ClientID, ClientSecret: app.ClientSecret, DefaultRole: "member"})
			if err != nil {
				return err
			}
			// the fixture's assignments were loaded without pushing; push them now that refapp is connected
			seq := org.TaskSeq()
			if err := org.Provision(ctx, app.ID); err != nil {
				return err
			}
			if err := org.Settle(ctx, app.ID, seq); err != nil {
				return err
			}
		}
		for _, app := range org.SAMLApps() {
			fmt.Fprintf(out, "  SAML app %q: IdP metadata %s\n", app.Label, app.MetadataURL)
		}
		fmt.Fprintf(out, "  Okta console:   %s (password %s)\n", org.ConsoleURL(), org.ConsolePassword())
		for _, u := range org.Users() {
			fmt.Fprintf(out, "  Okta user: %-24s %-18s password %s\n", u.Login, u.DisplayName, passwords[org.Name()+"/"+u.Login])
		}
	}
	return nil
}

// passwords maps "org/login" to the fixture's password: a developer's mock prints its test users' passwords.
func passwords(f *fixture.File) map[string]string {
	out := map[string]string{}
	for _, o := range f.Orgs {
		for _, u := range o.Users {
			out[o.Name+"/"+u.Login] = u.Password
		}
	}
	return out
}
