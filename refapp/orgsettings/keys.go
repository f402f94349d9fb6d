package orgsettings

import (
	"errors"
	"net/http"
	"strings"

	"github.com/ssoconform/ssoconform/refapp/admin"
	"github.com/ssoconform/ssoconform/refapp/auth"
	"github.com/ssoconform/ssoconform/refapp/store"
)

// keyRow is one API key as listed: never the key or its hash.
type keyRow struct {
	ID, Prefix string
	Owner      string // the personal key's owner's email; empty for an organization key
	Scopes     []string
	Created    string
	LastUsed   string
}

func (h *Handler) keysPage(w http.ResponseWriter, r *http.Request) {
	ac, ok := h.requireAdmin(w, r)
	if !ok {
		return
	}
	notice := ""
	if r.URL.Query().Get("done") == "revoked" {
		notice = "API key revoked. It no longer works."
	}
	h.renderKeys(w, r, ac, http.StatusOK, page{Notice: notice})
}

func (h *Handler) renderKeys(w http.ResponseWriter, r *http.Request, ac adminCtx, status int, p page) {
	ks, err := h.cfg.Store.ListAPIKeys(r.Context(), ac.org.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ms, err := h.cfg.Store.ListMembers(r.Context(), ac.org.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	emails := map[string]string{}
	for _, m := range ms {
		emails[m.ID] = m.Email
	}
	for _, k := range ks {
		p.Keys = append(p.Keys, keyRow{ID: k.ID, Prefix: k.Prefix, Owner: emails[k.OwnerID], Scopes: k.Scopes,
			Created: when(k.CreatedAt), LastUsed: when(k.LastUsedAt)})
	}
	p.Title, p.Section, p.Me, p.Org, p.Scopes = "API keys", "api-keys", ac.me, ac.org, auth.Scopes
	h.render(w, r, status, "keys", p)
}

// keyCreate makes a key and shows it once, in this response only (never in a URL).
func (h *Handler) keyCreate(w http.ResponseWriter, r *http.Request) {
	ac, ok := h.requireAdmin(w, r)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		h.renderKeys(w, r, ac, http.StatusBadRequest, page{Error: "The form could not be read."})
		return
	}
	owner := ""
	if r.PostForm.Get("kind") == "personal" {
		owner = ac.me.Email
	}
	scopes := r.PostForm["scope"]
	if len(scopes) == 0 {
		h.renderKeys(w, r, ac, http.StatusUnprocessableEntity, page{Error: "Key not created: select at least one scope."})
		return
	}
	key, err := h.cfg.Admin(ac.me.Email).CreatePersonalAPIKey(r.Context(), ac.org.Name, owner, scopes)
	if err != nil {
		h.renderKeys(w, r, ac, http.StatusUnprocessableEntity, page{Error: "Key not created: " + publicError(err)})
		return
	}
	kind := "organization"
	if owner != "" {
		kind = "personal"
	}
	h.cfg.Admin(ac.me.Email).Audit(r.Context(), ac.org.ID, admin.ActionKeyCreate, "success",
		kind+" key "+key[:len(auth.APIKeyPrefix)+6]+" with scopes "+strings.Join(scopes, ", "))
	h.renderKeys(w, r, ac, http.StatusOK, page{NewKey: key,
		Notice: "API key created. Copy it now: it will not be shown again."})
}

func (h *Handler) keyRevoke(w http.ResponseWriter, r *http.Request) {
	ac, ok := h.requireAdmin(w, r)
	if !ok {
		return
	}
	err := h.cfg.Admin(ac.me.Email).RevokeAPIKey(r.Context(), ac.org.Name, r.PathValue("id"))
	switch {
	case errors.Is(err, store.ErrNotFound):
		h.renderKeys(w, r, ac, http.StatusNotFound, page{Error: "That API key does not exist (already revoked?)."})
	case err != nil:
		h.fail(w, r, err)
	default:
		http.Redirect(w, r, "/settings/api-keys?done=revoked", http.StatusSeeOther)
	}
}
