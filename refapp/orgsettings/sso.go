package orgsettings

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/ssoconform/ssoconform/refapp/admin"
	"github.com/ssoconform/ssoconform/refapp/defence"
	"github.com/ssoconform/ssoconform/refapp/store"
)

// upgradeMessage is what a free organization sees instead of the SSO settings.
const upgradeMessage = "Single Sign On (SSO) with Okta and SCIM provisioning are available on the Pro and " +
	"Enterprise plans. Upgrade your plan to connect Okta."

// savedNotice follows a successful save.
const savedNotice = "Settings saved. Every member who has not linked their Okta profile yet gets an email " +
	"asking them to confirm their account and link it."

// ssoPage is what the ORGANIZATION SETTINGS and OKTA AUTHENTICATION pages show.
type ssoPage struct {
	AllowsSSO bool
	Connected bool
	Conn      store.SSOConnection // never rendered whole: the template reads safe fields only
	View      admin.SSOView
	Form      ssoForm
	// SecretStored says a client secret is kept (the field may be left empty to keep it).
	SecretStored bool
}

// ssoForm is the OKTA AUTHENTICATION form, without the client secret (write-only).
type ssoForm struct {
	Protocol       string // oidc or saml
	DefaultRole    string
	ClientID       string
	MetadataURL    string // OIDC
	IdPMetadataURL string // SAML
	Enforce        bool
	Sync           bool
}

// ssoState loads the organization's connection and the Okta copy-in values.
func (h *Handler) ssoState(r *http.Request, org store.Org) (ssoPage, error) {
	s := ssoPage{AllowsSSO: org.Plan.AllowsSSO() || defence.Off(defence.PlanGate), Form: ssoForm{Protocol: "oidc", DefaultRole: string(store.RoleMember)}}
	c, err := h.cfg.Store.SSOConnection(r.Context(), org.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return ssoPage{}, err
	default:
		s.Connected, s.Conn = true, c
		s.SecretStored = c.Protocol == "oidc" && c.ClientSecret != ""
		s.Form = ssoForm{Protocol: c.Protocol, DefaultRole: string(c.DefaultRole), Enforce: c.Enforce, Sync: c.SyncEnabled}
		if c.Protocol == "saml" {
			s.Form.IdPMetadataURL = c.MetadataURL
		} else {
			s.Form.ClientID, s.Form.MetadataURL = c.ClientID, c.MetadataURL
		}
	}
	s.Conn.ClientSecret = "" // never reaches a template
	if s.View, err = h.cfg.Admin("").ShowSSO(r.Context(), org.Name, h.cfg.BaseURL); err != nil {
		return ssoPage{}, err
	}
	return s, nil
}

func (h *Handler) organization(w http.ResponseWriter, r *http.Request) {
	ac, ok := h.requireAdmin(w, r)
	if !ok {
		return
	}
	s, err := h.ssoState(r, ac.org)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := page{Title: "Organization", Section: "organization", Me: ac.me, Org: ac.org, SSO: s}
	if !s.AllowsSSO {
		p.Notice = upgradeMessage
	}
	h.render(w, r, http.StatusOK, "organization", p)
}

