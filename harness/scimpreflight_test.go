package harness

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPreflight(t *testing.T) {
	t.Parallel()
	answer := func(status int, ct, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, "/Users") || r.URL.RawQuery != "startIndex=1&count=1" {
				t.Errorf("preflight sent %s, want GET /scim/v2/Users?startIndex=1&count=1", r.URL)
			}
			if ct != "" {
				w.Header().Set("Content-Type", ct)
			}
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}
	}
	list := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}`
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	tests := []struct {
		name    string
		url     string           // when set, used as is
		handler http.HandlerFunc // otherwise served over http
		bare    bool             // the --url lacks /scim/v2
		tls     bool             // served over https with a certificate the client does not trust
		want    string           // a piece of the sentence; "" means no error
	}{
		{name: "a ListResponse", handler: answer(200, "application/scim+json", list)},
		{name: "down", url: down.URL + "/scim/v2", want: "cannot reach the server"},
		{name: "untrusted TLS", handler: answer(200, "application/scim+json", list), tls: true, want: "TLS certificate is not trusted"},
		{name: "token refused", handler: answer(401, "application/scim+json", `{}`), want: "refused the token"},
		{name: "provisioning off", handler: answer(403, "application/json", `{"detail":"SCIM needs SSO. Set it up. secret-token"}`), want: "(\"SCIM needs SSO. Set it up. [redacted]\")"},
		{name: "no /scim/v2", handler: answer(404, "text/plain", "404 page not found"), bare: true, want: "usually ends in /scim/v2"},
		{name: "a web page", handler: answer(200, "text/html", "<html>welcome</html>"), want: "not a SCIM ListResponse"},
		{name: "a server error", handler: answer(500, "application/json", `{}`), want: "answered 500"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			base := tc.url
			if base == "" {
				srv := httptest.NewUnstartedServer(tc.handler)
				if tc.tls {
					srv.StartTLS()
				} else {
					srv.Start()
				}
				defer srv.Close()
				base = srv.URL + "/scim/v2"
				if tc.bare {
					base = srv.URL
				}
			}
			err := SCIMTarget{BaseURL: base, Authorization: "Bearer secret-token"}.Preflight(context.Background())
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Preflight: %v", err)
				}
				return
			}
			var pe *PreflightError
			if !errors.As(err, &pe) {
				t.Fatalf("Preflight = %v, want a *PreflightError", err)
			}
			if !strings.Contains(pe.Sentence, tc.want) || strings.Contains(pe.Sentence, "secret-token") || strings.Contains(pe.Sentence, "\n") || !strings.HasSuffix(pe.Sentence, ".") {
				t.Errorf("sentence %q: want one sentence holding %q and no token", pe.Sentence, tc.want)
			}
		})
	}
}
