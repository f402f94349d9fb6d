package orgsettings

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/ssoconform/ssoconform/refapp/admin"
	"github.com/ssoconform/ssoconform/refapp/store"
)

// addMemberForm is the "Add member" form as entered (never the password).
type addMemberForm struct {
	Email, Name, Role string
	Invite            bool
}

func (h *Handler) membersPage(w http.ResponseWriter, r *http.Request) {
	ac, ok := h.requireAdmin(w, r)
	if !ok {
		return
	}
	notice := ""
	switch r.URL.Query().Get("done") {
	case "added":
		notice = "Member added."
	case "invited":
		notice = "Member added. An email asks them to confirm their account and link their Okta profile."
	case "removed":
		notice = "Member removed."
	case "role":
		notice = "Role changed."
	}
	h.renderMembers(w, r, ac, http.StatusOK, page{Notice: notice,
		AddInput: addMemberForm{Role: string(store.RoleMember), Invite: true}})
}

func (h *Handler) renderMembers(w http.ResponseWriter, r *http.Request, ac adminCtx, status int, p page) {
	ms, err := h.cfg.Store.ListMembers(r.Context(), ac.org.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Title, p.Section, p.Me, p.Org, p.Members, p.Roles = "Members", "members", ac.me, ac.org, ms, roles
	h.render(w, r, status, "members", p)
}

func (h *Handler) memberAdd(w http.ResponseWriter, r *http.Request) {
	ac, ok := h.requireAdmin(w, r)
	if !ok {
		return
	}
	f := addMemberForm{Email: strings.TrimSpace(r.PostFormValue("email")), Name: strings.TrimSpace(r.PostFormValue("name")),
		Role: r.PostFormValue("role"), Invite: r.PostFormValue("access") != "password"}
	in := admin.MemberInput{Org: ac.org.Name, Email: f.Email, Name: f.Name, Role: f.Role}
	if !f.Invite {
		if in.Password = r.PostFormValue("password"); in.Password == "" {
			h.renderMembers(w, r, ac, http.StatusUnprocessableEntity, page{AddInput: f,
				Error: "Member not added: enter an initial password, or choose to invite them by email."})
			return
		}
	}
	m, err := h.cfg.Admin(ac.me.Email).AddMember(r.Context(), in)
	if err != nil {
		status := http.StatusUnprocessableEntity
		if errors.Is(err, store.ErrConflict) {
			status = http.StatusConflict
		}
		h.renderMembers(w, r, ac, status, page{AddInput: f, Error: "Member not added: " + publicError(err)})
		return
	}
	done := "added"
	if f.Invite && h.cfg.Invite != nil && ac.org.Plan.AllowsSSO() {
		n, err := h.cfg.Invite(r.Context(), ac.org.ID, m.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) { // ErrNotFound: no SSO connection yet
			h.fail(w, r, fmt.Errorf("invite new member: %w", err))
			return
		}
		if n > 0 {
			done = "invited"
		}
	}
	http.Redirect(w, r, "/settings/members?done="+done, http.StatusSeeOther)
}

func (h *Handler) memberRole(w http.ResponseWriter, r *http.Request) {
	h.memberChange(w, r, func(ac adminCtx, m store.Member) (string, error) {
		_, err := h.cfg.Admin(ac.me.Email).SetRole(r.Context(), ac.org.Name, m.Email, r.PostFormValue("role"))
		return "role", err
	})
}

func (h *Handler) memberRemove(w http.ResponseWriter, r *http.Request) {
	h.memberChange(w, r, func(ac adminCtx, m store.Member) (string, error) {
		return "removed", h.cfg.Admin(ac.me.Email).RemoveMember(r.Context(), ac.org.Name, m.Email)
	})
}

// memberChange finds the member named in the path and applies change; refusals (the last admin)
// re-render the page with 409 and the reason.
func (h *Handler) memberChange(w http.ResponseWriter, r *http.Request, change func(adminCtx, store.Member) (string, error)) {
	ac, ok := h.requireAdmin(w, r)
	if !ok {
		return
	}
	ms, err := h.cfg.Store.ListMembers(r.Context(), ac.org.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var target *store.Member
	for i := range ms {
		if ms[i].ID == r.PathValue("id") {
			target = &ms[i]
		}
	}
	if target == nil {
		h.renderMembers(w, r, ac, http.StatusNotFound, page{Error: "That member is not in this organization."})
		return
	}
	done, err := change(ac, *target)
	switch {
	case errors.Is(err, store.ErrLastAdmin):
		h.renderMembers(w, r, ac, http.StatusConflict, page{Error: "Not changed: an organization always keeps an admin. " +
			"Make another member an admin first."})
	case err != nil && strings.Contains(err.Error(), "unknown role"):
		h.renderMembers(w, r, ac, http.StatusUnprocessableEntity, page{Error: "Not changed: " + publicError(err)})
	case err != nil:
		h.fail(w, r, err)
	default:
		if target.ID == ac.me.ID && done != "role" {
			http.Redirect(w, r, "/login", http.StatusSeeOther) // removed themselves
			return
		}
		http.Redirect(w, r, "/settings/members?done="+done, http.StatusSeeOther)
	}
}
