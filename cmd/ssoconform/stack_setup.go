package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// wantsHelp reports whether the arguments ask for help (-h, -help, --help), which prints the flags and
// exits 0 without starting anything.
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "-h", "-help", "--help":
			return true
		case "--":
			return false
		}
	}
	return false
}

// portFree checks that refapp's port can be bound on loopback, so a busy port is reported as such and not
// later as a SCIM 401 from whatever holds it. Port 0 (any) is always free.
func portFree(port int) error {
	if port == 0 {
		return nil
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("address in use: %s (stop what listens there or pass --app-port)", addr)
		}
		return err
	}
	return ln.Close()
}

// refappFiles are what a stack run leaves in its directory: SQLite's database, journal files and log.
var refappFiles = []string{"refapp.db", "refapp.db-wal", "refapp.db-shm", "refapp.db-journal", "refapp.log"}

// stackDir returns the directory refapp keeps its database and log in. A given directory is created if
// needed and the previous run's database is removed from it (each run makes its orgs anew); with none, a
// temporary directory is made and cleanup removes it.
func stackDir(dir string) (string, func(), error) {
	if dir == "" {
		tmp, err := os.MkdirTemp("", "ssoconform-stack-")
		if err != nil {
			return "", nil, err
		}
		return tmp, func() { _ = os.RemoveAll(tmp) }, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, err
	}
	for _, name := range refappFiles {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", nil, fmt.Errorf("reuse %s: %w", dir, err)
		}
	}
	return dir, func() {}, nil
}

// fixtureAppOrigins are the app origins the example fixture's URLs use (redirect URIs, ACS, audience,
// SCIM base URL).
var fixtureAppOrigins = []string{"http://localhost:8081", "http://127.0.0.1:8081"}

// withAppOrigin points the fixture's app URLs at where refapp really runs (appURL's scheme, host and
// port), so --app-host and --app-port need no edited fixture.
func withAppOrigin(text []byte, appURL string) []byte {
	u, err := url.Parse(appURL)
	if err != nil || u.Host == "" {
		return text
	}
	origin := []byte(u.Scheme + "://" + u.Host)
	for _, o := range fixtureAppOrigins {
		text = bytes.ReplaceAll(text, []byte(o), origin)
	}
	return text
}
