package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// SCIMTarget is a SCIM 2.0 server under test, reached over HTTP only: nothing here knows which app it is.
type SCIMTarget struct {
	// BaseURL is the SCIM base, e.g. http://127.0.0.1:8081/scim/v2 (no trailing slash).
	BaseURL string
	// Authorization is the whole Authorization header value, e.g. "Bearer rk_...". Never logged.
	Authorization string
	// Client sends the requests. Default: a client with a 30 s timeout.
	Client *http.Client
}

// Exchange is one request and its response, with the Authorization header left out and bodies cut to
// an excerpt, fit for failure messages and reports.
type Exchange struct {
	Method       string
	URL          string
	RequestBody  string
	Status       int
	ResponseBody string
}

func (e Exchange) String() string {
	return fmt.Sprintf("%s %s -> %d %s", e.Method, e.URL, e.Status, excerpt(e.ResponseBody, 300))
}

// SCIMResponse is a decoded SCIM answer: the status, the raw body and, when the body is JSON, its object.
type SCIMResponse struct {
	Exchange
	Header http.Header
	JSON   map[string]any
}

// Do sends method to path (relative to BaseURL) with body marshalled as JSON (nil for none).
func (t SCIMTarget) Do(ctx context.Context, method, path string, body any) (SCIMResponse, error) {
	var reqBody []byte
	if body != nil {
		var err error
		if reqBody, err = json.Marshal(body); err != nil {
			return SCIMResponse{}, fmt.Errorf("scim %s %s: encode body: %w", method, path, err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(t.BaseURL, "/")+path, bytes.NewReader(reqBody))
	if err != nil {
		return SCIMResponse{}, fmt.Errorf("scim %s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/scim+json")
	if body != nil {
		req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
	}
	if t.Authorization != "" {
		req.Header.Set("Authorization", t.Authorization)
	}
	client := t.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	ex := Exchange{Method: method, URL: req.URL.String(), RequestBody: excerpt(string(reqBody), 2000)}
	resp, err := client.Do(req)
	if err != nil {
		return SCIMResponse{Exchange: ex}, fmt.Errorf("scim %s %s: %w", method, ex.URL, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return SCIMResponse{Exchange: ex}, fmt.Errorf("scim %s %s: read body: %w", method, ex.URL, err)
	}
	ex.Status, ex.ResponseBody = resp.StatusCode, string(raw)
	out := SCIMResponse{Exchange: ex, Header: resp.Header}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &out.JSON) // non-JSON bodies stay in ResponseBody for the report
	}
	return out, nil
}

// FindUsers runs Okta's lookup, GET /Users?filter=userName eq "NAME"&startIndex=1&count=100, and returns
// the resources found. A non-200 answer is an error carrying the exchange.
func (t SCIMTarget) FindUsers(ctx context.Context, userName string) ([]map[string]any, error) {
	q := url.Values{}
	q.Set("filter", fmt.Sprintf("userName eq %q", userName))
	q.Set("startIndex", "1")
	q.Set("count", "100")
	resp, err := t.Do(ctx, http.MethodGet, "/Users?"+strings.ReplaceAll(q.Encode(), "+", "%20"), nil)
	if err != nil {
		return nil, err
	}
	if resp.Status != http.StatusOK {
		return nil, fmt.Errorf("find user %q: %s", userName, resp.Exchange)
	}
	list, _ := resp.JSON["Resources"].([]any)
	users := make([]map[string]any, 0, len(list))
	for _, r := range list {
		if m, ok := r.(map[string]any); ok {
			users = append(users, m)
		}
	}
	return users, nil
}
