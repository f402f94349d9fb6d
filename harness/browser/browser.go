// Package browser starts Debian's Chromium headless through go-rod and hands out one incognito page per
// spec. It never lets rod download a browser: the binary is CHROME_BIN, else Debian's real binary
// /usr/lib/chromium/chromium, else what rod's LookPath finds; with none of them, Launch fails with a
// plain-words error naming the install command.
//
// Chromium is started so that it sends nothing off loopback: background networking, sync and component
// updates are off and a host-resolver rule maps every *.test name to 127.0.0.1 and every other name to
// NOTFOUND. Two *.test names (app.test, idp.test) thus act as two sites with separate cookies.
//
//	b, err := browser.Launch(ctx, browser.Config{})
//	defer b.Close()
//	p, err := b.NewPage(ctx)
//	defer p.Close()
//	err = p.Open(ctx, "http://app.test:8081/login")
package browser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/launcher"
	"github.com/go-rod/rod/lib/launcher/flags"
	"github.com/go-rod/rod/lib/proto"
	"github.com/go-rod/rod/lib/utils"
)

// debianChromium is the real binary of Debian's chromium package; /usr/bin/chromium is a wrapper script.
// debianHeadlessShell is Debian's chromium-headless-shell: the same engine built for headless use only,
// without the full browser's window and UI layers. It starts pages and navigates about twice as fast.
const (
	debianChromium      = "/usr/lib/chromium/chromium"
	debianHeadlessShell = "/usr/lib/chromium/chromium-headless-shell"
)

// HostResolverRules keeps Chromium on loopback: *.test is 127.0.0.1, everything else does not resolve.
const HostResolverRules = "MAP *.test 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"

// Config says how to start the browser.
type Config struct {
	// Bin is the Chromium binary. Default: $CHROME_BIN, else (headless) Debian's headless shell, else
	// /usr/lib/chromium/chromium, else rod's launcher.LookPath(). Never empty when Launch starts a browser.
	Bin string
	// UserDataDir is a fresh profile directory. Default: a new temporary directory removed by Close.
	UserDataDir string
	// Show runs the browser with a window instead of headless. Default: false (headless).
	Show bool
}

// Browser is a running Chromium. It is safe for concurrent use by several specs, each with its own page.
type Browser struct {
	rod      *rod.Browser
	launcher *launcher.Launcher
	tempDir  string
}

// FindBin returns the Chromium binary Launch would use for a headless (or shown) browser, or an error
// saying how to install one.
func FindBin(headless bool) (string, error) {
	if bin := os.Getenv("CHROME_BIN"); bin != "" {
		return bin, nil
	}
	candidates := []string{debianChromium}
	if headless {
		candidates = []string{debianHeadlessShell, debianChromium}
	}
	for _, bin := range candidates {
		if _, err := os.Stat(bin); err == nil {
			return bin, nil
		}
	}
	if bin, ok := launcher.LookPath(); ok {
		return bin, nil
	}
	return "", errors.New("no Chromium found: install Debian's (apt-get install -y chromium, or run " +
		"scripts/install-deps.sh) or set CHROME_BIN; a browser is never downloaded")
}

// Launch starts Chromium and connects to it. The context bounds the start only.
func Launch(ctx context.Context, cfg Config) (*Browser, error) {
	bin := cfg.Bin
	if bin == "" {
		var err error
		if bin, err = FindBin(!cfg.Show); err != nil {
			return nil, err
		}
	}
	b := &Browser{}
	dir := cfg.UserDataDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "ssoconform-chromium-")
		if err != nil {
			return nil, fmt.Errorf("launch chromium: profile dir: %w", err)
		}
		dir, b.tempDir = tmp, tmp
	}
	l := launcher.New().Context(ctx).Bin(bin).Headless(!cfg.Show).NoSandbox(true).UserDataDir(dir).
		Set("disable-gpu").Set("disable-background-networking").Set("disable-component-update").
		Set("disable-sync").Set("no-first-run").Set("disable-quic").
		Set(flags.Flag("host-resolver-rules"), HostResolverRules).
		// One renderer per page, not per site: the sign-in journeys cross app.test and idp.test, and a
		// new process per site costs a few hundred milliseconds a navigation here. Each page keeps its
		// own incognito context, so cookies stay apart as before.
		Set("disable-site-isolation-trials").Set(flags.Flag("disable-features"), "IsolateOrigins,site-per-process")
	u, err := l.Launch()
	if err != nil {
		b.removeTemp()
		return nil, fmt.Errorf("launch chromium %s: %w", bin, err)
	}
	b.launcher = l
	b.rod = rod.New().ControlURL(u)
	if err := b.rod.Connect(); err != nil {
		l.Kill()
		b.removeTemp()
		return nil, fmt.Errorf("connect to chromium: %w", err)
	}
	return b, nil
}

// Close stops the browser and removes the profile directory it made.
func (b *Browser) Close() error {
	var err error
	if b.rod != nil {
		err = b.rod.Close()
	}
	if b.launcher != nil {
		b.launcher.Kill()
		b.launcher.Cleanup()
	}
	b.removeTemp()
	if err != nil {
		return fmt.Errorf("close chromium: %w", err)
	}
	return nil
}

func (b *Browser) removeTemp() {
	if b.tempDir != "" {
		_ = os.RemoveAll(b.tempDir)
	}
}

// NewPage opens a blank page in a new incognito context: its cookies are its own and vanish with Close.
func (b *Browser) NewPage(ctx context.Context) (*Page, error) {
	inc, err := b.rod.Context(ctx).Incognito()
	if err != nil {
		return nil, fmt.Errorf("new incognito context: %w", err)
	}
	p, err := inc.Page(proto.TargetCreateTarget{URL: "about:blank"})
	if err != nil {
		_ = inc.Close()
		return nil, fmt.Errorf("new page: %w", err)
	}
	return &Page{rod: p.Sleeper(pollSleeper), incognito: inc}, nil
}

// pollSleeper paces element look-ups: every 10 ms at first, growing to at most 100 ms. Rod's default
// (100 ms growing to 1 s) adds about a second to every page of a sign-in.
func pollSleeper() utils.Sleeper {
	return utils.BackoffSleeper(10*time.Millisecond, 100*time.Millisecond, nil)
}

// errorText shortens rod's errors for messages that end up in reports.
func errorText(err error) string {
	s := err.Error()
	if i := strings.Index(s, "\n"); i > 0 {
		s = s[:i]
	}
	return s
}
