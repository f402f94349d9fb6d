// Package web serves refapp's browser pages and its small JSON API, with the
// wording of the product documentation: the login page ("Sign in", "Single
// Sign On (SSO)"), the organization-name page ("Organization name",
// "Continue"), the per-organization page ("Sign in with Okta"), the OIDC
// callback, the signed-in home page and GET /api/v1/me.
//
// Templates and CSS are embedded. Every state-changing route is wrapped in
// http.CrossOriginProtection. A failed SSO callback renders the error page
// (<main id="error"><h1>Sign-in failed</h1>...) with the oidcrp message and
// creates no session. SSO sign-ins over OIDC (/sso/oidc/callback) and SAML
// (/sso/saml/acs, then /sso/saml/finish in the starting browser) share one set
// of rules (signin.go): a linked identity (issuer + OIDC sub or SAML NameID)
// signs in as its member; account linking (beginSSO with a member id) links it
// to that member when the emails match; a SCIM-provisioned member with the email
// is linked on first use; any other existing member is refused and told to use
// the emailed link; someone new joins with the default role unless the org
// requires SSO. The name is sanitize.DisplayName of the IdP's name (SCIM's name
// wins when set). Sign-ins, links and refusals are audited (sso.signin,
// sso.link, sso.refused). Admins see the organization's teams (the SCIM groups)
// on the home page.
//
// Usage:
//
//	h, err := web.New(web.Config{Store: st, Sessions: sessions, RP: rp})
//	h.Mount(mux)
package web

import (
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/ssoconform/ssoconform/refapp/auth"
	"github.com/ssoconform/ssoconform/refapp/oidcrp"
	"github.com/ssoconform/ssoconform/refapp/samlsp"
	"github.com/ssoconform/ssoconform/refapp/store"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Store is the part of refapp's store the pages need.
type Store interface {
	OrgByID(ctx context.Context, id string) (store.Org, error)
	OrgByName(ctx context.Context, name string) (store.Org, error)
	SSOConnection(ctx context.Context, orgID string) (store.SSOConnection, error)
	MemberByEmail(ctx context.Context, orgID, email string) (store.Member, error)
	MembersByEmail(ctx context.Context, email string) ([]store.Member, error)
	CreateMember(ctx context.Context, m store.Member) error
	UpdateMember(ctx context.Context, m store.Member) error
	ListGroups(ctx context.Context, orgID string, q store.Query) ([]store.Group, int, error)
	MemberByID(ctx context.Context, orgID, id string) (store.Member, error)
	LinkIdentity(ctx context.Context, id store.Identity) error
	IdentityByKey(ctx context.Context, orgID, issuer, subject string) (store.Identity, error)
	MemberIdentities(ctx context.Context, orgID, memberID string) ([]store.Identity, error)
	AppendAudit(ctx context.Context, e store.AuditEvent) error
}

// Config configures a Handler.
type Config struct {
	Store    Store          // required
	Sessions *auth.Sessions // required
	RP       *oidcrp.RP     // required
	// SP is the SAML service provider. Default nil: organizations with a SAML connection cannot sign in.
	SP *samlsp.SP
	// Links checks and uses account-linking invitations (/account/link/{token}). Default nil: 404.
	Links Links
	// LoginLimit bounds password sign-in attempts. Default: see LoginLimit.
	LoginLimit LoginLimit
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Rand is the randomness for new member ids. Default crypto/rand.Reader.
	Rand io.Reader
	// Logger receives refusals and internal errors. Default: discard.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports a missing required field.
func (c Config) Validate() error {
	switch {
	case c.Store == nil:
		return errors.New("web config: Store is required")
	case c.Sessions == nil:
		return errors.New("web config: Sessions is required")
	case c.RP == nil:
		return errors.New("web config: RP is required")
	}
	return nil
}

// Handler serves the pages.
type Handler struct {
	cfg   Config
	pages map[string]*template.Template
	csrf  *http.CrossOriginProtection
	// limiter counts password sign-in attempts.
	limiter *limiter
}

// New checks cfg, parses the templates and returns a Handler.
func New(cfg Config) (*Handler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	h := &Handler{cfg: cfg.withDefaults(), pages: map[string]*template.Template{}, csrf: http.NewCrossOriginProtection(),
		limiter: newLimiter(cfg.LoginLimit)}
	for _, p := range []string{"login", "sso", "sso_org", "home", "error", "link"} {
		t, err := template.New(p).ParseFS(assets, "templates/layout.html", "templates/"+p+".html")
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", p, err)
		}
		h.pages[p] = t
	}
	return h, nil
}

// pageData is what every template sees.
type pageData struct {
	Title    string
	Error    string
	Email    string
	OrgName  string
	StartURL string
	Member   store.Member
	// Teams are the org's groups (pushed by SCIM), shown to admins on the home page.
	Teams []store.Group
	// IsAdmin says the signed-in member is an admin of the org.
	IsAdmin bool
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, page string, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := h.pages[page].ExecuteTemplate(w, "layout", d); err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "render page", slog.String("page", page), slog.Any("error", err))
	}
}

// fail renders the error page for an unexpected error, logging the cause.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, title string, err error) {
	h.cfg.Logger.ErrorContext(r.Context(), "request failed", slog.String("path", r.URL.Path), slog.Any("error", err))
	h.render(w, r, http.StatusInternalServerError, "error", pageData{Title: title,
		Error: "Something went wrong on our side. Please try again."})
}

func staticFS() http.Handler {
	sub, err := fs.Sub(assets, "static")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return http.StripPrefix("/static/", http.FileServerFS(sub))
}
