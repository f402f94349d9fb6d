// Package orgsettings serves the signed-in admin's organization pages, with the product
// documentation's wording: a left pane with "Organization", "Members", "API keys" and "Audit log";
// ORGANIZATION SETTINGS (the plan, and the "Single sign on (SSO) Authentication" drop-down with Okta and
// Connect); the OKTA AUTHENTICATION page (Default Role, protocol OIDC or SAML, Client ID, Client Secret,
// Metadata URL, Identity Provider Metadata URL, "Require your organization members to use SSO to access
// NeuraLegion", "Sync the group & users from your SSO provider to NeuraLegion", Save settings, and what
// the admin copies into Okta); members (add, remove, change role); API keys (organization and personal,
// with scopes, shown once, listed with prefix and last use, revocable); and the audit log, newest first.
//
// Every page needs a signed-in admin of the organization (others: 303 /login, or 403). Every POST goes
// through http.CrossOriginProtection. A free organization sees an upgrade message instead of the SSO
// settings, and the Okta page answers 403. The client secret is write-only: it is never rendered back,
// and saving with the field empty keeps the stored one. Saving goes through admin.SetSSO, which checks
// the metadata and keeps the previous connection when anything fails; its message is shown as is.
//
// Usage:
//
//	h, err := orgsettings.New(orgsettings.Config{Store: st, Sessions: sessions, Admin: adm, BaseURL: base})
//	h.Mount(mux)
package orgsettings

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/ssoconform/ssoconform/refapp/admin"
	"github.com/ssoconform/ssoconform/refapp/auth"
	"github.com/ssoconform/ssoconform/refapp/store"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Store is the part of refapp's store the pages read directly (changes go through Admin).
type Store interface {
	OrgByID(ctx context.Context, id string) (store.Org, error)
	SSOConnection(ctx context.Context, orgID string) (store.SSOConnection, error)
	ListMembers(ctx context.Context, orgID string) ([]store.Member, error)
	ListAPIKeys(ctx context.Context, orgID string) ([]store.APIKeyUse, error)
	ListAudit(ctx context.Context, orgID string, limit int) ([]store.AuditEvent, error)
}

// Config configures a Handler.
type Config struct {
	// Store is read for the pages. Required.
	Store Store
	// Sessions finds the signed-in member. Required.
	Sessions *auth.Sessions
	// Admin returns the Admin that performs changes for the signed-in admin actor (an email): it writes
	// the audit events in their name. Required.
	Admin func(actor string) *admin.Admin
	// BaseURL is the app's external URL, for what the admin copies into Okta. Required.
	BaseURL string
	// Invite queues account-linking emails for the given members of the org (none: every member).
	// Default: nil, no invitations from the Members page.
	Invite func(ctx context.Context, orgID string, memberIDs ...string) (int, error)
	// Logger receives internal errors. Default: discard.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	return c
}

// Validate reports a missing required field.
func (c Config) Validate() error {
	switch {
	case c.Store == nil:
		return errors.New("orgsettings config: Store is required")
	case c.Sessions == nil:
		return errors.New("orgsettings config: Sessions is required")
	case c.Admin == nil:
		return errors.New("orgsettings config: Admin is required")
	case c.BaseURL == "":
		return errors.New("orgsettings config: BaseURL is required")
	}
	return nil
}

// Handler serves the pages.
type Handler struct {
	cfg   Config
	pages map[string]*template.Template
	csrf  *http.CrossOriginProtection
}

// New checks cfg, parses the templates and returns a Handler.
func New(cfg Config) (*Handler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	h := &Handler{cfg: cfg.withDefaults(), pages: map[string]*template.Template{}, csrf: http.NewCrossOriginProtection()}
	funcs := template.FuncMap{"when": when, "join": strings.Join}
	for _, p := range []string{"organization", "okta", "members", "keys", "audit", "message"} {
		t, err := template.New(p).Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/"+p+".html")
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", p, err)
		}
		h.pages[p] = t
	}
	return h, nil
}

// when formats a time for the tables ("Never" for the zero time).
func when(t time.Time) string {
	if t.IsZero() {
		return "Never"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// page is what every template sees.
type page struct {
	Title   string
	Section string // the left pane's current entry
	Me      store.Member
	Org     store.Org
	Error   string
	Notice  string

	SSO      ssoPage
	Members  []store.Member
	Keys     []keyRow
	NewKey   string
	Events   []store.AuditEvent
	Roles    []store.Role
	Scopes   []string
	AddInput addMemberForm
}

// admin is the signed-in admin and their organization.
type adminCtx struct {
	me  store.Member
	org store.Org
}

// requireAdmin finds the signed-in admin; otherwise it answers (303 /login or 403) and returns false.
func (h *Handler) requireAdmin(w http.ResponseWriter, r *http.Request) (adminCtx, bool) {
	_, m, err := h.cfg.Sessions.Lookup(r.Context(), r)
	if errors.Is(err, auth.ErrNoSession) {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return adminCtx{}, false
	}
	if err != nil {
		h.fail(w, r, err)
		return adminCtx{}, false
	}
	org, err := h.cfg.Store.OrgByID(r.Context(), m.OrgID)
	if err != nil {
		h.fail(w, r, err)
		return adminCtx{}, false
	}
	if m.Role != store.RoleAdmin {
		h.render(w, r, http.StatusForbidden, "message", page{Title: "Organization", Me: m, Org: org,
			Error: "Only admins of the organization can open its settings."})
		return adminCtx{}, false
	}
	return adminCtx{me: m, org: org}, true
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	if p.Me.DisplayName == "" {
		p.Me.DisplayName = p.Me.Email
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := h.pages[name].ExecuteTemplate(w, "layout", p); err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "render page", slog.String("page", name), slog.Any("error", err))
	}
}

// fail renders a generic error for an unexpected error, logging the cause.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.cfg.Logger.ErrorContext(r.Context(), "request failed", slog.String("path", r.URL.Path), slog.Any("error", err))
	h.render(w, r, http.StatusInternalServerError, "message", page{Title: "Error",
		Error: "Something went wrong on our side. Please try again."})
}

// publicError is the part of an admin error worth showing: the text after the operation's prefix.
func publicError(err error) string {
	msg := err.Error()
	for _, p := range []string{"set sso: ", "add member: ", "remove member: ", "change role: ", "create api key: ",
		"revoke api key: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	for _, sentinel := range []error{store.ErrConflict, store.ErrNotFound, store.ErrLastAdmin} {
		msg = strings.TrimSuffix(msg, ": "+sentinel.Error())
	}
	if msg != "" {
		msg = strings.ToUpper(msg[:1]) + msg[1:]
	}
	return msg
}

func staticFS() http.Handler {
	sub, err := fs.Sub(assets, "static")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return http.StripPrefix("/settings/static/", http.FileServerFS(sub))
}
