package web

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ssoconform/ssoconform/refapp/auth"
	"github.com/ssoconform/ssoconform/refapp/defence"
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
	if ok, wait := h.limiter.allow(email, clientAddr(r), h.cfg.Now()); !ok {
		h.cfg.Logger.InfoContext(r.Context(), "password login rate limited")
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		h.render(w, r, http.StatusTooManyRequests, "login", pageData{Email: email,
			Error: fmt.Sprintf("Too many sign-in attempts. Wait %s and try again.", roundWait(wait))})
		return
	}
	m, err := h.passwordMember(r, email, password)
	var required *ssoRequired
	if errors.As(err, &required) {
		h.refusePassword(w, r, required.member, email)
		return
	}
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
	h.limiter.succeeded(email)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// passwordMember returns the first active member with that email, in any
// organization, whose password matches and whose organization does not
// require SSO; *ssoRequired when the password matches only in organizations
// that do; auth.ErrNoSession when none matches.
func (h *Handler) passwordMember(r *http.Request, email, password string) (store.Member, error) {
	if email == "" || password == "" {
		return store.Member{}, auth.ErrNoSession
	}
	ms, err := h.cfg.Store.MembersByEmail(r.Context(), email)
	if err != nil {
		return store.Member{}, err
	}
	checked := false
	var refused *ssoRequired
	for _, m := range ms {
		if m.PasswordHash == "" || !m.Active {
			continue
		}
		checked = true
		if !auth.CheckPassword(m.PasswordHash, password) {
			continue
		}
		enforced, err := h.ssoEnforced(r.Context(), m.OrgID)
		if err != nil {
			return store.Member{}, err
		}
		if !enforced {
			return m, nil
		}
		if refused == nil {
			refused = &ssoRequired{member: m}
		}
	}
	if !checked {
		auth.CheckPassword("", password) // same cost as a wrong password
	}
	if refused != nil {
		return store.Member{}, refused
	}
	return store.Member{}, auth.ErrNoSession
}

// ssoRequiredMessage is what a member of an organization that requires SSO sees at password sign-in.
const ssoRequiredMessage = "Your organization requires Okta SSO. Sign in with Single Sign On (SSO) instead."

// ssoRequired is a right password of a member whose organization requires SSO.
type ssoRequired struct{ member store.Member }

func (e *ssoRequired) Error() string {
	return "password sign-in refused: the organization requires sso"
}

// ssoEnforced reports whether the organization requires its members to use SSO ("Require your
// organization members to use SSO to access"); only while its plan includes SSO.
func (h *Handler) ssoEnforced(ctx context.Context, orgID string) (bool, error) {
	c, err := h.cfg.Store.SSOConnection(ctx, orgID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil || !c.Enforce || defence.Off(defence.RequireSSO) {
		return false, err
	}
	org, err := h.cfg.Store.OrgByID(ctx, orgID)
	if err != nil {
		return false, err
	}
	return org.Plan.AllowsSSO() || defence.Off(defence.PlanGate), nil
}

// refusePassword answers a right password refused because the organization requires SSO, and audits it.
func (h *Handler) refusePassword(w http.ResponseWriter, r *http.Request, m store.Member, email string) {
	h.cfg.Logger.InfoContext(r.Context(), "password login refused: sso required", "org_id", m.OrgID)
	id, err := auth.NewID(h.cfg.Rand)
	if err == nil {
		err = h.cfg.Store.AppendAudit(r.Context(), store.AuditEvent{ID: id, OrgID: m.OrgID, At: h.cfg.Now(),
			Actor: m.Email, Action: "password.refused", Outcome: "failure",
			Detail: "password sign-in refused: the organization requires Okta SSO"})
	}
	if err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "audit password refusal", "error", err)
	}
	h.render(w, r, http.StatusForbidden, "login", pageData{Email: email, Error: ssoRequiredMessage})
}

// roundWait says how long to wait in words: seconds under two minutes, else minutes rounded up.
func roundWait(d time.Duration) string {
	if d < 2*time.Minute {
		return fmt.Sprintf("%d seconds", int(math.Ceil(d.Seconds())))
	}
	return fmt.Sprintf("%d minutes", int(math.Ceil(d.Minutes())))
}

// logout ends the session here, then, after a SAML sign-in, Okta's too (samlLogout).
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	se, m, lookupErr := h.cfg.Sessions.Lookup(r.Context(), r)
	if err := h.cfg.Sessions.End(r.Context(), w, r); err != nil {
		h.fail(w, r, "Sign-out failed", err)
		return
	}
	to := "/login"
	if lookupErr == nil && se.Method == "saml" {
		to = h.samlLogout(r.Context(), m)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}
