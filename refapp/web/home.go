package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/ssoconform/ssoconform/refapp/auth"
	"github.com/ssoconform/ssoconform/refapp/store"
)

func (h *Handler) signedIn(r *http.Request) (store.Member, store.Org, error) {
	_, m, err := h.cfg.Sessions.Lookup(r.Context(), r)
	if err != nil {
		return store.Member{}, store.Org{}, err
	}
	org, err := h.cfg.Store.OrgByID(r.Context(), m.OrgID)
	if err != nil {
		return store.Member{}, store.Org{}, err
	}
	if m.DisplayName == "" {
		m.DisplayName = m.Email
	}
	return m, org, nil
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	m, org, err := h.signedIn(r)
	if errors.Is(err, auth.ErrNoSession) {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	if err != nil {
		h.fail(w, r, "Error", err)
		return
	}
	d := pageData{Member: m, OrgName: org.Name, IsAdmin: m.Role == store.RoleAdmin}
	if d.IsAdmin {
		if d.Teams, _, err = h.cfg.Store.ListGroups(r.Context(), org.ID, store.Query{Limit: maxTeamsShown}); err != nil {
			h.fail(w, r, "Error", err)
			return
		}
	}
	h.render(w, r, http.StatusOK, "home", d)
}

// maxTeamsShown caps the Teams list on the home page.
const maxTeamsShown = 500

type meResponse struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	Org   string `json:"org"`
	Role  string `json:"role"`
}

func (h *Handler) me(w http.ResponseWriter, r *http.Request) {
	m, org, err := h.signedIn(r)
	switch {
	case errors.Is(err, auth.ErrNoSession):
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "unauthenticated"})
	case err != nil:
		h.cfg.Logger.ErrorContext(r.Context(), "api me", "error", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal"})
	default:
		writeJSON(w, http.StatusOK, meResponse{Email: m.Email, Name: m.DisplayName, Org: org.Name, Role: string(m.Role)})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
