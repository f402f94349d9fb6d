// Package harness is the bridge between the specs and the things they exercise: it starts the mock Okta
// in-process, the reference app from its built binary, an SMTP sink and Chromium, and offers the steps
// specs are made of (create a tenant on both sides, sign in through the browser, call SCIM). It never
// fails a test itself: everything returns errors that carry the failing exchange, and the specs decide.
//
// The reference app is driven as a black box, exactly like a partner's app: its CLI for setup, HTTP and
// the browser for the rest. The mock Okta is the harness's instrument, so its Go API is used directly.
//
//	st, err := harness.StartStack(ctx, harness.StackConfig{RefAppBin: bin, Dir: dir})
//	defer st.Close(ctx)
//	tn, err := st.NewTenant(ctx, harness.TenantSpec{})
//	u, err := tn.AddOktaUser(ctx, "alice")
//	err = tn.Assign(ctx, u)               // the mock pushes the user by SCIM
//	page, err := st.Browser.NewPage(ctx)
//	out, err := harness.SignInWithOkta(ctx, refappdriver.Pages{URL: st.App.URL}, page, tn.Org, u.Login, tn.Password(u))
package harness

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/ssoconform/ssoconform/harness/browser"
	"github.com/ssoconform/ssoconform/harness/mailsink"
	"github.com/ssoconform/ssoconform/mockidp"
)

// StackConfig says what to start.
type StackConfig struct {
	// RefAppBin is the built refapp binary. Required.
	RefAppBin string
	// Dir is a working directory for the app's database and logs. Required.
	Dir string
	// Logger receives the mock's logs. Default: discard.
	Logger *slog.Logger
	// NoBrowser skips Chromium (for headless-only runs such as `ssoconform stack`). Default: false.
	NoBrowser bool
	// Browser configures Chromium. Default: headless Debian Chromium.
	Browser browser.Config
	// IdPAddr is where the mock Okta listens. Default: "127.0.0.1:0" (a free port).
	IdPAddr string
	// SMTPAddr is where the mail sink listens. Default: "127.0.0.1:0".
	SMTPAddr string
	// AppHost and AppPort say where refapp is reached: http://AppHost:AppPort. Default: app.test and a
	// free port (the browser maps *.test to loopback; a developer's browser would use "localhost").
	AppHost string
	AppPort int
	// SCIMClock, when set, takes the mock's waits after a SCIM 429 (specs: no real minutes). Default:
	// nil, real waits (a developer's stack).
	SCIMClock *SCIMClock
	// RefAppArgs are extra `refapp serve` flags, e.g. a lower SCIM rate limit. Default: none.
	RefAppArgs []string
}

// Stack is a running reference stack.
type Stack struct {
	IdP    *mockidp.Server
	IdPURL string // the mock's base URL, http://127.0.0.1:PORT
	// SCIMClock is the mock's wait after a SCIM 429 (StackConfig.SCIMClock); nil: real waits.
	SCIMClock *SCIMClock
	App       *RefApp
	Mail      *mailsink.Sink
	Browser   *browser.Browser // nil when NoBrowser

	idpSrv *http.Server
}

// StartStack starts the mock Okta, the mail sink, refapp and (unless NoBrowser) Chromium. On error,
// whatever was started is stopped again.
func StartStack(ctx context.Context, cfg StackConfig) (st *Stack, err error) {
	if cfg.RefAppBin == "" || cfg.Dir == "" {
		return nil, errors.New("start stack: RefAppBin and Dir are required")
	}
	st = &Stack{}
	defer func() {
		if err != nil {
			_ = st.Close(context.Background())
			st = nil
		}
	}()
	if err = st.startIdP(cfg); err != nil {
		return st, err
	}
	if st.Mail, err = mailsink.Start(withDefault(cfg.SMTPAddr, "127.0.0.1:0")); err != nil {
		return st, fmt.Errorf("start stack: %w", err)
	}
	if st.App, err = StartRefApp(ctx, RefAppConfig{Bin: cfg.RefAppBin, Dir: cfg.Dir, Host: cfg.AppHost, Port: cfg.AppPort,
		ExtraArgs: append([]string{"--smtp-url", st.Mail.URL()}, cfg.RefAppArgs...)}); err != nil {
		return st, fmt.Errorf("start stack: %w", err)
	}
	if !cfg.NoBrowser {
		if st.Browser, err = browser.Launch(ctx, cfg.Browser); err != nil {
			return st, fmt.Errorf("start stack: %w", err)
		}
	}
	return st, nil
}

func (st *Stack) startIdP(cfg StackConfig) error {
	ln, err := net.Listen("tcp", withDefault(cfg.IdPAddr, "127.0.0.1:0"))
	if err != nil {
		return fmt.Errorf("start mock okta: %w", err)
	}
	st.IdPURL = "http://" + ln.Addr().String()
	icfg := mockidp.Config{BaseURL: st.IdPURL, Logger: cfg.Logger}
	if st.SCIMClock = cfg.SCIMClock; st.SCIMClock != nil {
		icfg.SCIMSleep = st.SCIMClock.Sleep
	}
	st.IdP, err = mockidp.New(icfg)
	if err != nil {
		ln.Close()
		return fmt.Errorf("start mock okta: %w", err)
	}
	st.idpSrv = &http.Server{Handler: st.IdP, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = st.idpSrv.Serve(ln) }()
	return nil
}

// Close stops everything that was started, in reverse order, and returns the first error.
func (st *Stack) Close(ctx context.Context) error {
	var errs []error
	if st.Browser != nil {
		errs = append(errs, st.Browser.Close())
	}
	if st.App != nil {
		errs = append(errs, st.App.Stop(ctx))
	}
	if st.Mail != nil {
		errs = append(errs, st.Mail.Close())
	}
	if st.idpSrv != nil {
		errs = append(errs, st.idpSrv.Shutdown(ctx))
	}
	return errors.Join(errs...)
}

func withDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
