package orgsettings

import "net/http"

// Mount registers the pages on mux. POST routes go through cross-origin protection.
//
//	GET  /settings                          303 /settings/organization
//	GET  /settings/organization             ORGANIZATION SETTINGS
//	GET  /settings/sso?provider=okta        Connect: 303 /settings/sso/okta
//	GET  /settings/sso/okta                 OKTA AUTHENTICATION
//	POST /settings/sso/okta                 Save settings
//	GET  /settings/members                  members
//	POST /settings/members                  add a member
//	POST /settings/members/{id}/role        change a member's role
//	POST /settings/members/{id}/remove      remove a member
//	GET  /settings/api-keys                 API keys
//	POST /settings/api-keys                 create a key (shown once)
//	POST /settings/api-keys/{id}/revoke     revoke a key
//	GET  /settings/audit                    audit log
//	GET  /settings/static/...               CSS
func (h *Handler) Mount(mux *http.ServeMux) {
	post := func(f http.HandlerFunc) http.Handler { return h.csrf.Handler(f) }
	mux.HandleFunc("GET /settings", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/settings/organization", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /settings/organization", h.organization)
	mux.HandleFunc("GET /settings/sso", h.connect)
	mux.HandleFunc("GET /settings/sso/okta", h.oktaPage)
	mux.Handle("POST /settings/sso/okta", post(h.oktaSave))
	mux.HandleFunc("GET /settings/members", h.membersPage)
	mux.Handle("POST /settings/members", post(h.memberAdd))
	mux.Handle("POST /settings/members/{id}/role", post(h.memberRole))
	mux.Handle("POST /settings/members/{id}/remove", post(h.memberRemove))
	mux.HandleFunc("GET /settings/api-keys", h.keysPage)
	mux.Handle("POST /settings/api-keys", post(h.keyCreate))
	mux.Handle("POST /settings/api-keys/{id}/revoke", post(h.keyRevoke))
	mux.HandleFunc("GET /settings/audit", h.auditPage)
	mux.Handle("GET /settings/static/", staticFS())
}
