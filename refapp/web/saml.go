package web

import (
	"context"
	"net/http"

	"github.com/ssoconform/ssoconform/refapp/samlsp"
)

// samlMetadata serves the SP metadata (its URL is also the SP entity ID).
func (h *Handler) samlMetadata(w http.ResponseWriter, r *http.Request) {
	if h.cfg.SP == nil {
		http.NotFound(w, r)
		return
	}
	b, err := h.cfg.SP.Metadata()
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
		c, err := h.cfg.Store.SSOConnection(ctx, id)
		if err == nil && c.Protocol != "saml" {
			return samlsp.Connection{}, errNotSAML
		}
		return samlsp.Connection{IdPMetadata: c.IdPMetadata}, err
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

type webError string

func (e webError) Error() string { return string(e) }

const errNotSAML = webError("the organization's SSO connection is not SAML")
