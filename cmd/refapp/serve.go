package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/ssoconform/ssoconform/refapp"
	"github.com/ssoconform/ssoconform/refapp/defence"
)

// shutdownGrace is how long in-flight requests get after SIGINT/SIGTERM.
const shutdownGrace = 10 * time.Second

func serve(ctx context.Context, args []string, lookupEnv func(string) (string, bool), stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	db := fs.String("db", "", "database, sqlite:PATH")
	baseURL := fs.String("base-url", "", "external base URL, e.g. http://app.test:8080")
	level := fs.String("log-level", "info", "log level: debug, info, warn or error")
	rate := fs.Float64("scim-rate-limit", 0, "SCIM requests per second per API key before 429 (0: default 10000)")
	burst := fs.Int("scim-rate-burst", 0, "SCIM requests one API key may make at once (0: the rate limit)")
	smtpURL := fs.String("smtp-url", "", "SMTP server for the app's mail, smtp://HOST:PORT (empty: mail waits in the outbox)")
	mailFrom := fs.String("mail-from", "", `sender of the app's mail (default "NeuraLegion <no-reply@refapp.test>")`)
	bootFile := fs.String("bootstrap-file", "", "JSON bootstrap document: organizations, SCIM keys and SSO made ready at start (see below)")
	fs.Usage = serveUsage(fs)
	if err := flagsFromEnv(fs, lookupEnv); err != nil {
		return usageErr(stderr, "serve: "+err.Error())
	}
	if err := parse(stderr, fs, args, "db", "base-url"); err != nil {
		return helpOK(err)
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		return usageErr(stderr, fmt.Sprintf("serve: --log-level %q: want debug, info, warn or error", *level))
	}
	if err := refapp.ValidateBaseURL(*baseURL); err != nil {
		return usageErr(stderr, "serve: "+err.Error())
	}
	if *rate < 0 || *burst < 0 {
		return usageErr(stderr, "serve: --scim-rate-limit and --scim-rate-burst must not be negative")
	}
	boot, err := loadBootstrap(lookupEnv, *bootFile)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}))
	defence.Announce(func(msg string) { logger.Warn(msg) })
	st, err := refapp.OpenStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := applyBootstrap(ctx, st, boot, logger); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	app, err := refapp.New(refapp.Config{BaseURL: *baseURL, Store: st, Logger: logger, SCIMRateLimit: *rate,
		SCIMRateBurst: *burst, SMTPURL: *smtpURL, MailFrom: *mailFrom})
	if err != nil {
		return err
	}
	bg, stopBG := context.WithCancel(ctx)
	defer stopBG()
	go app.Run(bg)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	return serveUntilDone(ctx, ln, app, logger, *baseURL)
}

// serveUntilDone serves on ln until ctx is done, then shuts down gracefully.
func serveUntilDone(ctx context.Context, ln net.Listener, h http.Handler, logger *slog.Logger, baseURL string) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.InfoContext(ctx, "refapp listening", slog.String("addr", ln.Addr().String()), slog.String("base_url", baseURL))
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("refapp shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("refapp stopped")
	return nil
}
