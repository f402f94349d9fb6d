package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/ssoconform/ssoconform/refapp/auth"
	"github.com/ssoconform/ssoconform/refapp/store"
)

// loginFailed is the one message for every password login failure, so the
// page does not tell which emails exist.
const loginFailed = "Incorrect email or password."

func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "login", pageData{})
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	email := strings.TrimSpace(r.PostFormValue("email"))
	password := r.PostFormValue("password")
	m, err := h.passwordMember(r, email, password)
	if errors.Is(err, auth.ErrNoSession) {
		h.cfg.Logger.InfoContext(r.Context(), "password login refused")
		h.render(w, r, http.StatusUnauthorized, "login", pageData{Error: loginFailed, Email: email})
		return
	}
	if err != nil {
		h.fail(w, r, "Sign-in failed", err)
		return
	}
	if err := h.cfg.Sessions.Start(r.Context(), w, m, "password"); err != nil {
		h.fail(w, r, "Sign-in failed", err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// passwordMember returns the first active member with that email, in any
// organization, whose password matches; auth.ErrNoSession when none does.
func (h *Handler) passwordMember(r *http.Request, email, password string) (store.Member, error) {
	if email == "" || password == "" {
		return store.Member{}, auth.ErrNoSession
	}
	ms, err := h.cfg.Store.MembersByEmail(r.Context(), email)
	if err != nil {
		return store.Member{}, err
	}
	checked := false
	for _, m := range ms {
		if m.PasswordHash == "" || !m.Active {
			continue
		}
		checked = true
		if auth.CheckPassword(m.PasswordHash, password) {
			return m, nil
		}
	}
	if !checked {
		auth.CheckPassword("", password) // same cost as a wrong password
	}
	return store.Member{}, auth.ErrNoSession
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	if err := h.cfg.Sessions.End(r.Context(), w, r); err != nil {
		h.fail(w, r, "Sign-out failed", err)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
