package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/ssoconform/ssoconform/refapp/linking"
	"github.com/ssoconform/ssoconform/refapp/store"
)

// Links checks and uses account-linking invitations (see package linking).
type Links interface {
	Check(ctx context.Context, token string) (store.LinkToken, error)
	Redeem(ctx context.Context, token string) (store.LinkToken, error)
}

// linkPage is GET /account/link/{token}: it checks the invitation without using it and shows a button
// to confirm, so a mail scanner fetching the mailed link does not use it up. The button is a link to
// .../start (a GET): the redirect to Okta that follows must come from a navigation, not a form, or the
// page's CSP form-action 'self' would block it.
func (h *Handler) linkPage(w http.ResponseWriter, r *http.Request) {
	_, org, ok := h.linkToken(w, r, false)
	if !ok {
		return
	}
	h.render(w, r, http.StatusOK, "link", pageData{Title: "Link your Okta profile", OrgName: org.Name,
		StartURL: r.URL.Path + "/start"})
}

// linkStart is GET /account/link/{token}/start: it uses the invitation once and starts the Okta sign-in
// that links the Okta identity to the invited member.
func (h *Handler) linkStart(w http.ResponseWriter, r *http.Request) {
	t, org, ok := h.linkToken(w, r, true)
	if !ok {
		return
	}
	h.beginSSO(w, r, org, t.MemberID)
}

// linkToken checks the path's token (redeem: uses it) and returns it with its organization, or renders
// the refusal: 404 for an unknown link, 410 for a used or expired one.
func (h *Handler) linkToken(w http.ResponseWriter, r *http.Request, redeem bool) (store.LinkToken, store.Org, bool) {
	if h.cfg.Links == nil {
		http.NotFound(w, r)
		return store.LinkToken{}, store.Org{}, false
	}
	check := h.cfg.Links.Check
	if redeem {
		check = h.cfg.Links.Redeem
	}
	t, err := check(r.Context(), r.PathValue("token"))
	var ref *linking.Refusal
	if errors.As(err, &ref) {
		status := http.StatusNotFound
		if ref == linking.ErrUsed || ref == linking.ErrExpired {
			status = http.StatusGone
		}
		h.cfg.Logger.InfoContext(r.Context(), "link refused", "reason", ref.Message)
		h.render(w, r, status, "error", pageData{Title: "Link not valid", Error: ref.Message})
		return store.LinkToken{}, store.Org{}, false
	}
	if err != nil {
		h.fail(w, r, "Link not valid", err)
		return store.LinkToken{}, store.Org{}, false
	}
	org, err := h.cfg.Store.OrgByID(r.Context(), t.OrgID)
	if err != nil {
		h.fail(w, r, "Link not valid", err)
		return store.LinkToken{}, store.Org{}, false
	}
	return t, org, true
}
