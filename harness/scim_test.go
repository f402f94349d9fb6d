package harness

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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
	if want := "count=100&filter=userName%20eq%20%22a%40b.test%22&startIndex=1"; gotQuery != want {
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