// connect is the drop-down's Connect button.
func (h *Handler) connect(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.requireAdmin(w, r); !ok {
		return
	}
	if p := r.URL.Query().Get("provider"); p != "okta" {
		http.Error(w, fmt.Sprintf("unknown SSO provider %q (supported: okta)", p), http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, "/settings/sso/okta", http.StatusSeeOther)
}

// oktaGate loads the admin and the SSO state; a free organization gets 403 with the upgrade message.
func (h *Handler) oktaGate(w http.ResponseWriter, r *http.Request) (adminCtx, ssoPage, bool) {
	ac, ok := h.requireAdmin(w, r)
	if !ok {
		return adminCtx{}, ssoPage{}, false
	}
	if !ac.org.Plan.AllowsSSO() && !defence.Off(defence.PlanGate) {
		h.render(w, r, http.StatusForbidden, "message", page{Title: "Okta authentication", Section: "organization",
			Me: ac.me, Org: ac.org, Error: upgradeMessage})
		return adminCtx{}, ssoPage{}, false
	}
	s, err := h.ssoState(r, ac.org)
	if err != nil {
		h.fail(w, r, err)
		return adminCtx{}, ssoPage{}, false
	}
	return ac, s, true
}

func (h *Handler) oktaPage(w http.ResponseWriter, r *http.Request) {
	ac, s, ok := h.oktaGate(w, r)
	if !ok {
		return
	}
	p := page{Title: "Okta authentication", Section: "organization", Me: ac.me, Org: ac.org, SSO: s,
		Roles: roles}
	switch r.URL.Query().Get("saved") {
	case "1":
		p.Notice = savedNotice
	case "nomail":
		p.Error = "Settings saved, but the account-linking emails could not be queued. Save again to retry."
	}
	h.render(w, r, http.StatusOK, "okta", p)
}

var roles = []store.Role{store.RoleAdmin, store.RoleMember, store.RoleViewer}

func (h *Handler) oktaSave(w http.ResponseWriter, r *http.Request) {
	ac, s, ok := h.oktaGate(w, r)
	if !ok {
		return
	}
	f := ssoForm{Protocol: r.PostFormValue("protocol"), DefaultRole: r.PostFormValue("default_role"),
		ClientID: strings.TrimSpace(r.PostFormValue("client_id")), MetadataURL: strings.TrimSpace(r.PostFormValue("metadata_url")),
		IdPMetadataURL: strings.TrimSpace(r.PostFormValue("idp_metadata_url")),
		Enforce:        r.PostFormValue("enforce") == "on", Sync: r.PostFormValue("sync") == "on"}
	f = selfTestBreaks(f, s.Form)
	in := admin.SSOInput{Org: ac.org.Name, Protocol: f.Protocol, DefaultRole: f.DefaultRole, Enforce: f.Enforce, Sync: f.Sync}
	var err error
	switch f.Protocol {
	case "oidc":
		in.MetadataURL, in.ClientID, in.ClientSecret = f.MetadataURL, f.ClientID, r.PostFormValue("client_secret")
		if in.ClientSecret == "" && s.SecretStored {
			in.ClientSecret = h.storedSecret(r, ac.org)
		}
	case "saml":
		in.MetadataURL = f.IdPMetadataURL
	default:
		err = errors.New("select the OIDC or SAML protocol")
	}
	if err == nil {
		err = h.cfg.Admin(ac.me.Email).SetSSO(r.Context(), in)
	}
	if err != nil && strings.Contains(err.Error(), "saved, but") { // saved; the linking emails failed
		h.cfg.Logger.ErrorContext(r.Context(), "sso saved, linking emails not queued", "error", err)
		http.Redirect(w, r, "/settings/sso/okta?saved=nomail", http.StatusSeeOther)
		return
	}
	if err != nil {
		s.Form = f
		h.render(w, r, http.StatusUnprocessableEntity, "okta", page{Title: "Okta authentication", Section: "organization",
			Me: ac.me, Org: ac.org, SSO: s, Roles: roles,
			Error: "Settings not saved; the previous settings are unchanged. " + publicError(err)})
		return
	}
	http.Redirect(w, r, "/settings/sso/okta?saved=1", http.StatusSeeOther)
}

// storedSecret is the connection's current client secret ("" when none).
func (h *Handler) storedSecret(r *http.Request, org store.Org) string {
	c, err := h.cfg.Store.SSOConnection(r.Context(), org.ID)
	if err != nil || c.Protocol != "oidc" {
		return ""
	}
	return c.ClientSecret
}

// selfTestBreaks makes the page forget the admin's Default Role or protocol choice, keeping what was
// saved before, when a self-test build switched that defence off (refapp/defence); otherwise f as is.
func selfTestBreaks(f, saved ssoForm) ssoForm {
	if defence.Off(defence.SettingsDefaultRole) {
		f.DefaultRole = saved.DefaultRole
	}
	if defence.Off(defence.SettingsSAML) && f.Protocol == "saml" && saved.Protocol != "saml" {
		f.Protocol, f.MetadataURL = saved.Protocol, saved.MetadataURL
	}
	return f
}
