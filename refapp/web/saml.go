package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/ssoconform/ssoconform/refapp/defence"
	"github.com/ssoconform/ssoconform/refapp/refusal"
	"github.com/ssoconform/ssoconform/refapp/store"

	"github.com/ssoconform/ssoconform/refapp/samlsp"
)

// samlMetadata serves the SP metadata (its URL is also the SP entity ID).
func (h *Handler) samlMetadata(w http.ResponseWriter, r *http.Request) {
	if h.cfg.SP == nil {
		http.NotFound(w, r)
		return
	}
	b, err := h.cfg.SP.Metadata(r.Context())
	if err != nil {
		h.fail(w, r, "Error", err)
		return
	}
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	_, _ = w.Write(b)
}

// samlACS receives the IdP's HTTP-POST. It is not behind cross-origin protection: the IdP's page posts
// it, and the signed response, the single-use RelayState and the browser binding checked at finish are
// what protect it.
func (h *Handler) samlACS(w http.ResponseWriter, r *http.Request) {
	if h.cfg.SP == nil {
		http.NotFound(w, r)
		return
	}
	var orgID string
	lookup := func(ctx context.Context, id string) (samlsp.Connection, error) {
		orgID = id
		return h.lookupSAML(ctx, id)
	}
	next, err := h.cfg.SP.ACS(r.Context(), w, r, lookup)
	if err != nil {
		h.signInFailed(w, r, orgID, err)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// samlFinish completes a SAML sign-in in the browser that started it.
func (h *Handler) samlFinish(w http.ResponseWriter, r *http.Request) {
	if h.cfg.SP == nil {
		http.NotFound(w, r)
		return
	}
	id, err := h.cfg.SP.Finish(r.Context(), w, r)
	if err != nil {
		h.signInFailed(w, r, id.OrgID, err)
		return
	}
	h.signInSSO(w, r, ssoIdentity{OrgID: id.OrgID, Protocol: "saml", Issuer: id.Issuer, Subject: id.Subject,
		Email: id.Email, Name: id.Name, LinkMemberID: id.LinkMemberID})
}

// samlLogout starts single logout for a member whose SAML session was just ended here: it returns the
// IdP URL carrying the signed LogoutRequest, or "/login" when the organization's IdP has no single
// logout service (or the request cannot be made, which is logged: the local sign-out stands).
func (h *Handler) samlLogout(ctx context.Context, m store.Member) string {
	if h.cfg.SP == nil || defence.Off(defence.SLO) {
		return "/login"
	}
	c, err := h.samlConnection(ctx, m.OrgID)
	if err != nil {
		return "/login"
	}
	nameID, err := h.nameIDAt(ctx, m, c.Issuer)
	if err == nil {
		var to string
		if to, err = h.cfg.SP.Logout(ctx, m.OrgID, nameID, samlsp.Connection{IdPMetadata: c.IdPMetadata}); err == nil && to != "" {
			return to
		}
	}
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "saml single logout not started", slog.Any("error", err))
	}
	return "/login"
}

// nameIDAt is the NameID the IdP issuer knows the member by (the subject of their linked identity).
func (h *Handler) nameIDAt(ctx context.Context, m store.Member, issuer string) (string, error) {
	ids, err := h.cfg.Store.MemberIdentities(ctx, m.OrgID, m.ID)
	if err != nil {
		return "", err
	}
	for _, id := range ids {
		if id.Issuer == issuer {
			return id.Subject, nil
		}
	}
	return "", webError("the member has no identity at " + issuer)
}

// samlSLO receives the IdP's LogoutResponse at the Single Logout URL (posted cross-site by the IdP's
// page, or redirected): the sign-out is complete, or Okta's side is unconfirmed and the page says so.
func (h *Handler) samlSLO(w http.ResponseWriter, r *http.Request) {
	if h.cfg.SP == nil {
		http.NotFound(w, r)
		return
	}
	if err := h.cfg.SP.LogoutResponse(r.Context(), w, r, h.lookupSAML); err != nil {
		re, ok := errors.AsType[*refusal.Error](err)
		if !ok {
			re = refusal.New(http.StatusInternalServerError, err, "Something went wrong on our side")
		}
		h.cfg.Logger.InfoContext(r.Context(), "saml logout response refused", slog.Any("error", err))
		h.render(w, r, re.Status, "error", pageData{Title: "Signed out of this app",
			Error: re.Message + ". You are signed out of this app."})
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// samlConnection is the organization's SSO connection when it signs in over SAML (errNotSAML otherwise).
func (h *Handler) samlConnection(ctx context.Context, orgID string) (store.SSOConnection, error) {
	c, err := h.cfg.Store.SSOConnection(ctx, orgID)
	if err == nil && c.Protocol != "saml" {
		return store.SSOConnection{}, errNotSAML
	}
	return c, err
}

// lookupSAML is samlConnection as the SP's ConnectionLookup.
func (h *Handler) lookupSAML(ctx context.Context, orgID string) (samlsp.Connection, error) {
	c, err := h.samlConnection(ctx, orgID)
	return samlsp.Connection{IdPMetadata: c.IdPMetadata}, err
}

type webError string

func (e webError) Error() string { return string(e) }

const errNotSAML = webError("the organization's SSO connection is not SAML")
