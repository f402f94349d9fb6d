package orgsettings

import "net/http"

// auditLimit is how many events the audit log page shows.
const auditLimit = 200

func (h *Handler) auditPage(w http.ResponseWriter, r *http.Request) {
	ac, ok := h.requireAdmin(w, r)
	if !ok {
		return
	}
	evs, err := h.cfg.Store.ListAudit(r.Context(), ac.org.ID, auditLimit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "audit", page{Title: "Audit log", Section: "audit", Me: ac.me, Org: ac.org, Events: evs})
}
