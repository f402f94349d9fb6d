package harness

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
)

// ConsoleGet signs in to the tenant's mock Okta admin console with its password and GETs path (relative
// to the console, e.g. "/apps/0oa..."), returning the status and the page. Specs use it to prove the
// console answers while provisioning is busy.
func (tn *Tenant) ConsoleGet(ctx context.Context, path string) (int, string, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return 0, "", err
	}
	c := &http.Client{Jar: jar}
	base := tn.IdPOrg.ConsoleURL()
	form := url.Values{"secret": {tn.IdPOrg.ConsolePassword()}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("console sign-in: %w", err)
	}
	_ = resp.Body.Close()
	req, err = http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err = c.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("console GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}
