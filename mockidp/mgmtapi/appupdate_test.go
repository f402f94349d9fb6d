package mgmtapi_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

type oktaError struct {
	ErrorCode    string `json:"errorCode"`
	ErrorSummary string `json:"errorSummary"`
	ErrorCauses  []struct {
		ErrorSummary string `json:"errorSummary"`
	} `json:"errorCauses"`
}

func TestReplaceAppRedirectURIs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	app, err := e.dir.CreateOIDCApp(directory.OIDCAppInput{Label: "web", RedirectURIs: []string{"https://app.test/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/apps/" + app.ID
	status, body := e.do(http.MethodPut, path, `{"label":"web 2","settings":{"oauthClient":{
		"redirect_uris":["https://app.test/cb2"],"post_logout_redirect_uris":["https://app.test/bye"]}}}`)
	if status != http.StatusOK {
		t.Fatalf("good update: %d %s", status, body)
	}
	got, _ := e.dir.App(app.ID)
	if got.Label != "web 2" || !slices.Equal(got.RedirectURIs, []string{"https://app.test/cb2"}) ||
		!slices.Equal(got.PostLogoutRedirectURIs, []string{"https://app.test/bye"}) {
		t.Errorf("stored app = %+v", got)
	}

	status, body = e.do(http.MethodPut, path, `{"settings":{"oauthClient":{"redirect_uris":["/relative"]}}}`)
	var oe oktaError
	if err := json.Unmarshal(body, &oe); err != nil || status != http.StatusBadRequest {
		t.Fatalf("bad update: %d %s", status, body)
	}
	// The cause is the Go API's sentence, word for word.
	var fe directory.FieldErrors
	if err := e.dir.SetRedirectURIs(app.ID, []string{"/relative"}, nil); !errors.As(err, &fe) || len(fe) != 1 {
		t.Fatalf("Go API: %v", err)
	}
	want := oktaError{ErrorCode: "E0000001", ErrorSummary: "Api validation failed: redirect_uris"}
	want.ErrorCauses = append(want.ErrorCauses, struct {
		ErrorSummary string `json:"errorSummary"`
	}{"redirect_uris: " + fe[0].Sentence})
	if diff := cmp.Diff(want, oe); diff != "" {
		t.Errorf("error body (-want +got):\n%s", diff)
	}
	if got, _ := e.dir.App(app.ID); !slices.Equal(got.RedirectURIs, []string{"https://app.test/cb2"}) {
		t.Errorf("a refused update was stored: %v", got.RedirectURIs)
	}
}

func TestReplaceAppSAMLURLs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	app, err := e.dir.CreateSAMLApp(directory.SAMLAppInput{Label: "sp", Settings: directory.SAMLSettings{
		SSOURL: "https://sp.test/acs", Audience: "urn:sp.test"}})
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/apps/" + app.ID
	status, body := e.do(http.MethodPut, path, `{"settings":{"signOn":{"ssoAcsUrl":"acs","audience":"sp test",
		"subjectNameIdFormat":"urn:oasis:names:tc:SAML:2.0:nameid-format:entity"}}}`)
	var oe oktaError
	if err := json.Unmarshal(body, &oe); err != nil || status != http.StatusBadRequest || oe.ErrorCode != "E0000001" {
		t.Fatalf("bad update: %d %s", status, body)
	}
	var causes []string
	for _, c := range oe.ErrorCauses {
		causes = append(causes, c.ErrorSummary)
	}
	want := []string{`ssoAcsUrl: "acs" is not an absolute http(s) URL.`,
		`audience: "sp test" is not an absolute URI (for example https://app.example.com/saml or urn:example:app).`,
		`subjectNameIdFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity" is not a NameID format Okta offers ` +
			`(unspecified, emailAddress, x509SubjectName, persistent or transient).`}
	if diff := cmp.Diff(want, causes); diff != "" {
		t.Errorf("causes (-want +got):\n%s", diff)
	}
	status, body = e.do(http.MethodPut, path, `{"settings":{"signOn":{"ssoAcsUrl":"https://sp.test/acs2",
		"recipient":"https://sp.test/acs2","destination":"https://sp.test/acs2","audience":"https://sp.test/sp",
		"subjectNameIdFormat":"urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"}}}`)
	if status != http.StatusOK {
		t.Fatalf("good update: %d %s", status, body)
	}
	if got, _ := e.dir.App(app.ID); got.SAML.SSOURL != "https://sp.test/acs2" || got.SAML.Audience != "https://sp.test/sp" ||
		got.SAML.NameIDFormat != directory.NameIDX509 {
		t.Errorf("stored = %+v", got.SAML)
	}
	if status, body := e.do(http.MethodPut, "/api/v1/apps/0oanothere", `{}`); status != http.StatusNotFound ||
		errorCode(body) != "E0000007" {
		t.Errorf("unknown app: %d %s", status, body)
	}
}
