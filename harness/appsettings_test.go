package harness

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestSubmitFormKeepsHiddenFields: the settings form is found by a field it holds, posted with its
// hidden CSRF token, checked boxes and selected option kept and the given fields set; a refusal (>= 400)
// is an error with the status and the page's text, secrets hidden.
func TestSubmitFormKeepsHiddenFields(t *testing.T) {
	var got map[string][]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			_, _ = w.Write([]byte(`<form method="post" action="/logout"><input name="csrf" value="x"></form>
<form method="post" action="/save"><input type="hidden" name="csrf" value="tok-1">
<select name="role"><option value="admin">admin</option><option value="member" selected>member</option></select>
<input type="checkbox" name="sync" checked><input type="checkbox" name="enforce">
<input name="client_id" value="old"><input name="client_secret" type="password"><button type="submit" name="go">Save</button></form>`))
			return
		}
		_ = r.ParseForm()
		got = r.PostForm
		if r.PostForm.Get("csrf") != "tok-1" {
			http.Error(w, "bad CSRF token", http.StatusForbidden)
			return
		}
		if r.PostForm.Get("client_secret") == "wrong-secret" {
			w.WriteHeader(http.StatusUnprocessableEntity)
			_, _ = w.Write([]byte(`<html><body><p class="error">Settings not saved: secret wrong-secret refused</p></body></html>`))
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	fields := map[string]string{"client_id": "cid", "client_secret": "s3cret"}
	if err := submitForm(ctx, HeadlessClient(), srv.URL+"/settings", fields, connection{clientSecret: "s3cret"}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"csrf": "tok-1", "role": "member", "sync": "on", "enforce": "", "client_id": "cid", "client_secret": "s3cret", "go": ""}
	for k, v := range want {
		if g := strings.Join(got[k], ","); g != v {
			t.Errorf("posted %s=%q, want %q", k, g, v)
		}
	}
	fields["client_secret"] = "wrong-secret"
	err := submitForm(ctx, HeadlessClient(), srv.URL+"/settings", fields, connection{clientSecret: "wrong-secret"})
	if err == nil || !strings.Contains(err.Error(), "422") || !strings.Contains(err.Error(), "Settings not saved") ||
		strings.Contains(err.Error(), "wrong-secret") {
		t.Errorf("a refused save: want its status and text, secret hidden; got %v", err)
	}
	if err := submitForm(ctx, HeadlessClient(), srv.URL+"/settings", map[string]string{"nope": "x"}, connection{}); err == nil {
		t.Error("a page without the field's form: want an error")
	}
}
