package harness

import (
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFindUsersSendsOktasLookup(t *testing.T) {
	t.Parallel()
	var gotQuery, gotAuth, gotAccept string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotQuery, gotAuth, gotAccept = r.URL.RawQuery, r.Header.Get("Authorization"), r.Header.Get("Accept")
		w.Header().Set("Content-Type", "application/scim+json")
		fmt.Fprint(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,
			"startIndex":1,"itemsPerPage":1,"Resources":[{"id":"1","userName":"a@b.test"}]}`)
	}))
	defer srv.Close()
	tgt := SCIMTarget{BaseURL: srv.URL + "/scim/v2", Authorization: "Bearer k"}
	users, err := tgt.FindUsers(context.Background(), "a@b.test")
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 1 || users[0]["userName"] != "a@b.test" {
		t.Errorf("users = %v", users)
	}
	if want := "filter=userName%20eq%20%22a%40b.test%22&startIndex=1&count=100"; gotQuery != want {
		t.Errorf("query = %s, want %s", gotQuery, want)
	}
	if gotAuth != "Bearer k" || gotAccept != "application/scim+json" {
		t.Errorf("auth %q accept %q", gotAuth, gotAccept)
	}
}

func TestFindUsersErrorCarriesTheExchange(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"detail":"bad key"}`, http.StatusUnauthorized)
	}))
	defer srv.Close()
	_, err := SCIMTarget{BaseURL: srv.URL}.FindUsers(context.Background(), "x")
	if err == nil || !strings.Contains(err.Error(), "-> 401") || !strings.Contains(err.Error(), "bad key") {
		t.Fatalf("err = %v, want the 401 exchange", err)
	}
}

func TestUniqueNamesDiffer(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 1000 {
		n := uniqueName("org")
		if !strings.HasPrefix(n, "org-") || len(n) != 12 {
			t.Fatalf("name %q", n)
		}
		if seen[n] {
			t.Fatalf("name %q generated twice", n)
		}
		seen[n] = true
	}
}

func TestSendRecordsWithoutCredentials(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && (r.Header.Get("Authorization") != "" || r.Header.Get("User-Agent") != "" ||
			r.Header.Get("Content-Type") != "text/plain") {
			t.Errorf("POST headers: %v (no Authorization, no User-Agent, text/plain wanted)", r.Header)
		}
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/scim+json")
		w.WriteHeader(http.StatusUnauthorized)
		zw := gzip.NewWriter(w)
		fmt.Fprint(zw, `{"status":"401","detail":"no"}`)
		zw.Close()
	}))
	defer srv.Close()
	rec := &Recorder{}
	none := ""
	tgt := SCIMTarget{BaseURL: srv.URL, Authorization: "Bearer s3cret", Recorder: rec}
	r, err := tgt.Send(context.Background(), SCIMRequest{Method: http.MethodPost, Path: "/Users", RawBody: []byte("x"),
		Authorization: &none, Header: map[string]string{"User-Agent": "", "Content-Type": "text/plain", "Accept-Encoding": "gzip"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != 401 || r.JSON["detail"] != "no" {
		t.Errorf("response = %d %v (gzip must be undone)", r.Status, r.JSON)
	}
	if _, err := tgt.Do(context.Background(), http.MethodGet, "/Users", nil); err != nil {
		t.Fatal(err)
	}
	tr := rec.Transcript()
	if strings.Contains(tr, "s3cret") || !strings.Contains(tr, "[redacted]") || len(rec.Exchanges()) != 2 {
		t.Errorf("transcript leaks or misses exchanges:\n%s", tr)
	}
}

func TestQueryEncodesLikeOkta(t *testing.T) {
	t.Parallel()
	got := Query("filter", `userName eq "a+b c@x"`, "startIndex", "1", "count", "100")
	if want := "filter=userName%20eq%20%22a%2Bb%20c%40x%22&startIndex=1&count=100"; got != want {
		t.Errorf("Query = %s, want %s", got, want)
	}
	if got := QuoteFilterValue(`a"b\c<&>`); got != `"a\"b\\c<&>"` {
		t.Errorf("QuoteFilterValue = %s", got)
	}
}

func TestFeaturesAndFlavours(t *testing.T) {
	t.Parallel()
	fs, err := ParseSCIMFeatures("groups, patch")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]SCIMFeature{FeatureGroups, FeaturePatch}, fs); diff != "" {
		t.Errorf("features (-want +got):\n%s", diff)
	}
	if all, _ := ParseSCIMFeatures("all"); len(all) != len(SCIMFeatures) {
		t.Errorf("all = %v", all)
	}
	if _, err := ParseSCIMFeatures("bulk"); err == nil {
		t.Error("unknown feature accepted")
	}
	if _, err := ParseSCIMFlavour("entra"); err == nil {
		t.Error("unknown flavour accepted")
	}
	oin := SCIMTarget{BaseURL: "http://x.test"}
	if !oin.Has(FeaturePatch) || oin.Has(FeatureGroups) {
		t.Error("okta-oin implies patch and nothing else")
	}
	aiw := oin.With(FlavourOktaAIW, nil)
	if aiw.Has(FeaturePatch) {
		t.Error("okta-aiw does not imply patch")
	}
	second := SCIMTarget{BaseURL: "http://y.test"}
	oin.Second = &second
	rec := &Recorder{}
	w := oin.With(FlavourRFC, rec)
	if w.Second.Recorder != rec || w.Second.Flavour != FlavourRFC || second.Recorder != nil {
		t.Error("With must copy the second tenant, not change it")
	}
	if err := (SCIMTarget{BaseURL: "scim/v2"}).Validate(); err == nil {
		t.Error("relative base URL accepted")
	}
}
