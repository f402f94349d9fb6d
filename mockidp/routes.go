package mockidp

import (
	"fmt"
	"html/template"
	"net/http"
)

func (s *Server) routes() {
	s.mux.HandleFunc("GET /{$}", s.handleIndex)
	s.mux.HandleFunc("/{org}/", s.handleOrg)
}

// handleOrg strips "/{org}" and hands the request to the org's handler.
func (s *Server) handleOrg(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("org")
	org, ok := s.Org(name)
	if !ok {
		http.NotFound(w, r)
		return
	}
	http.StripPrefix("/"+name, org.handler).ServeHTTP(w, r)
}

var indexPage = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>mock Okta</title></head>
<body><h1>mock Okta</h1><ul>{{range .}}<li><a href="{{.DiscoveryURL}}">{{.Name}}</a> ({{.BaseURL}})</li>{{end}}</ul></body></html>
`))

// handleIndex lists the orgs and their discovery documents.
func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := indexPage.Execute(w, s.Orgs()); err != nil {
		s.cfg.Logger.ErrorContext(r.Context(), "render index", "err", fmt.Sprint(err))
	}
}
