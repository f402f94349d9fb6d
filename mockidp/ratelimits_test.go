package mockidp_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/ssoconform/ssoconform/mockidp"
)

// TestOrgRateLimits checks that an org's endpoints carry Okta's rate-limit headers and that a forced
// refusal answers 429 E0000047 with a request id, on that org only.
func TestOrgRateLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	get := func(path string) *http.Response {
		req, _ := http.NewRequest("GET", e.org.BaseURL()+path, nil)
		req.Header.Set("Authorization", "SSWS "+e.org.APIToken())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	e.org.SetRateLimit("/api/v1/users", 100)
	if resp := get("/api/v1/users"); resp.StatusCode != 200 || resp.Header.Get("X-Rate-Limit-Limit") != "100" ||
		resp.Header.Get("X-Rate-Limit-Remaining") != "99" || resp.Header.Get("X-Rate-Limit-Reset") == "" {
		t.Errorf("limited answer: %d %v", resp.StatusCode, resp.Header)
	}
	e.org.ForceRateLimit("/api/v1/users", 1)
	resp := get("/api/v1/users")
	var body struct{ ErrorCode string }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != 429 ||
		body.ErrorCode != mockidp.RateLimitErrorCode || resp.Header.Get("X-Okta-Request-Id") == "" {
		t.Errorf("forced: %d %+v %v", resp.StatusCode, body, resp.Header)
	}
	if resp := get("/api/v1/users"); resp.StatusCode != 200 {
		t.Errorf("after the forced refusal: %d", resp.StatusCode)
	}
}
