package scimserver

import "net/http"

// Prefix is where the SCIM service is mounted.
const Prefix = "/scim/v2"

// Mount registers the SCIM routes on mux. Every route needs a valid key (authed).
func (s *Server) Mount(mux *http.ServeMux) {
	h := func(pattern string, fn authedHandler) { mux.Handle(pattern, s.authed(fn)) }
	h("POST "+Prefix+"/Users", s.createUser)
	h("GET "+Prefix+"/Users", s.listUsers)
	h("GET "+Prefix+"/Users/{id}", s.getUser)
	h("PUT "+Prefix+"/Users/{id}", s.replaceUser)
	h("PATCH "+Prefix+"/Users/{id}", s.patchUser)
	h("DELETE "+Prefix+"/Users/{id}", s.deleteUser)

	h("POST "+Prefix+"/Groups", s.createGroup)
	h("GET "+Prefix+"/Groups", s.listGroups)
	h("GET "+Prefix+"/Groups/{id}", s.getGroup)
	h("PUT "+Prefix+"/Groups/{id}", s.replaceGroup)
	h("PATCH "+Prefix+"/Groups/{id}", s.patchGroup)
	h("DELETE "+Prefix+"/Groups/{id}", s.deleteGroup)

	h("GET "+Prefix+"/ServiceProviderConfig", s.serviceProviderConfig)
	h("GET "+Prefix+"/ResourceTypes", s.resourceTypes)
	h("GET "+Prefix+"/ResourceTypes/{name}", s.resourceType)
	h("GET "+Prefix+"/Schemas", s.schemas)
	h("GET "+Prefix+"/Schemas/{urn}", s.schema)
	for _, p := range []string{"/Users", "/Users/{id}", "/Groups", "/Groups/{id}", "/ServiceProviderConfig",
		"/ResourceTypes", "/ResourceTypes/{name}", "/Schemas", "/Schemas/{urn}"} {
		h(Prefix+p, s.methodNotAllowed)
	}
	for _, p := range []string{"/Bulk", "/Me", "/.search"} {
		h(Prefix+p, s.notImplemented)
	}
	h(Prefix+"/", s.notFound)
}
