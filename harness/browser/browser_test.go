package browser

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const formPage = `<!doctype html><title>t</title>
<form method="post" action="/done"><label>Name <input id="name" name="name"></label>
<button id="go" type="submit">Go</button></form>`

func TestPageDrivesAFormAcrossTestHostnames(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "1", Path: "/"})
		fmt.Fprint(w, formPage)
	})
	mux.HandleFunc("POST /done", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><p id="hello">Hello %s from %s</p>`, r.FormValue("name"), r.Host)
	})
	mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("sid")
		if err != nil {
			http.Error(w, "no cookie", http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, "sid="+c.Value)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	port := srv.Listener.Addr().String()[strings.LastIndex(srv.Listener.Addr().String(), ":")+1:]

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	b, err := Launch(ctx, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := b.Close(); err != nil {
			t.Error(err)
		}
	}()
	p, err := b.NewPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()

	if err := p.Open(ctx, "http://app.test:"+port+"/"); err != nil {
		t.Fatal(err)
	}
	if err := p.Fill(ctx, "#name", "Zoë"); err != nil {
		t.Fatal(err)
	}
	if err := p.Click(ctx, "#go"); err != nil {
		t.Fatal(err)
	}
	got, err := p.WaitAny(ctx, "#missing", "#hello")
	if err != nil {
		t.Fatal(err)
	}
	if got != "#hello" {
		t.Fatalf("WaitAny = %q, want #hello", got)
	}
	text, err := p.Text(ctx, "#hello")
	if err != nil {
		t.Fatal(err)
	}
	if want := "Hello Zoë from app.test:" + port; text != want {
		t.Errorf("text = %q, want %q", text, want)
	}
	status, body, err := p.Fetch(ctx, "/whoami")
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusOK || body != "sid=1" {
		t.Errorf("fetch /whoami = %d %q, want 200 sid=1", status, body)
	}
	png, err := p.Screenshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(png) < 8 || string(png[1:4]) != "PNG" {
		t.Errorf("screenshot is not a PNG (%d bytes)", len(png))
	}
}

func TestIncognitoPagesDoNotShareCookies(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /set", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "a", Path: "/"})
	})
	mux.HandleFunc("GET /get", func(w http.ResponseWriter, r *http.Request) {
		if _, err := r.Cookie("sid"); err != nil {
			fmt.Fprint(w, "none")
			return
		}
		fmt.Fprint(w, "some")
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	b, err := Launch(ctx, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	p1, err := b.NewPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer p1.Close()
	p2, err := b.NewPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer p2.Close()
	if err := p1.Open(ctx, srv.URL+"/set"); err != nil {
		t.Fatal(err)
	}
	if err := p2.Open(ctx, srv.URL+"/set"); err != nil {
		t.Fatal(err)
	}
	_, body1, err := p1.Fetch(ctx, "/get")
	if err != nil {
		t.Fatal(err)
	}
	if body1 != "some" {
		t.Fatalf("first page lost its own cookie: %q", body1)
	}
	if err := p1.Close(); err != nil {
		t.Fatal(err)
	}
	p3, err := b.NewPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer p3.Close()
	if err := p3.Open(ctx, srv.URL+"/get"); err != nil {
		t.Fatal(err)
	}
	body3, err := p3.Text(ctx, "body")
	if err != nil {
		t.Fatal(err)
	}
	if body3 != "none" {
		t.Errorf("a new incognito page saw another page's cookie: %q", body3)
	}
}
