package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/ssoconform/ssoconform/refapp/defence"
	"github.com/ssoconform/ssoconform/refapp/oidcrp"
	"github.com/ssoconform/ssoconform/refapp/samlsp"
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
	if errors.Is(err, store.ErrNotFound) || (err == nil && conn.Protocol != "oidc" && (conn.Protocol != "saml" || h.cfg.SP == nil)) {
		return store.Org{}, store.SSOConnection{}, &ssoRefusal{http.StatusConflict,
			fmt.Sprintf("Organization %q has not set up Single Sign On (SSO). Sign in with your email and password.", org.Name)}
	}
	if err != nil {
		return store.Org{}, store.SSOConnection{}, err
	}
	if !org.Plan.AllowsSSO() && !defence.Off(defence.PlanGate) {
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
	org, err := h.cfg.Store.OrgByName(r.Context(), name)
	if errors.Is(err, store.ErrNotFound) {
		h.ssoError(w, r, name, &ssoRefusal{http.StatusNotFound,
			fmt.Sprintf("No organization named %q was found. Check the name and try again.", name)})
		return
	}
	if err != nil {
		h.ssoError(w, r, name, err)
		return
	}
	h.beginSSO(w, r, org, "")
}

// beginSSO starts an SSO sign-in for org over its connection's protocol (OIDC or SAML) and redirects the
// browser to Okta. linkMemberID, when not empty, makes this sign-in link the Okta identity to that member
// of org, when the verified emails match (account linking; see signInSSO). Refusals (no SSO, free plan)
// render the SSO page with a clear message.
func (h *Handler) beginSSO(w http.ResponseWriter, r *http.Request, org store.Org, linkMemberID string) {
	_, conn, err := h.ssoOrg(r.Context(), org.Name)
	if err != nil {
		h.ssoError(w, r, org.Name, err)
		return
	}
	var to string
	switch conn.Protocol {
	case "saml":
		to, err = h.cfg.SP.Start(r.Context(), w, org.ID, linkMemberID, samlsp.Connection{IdPMetadata: conn.IdPMetadata})
	default:
		to, err = h.cfg.RP.Start(r.Context(), w, org.ID, linkMemberID, connection(conn))
	}
	if err != nil {
		h.signInFailed(w, r, org.ID, err)
		return
	}
	http.Redirect(w, r, to, http.StatusFound)
}

func connection(c store.SSOConnection) oidcrp.Connection {
	return oidcrp.Connection{Issuer: c.Issuer, MetadataURL: c.MetadataURL, ClientID: c.ClientID, ClientSecret: c.ClientSecret}
}

func (h *Handler) lookupConnection(ctx context.Context, orgID string) (oidcrp.Connection, error) {
	c, err := h.cfg.Store.SSOConnection(ctx, orgID)
	if err != nil {
		return oidcrp.Connection{}, err
	}
	if c.Protocol != "oidc" {
		return oidcrp.Connection{}, fmt.Errorf("organization %s now uses %s: %w", orgID, c.Protocol, store.ErrNotFound)
	}
	return connection(c), nil
}

func (h *Handler) ssoCallback(w http.ResponseWriter, r *http.Request) {
	id, err := h.cfg.RP.Finish(r.Context(), w, r, h.lookupConnection)
	if err != nil {
		h.signInFailed(w, r, id.OrgID, err)
		return
	}
	h.signInSSO(w, r, ssoIdentity{OrgID: id.OrgID, Protocol: "oidc", Issuer: id.Issuer, Subject: id.Subject,
		Email: id.Email, Name: id.Name, PreferredUsername: id.PreferredUsername, LinkMemberID: id.LinkMemberID})
}
