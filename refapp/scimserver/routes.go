package scimserver

import "net/http"

// Prefix is where the SCIM service is mounted.
const Prefix = "/scim/v2"

// Mount registers the SCIM routes on mux.
func (s *Server) Mount(mux *http.ServeMux) {
	mux.Handle("POST "+Prefix+"/Users", s.authed(s.createUser))
	mux.Handle("GET "+Prefix+"/Users", s.authed(s.listUsers))
	mux.Handle("GET "+Prefix+"/Users/{id}", s.authed(s.getUser))
	mux.Handle(Prefix+"/Users/{id}", s.authed(s.notImplemented))
	mux.Handle(Prefix+"/", s.authed(s.notFound))
}
