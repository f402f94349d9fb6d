package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/ssoconform/ssoconform/refapp/auth"
	"github.com/ssoconform/ssoconform/refapp/oidcrp"
	"github.com/ssoconform/ssoconform/refapp/store"
)

// ssoRefusal is a reason an organization cannot use SSO, shown on the SSO page.
type ssoRefusal struct {
	status  int
	message string
}

func (e *ssoRefusal) Error() string { return e.message }

func (h *Handler) ssoPage(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "sso", pageData{})
}

// ssoOrg finds an organization by name and its SSO connection, or explains why it cannot sign in with SSO.
func (h *Handler) ssoOrg(ctx context.Context, name string) (store.Org, store.SSOConnection, error) {
	if name == "" {
		return store.Org{}, store.SSOConnection{}, &ssoRefusal{http.StatusBadRequest, "Enter your organization name."}
	}
	org, err := h.cfg.Store.OrgByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return store.Org{}, store.SSOConnection{}, &ssoRefusal{http.StatusNotFound,
			fmt.Sprintf("No organization named %q was found. Check the name and try again.", name)}
	}
	if err != nil {
		return store.Org{}, store.SSOConnection{}, err
	}
	conn, err := h.cfg.Store.SSOConnection(ctx, org.ID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && conn.Protocol != "oidc") {
		return store.Org{}, store.SSOConnection{}, &ssoRefusal{http.StatusConflict,
			fmt.Sprintf("Organization %q has not set up Single Sign On (SSO). Sign in with your email and password.", org.Name)}
	}
	if err != nil {
		return store.Org{}, store.SSOConnection{}, err
	}
	if !org.Plan.AllowsSSO() {
		return store.Org{}, store.SSOConnection{}, &ssoRefusal{http.StatusForbidden,
			fmt.Sprintf("Single Sign On (SSO) needs the Pro or Enterprise plan; organization %q is on %s.", org.Name, org.Plan)}
	}
	return org, conn, nil
}

// ssoError renders the SSO page with the refusal, or the error page for an internal error.
func (h *Handler) ssoError(w http.ResponseWriter, r *http.Request, name string, err error) {
	var ref *ssoRefusal
	if errors.As(err, &ref) {
		h.render(w, r, ref.status, "sso", pageData{Error: ref.message, OrgName: name})
		return
	}
	h.fail(w, r, "Sign-in failed", err)
}

func (h *Handler) ssoContinue(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(r.PostFormValue("org"))
	org, _, err := h.ssoOrg(r.Context(), name)
	if err != nil {
		h.ssoError(w, r, name, err)
		return
	}
	http.Redirect(w, r, "/sso/"+url.PathEscape(org.Name), http.StatusSeeOther)
}

func (h *Handler) ssoOrgPage(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("org")
	org, _, err := h.ssoOrg(r.Context(), name)
	if err != nil {
		h.ssoError(w, r, name, err)
		return
	}
	h.render(w, r, http.StatusOK, "sso_org", pageData{OrgName: org.Name,
		StartURL: "/sso/" + url.PathEscape(org.Name) + "/start"})
}

func (h *Handler) ssoStart(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("org")
	org, conn, err := h.ssoOrg(r.Context(), name)
	if err != nil {
		h.ssoError(w, r, name, err)
		return
	}
	to, err := h.cfg.RP.Start(r.Context(), w, org.ID, connection(conn))
	if err != nil {
		h.signInFailed(w, r, err)
		return
	}
	http.Redirect(w, r, to, http.StatusFound)
}

func connection(c store.SSOConnection) oidcrp.Connection {
	return oidcrp.Connection{Issuer: c.Issuer, ClientID: c.ClientID, ClientSecret: c.ClientSecret}
}

func (h *Handler) lookupConnection(ctx context.Context, orgID string) (oidcrp.Connection, error) {
	c, err := h.cfg.Store.SSOConnection(ctx, orgID)
	if err != nil {
		return oidcrp.Connection{}, err
	}
	return connection(c), nil
}

func (h *Handler) ssoCallback(w http.ResponseWriter, r *http.Request) {
	id, err := h.cfg.RP.Finish(r.Context(), w, r, h.lookupConnection)
	if err != nil {
		h.signInFailed(w, r, err)
		return
	}
	m, err := h.ssoMember(r.Context(), id)
	if err != nil {
		h.signInFailed(w, r, err)
		return
	}
	if err := h.cfg.Sessions.Start(r.Context(), w, m, "oidc"); err != nil {
		h.signInFailed(w, r, err)
		return
	}
	h.cfg.Logger.InfoContext(r.Context(), "sso login", slog.String("org_id", m.OrgID), slog.String("member_id", m.ID))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// signInFailed renders the "Sign-in failed" page; refusals show their message,
// anything else a generic one.
func (h *Handler) signInFailed(w http.ResponseWriter, r *http.Request, err error) {
	var re *oidcrp.Error
	if !errors.As(err, &re) {
		h.fail(w, r, "Sign-in failed", err)
		return
	}
	h.cfg.Logger.InfoContext(r.Context(), "sso login refused", slog.Int("status", re.Status), slog.Any("error", err))
	h.render(w, r, re.Status, "error", pageData{Title: "Sign-in failed", Error: re.Message})
}

// ssoMember finds the organization's member with the identity's email, or
// creates one just in time with the connection's default role.
func (h *Handler) ssoMember(ctx context.Context, id oidcrp.Identity) (store.Member, error) {
	m, err := h.cfg.Store.MemberByEmail(ctx, id.OrgID, id.Email)
	if err == nil {
		if !m.Active {
			return store.Member{}, &oidcrp.Error{Status: http.StatusForbidden,
				Message: "Your account in this organization is deactivated. Ask your administrator to reactivate it."}
		}
		if m.DisplayName == "" && id.Name != "" {
			m.DisplayName, m.UpdatedAt = id.Name, h.cfg.Now()
			if err := h.cfg.Store.UpdateMember(ctx, m); err != nil {
				return store.Member{}, fmt.Errorf("keep sso name: %w", err)
			}
		}
		return m, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return store.Member{}, fmt.Errorf("find sso member: %w", err)
	}
	return h.createSSOMember(ctx, id)
}

func (h *Handler) createSSOMember(ctx context.Context, id oidcrp.Identity) (store.Member, error) {
	role := store.RoleMember
	if c, err := h.cfg.Store.SSOConnection(ctx, id.OrgID); err == nil && c.DefaultRole.Valid() {
		role = c.DefaultRole
	}
	memberID, err := auth.NewID(h.cfg.Rand)
	if err != nil {
		return store.Member{}, fmt.Errorf("create sso member: %w", err)
	}
	now := h.cfg.Now()
	m := store.Member{ID: memberID, OrgID: id.OrgID, Email: id.Email, DisplayName: id.Name, Role: role,
		Active: true, CreatedAt: now, UpdatedAt: now}
	if err := h.cfg.Store.CreateMember(ctx, m); err != nil {
		if errors.Is(err, store.ErrConflict) { // created concurrently by another login or a SCIM push
			return h.cfg.Store.MemberByEmail(ctx, id.OrgID, id.Email)
		}
		return store.Member{}, fmt.Errorf("create sso member: %w", err)
	}
	return m, nil
}
