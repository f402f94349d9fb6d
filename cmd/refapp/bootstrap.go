package main

// The scripted start of `refapp serve`, for containers, where no shell runs `refapp org create` and
// friends: serve's flags come from the environment too, and a bootstrap document makes organizations,
// their SCIM keys and their SSO settings ready before the first request is served.
//
// Bootstrapping converges: run again on the same database (a container restarted on its volume), it
// creates what is missing and leaves what is there. An existing organization keeps its plan and admin;
// a key it already holds is not added twice; SSO settings equal to the stored ones are not saved again
// (saving sends the account-linking emails). Every input is read and checked before the database is
// touched, and no secret (password, key, client secret) is ever logged or repeated in an error.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/ssoconform/ssoconform/refapp/admin"
	"github.com/ssoconform/ssoconform/refapp/auth"
	"github.com/ssoconform/ssoconform/refapp/store"
)

// envPrefix names the environment variable of each serve flag: --base-url is REFAPP_BASE_URL.
const envPrefix = "REFAPP_"

// bootstrapEnv holds a bootstrap document inline (the --bootstrap-file flag names a file instead).
const bootstrapEnv = "REFAPP_BOOTSTRAP"

const bootstrapHelp = `
Every flag can come from the environment: REFAPP_ and the flag's name in capitals with '_' for '-'
(REFAPP_DB, REFAPP_BASE_URL, REFAPP_SCIM_RATE_LIMIT, ...); the command line wins. PORT, when set, means
--addr 127.0.0.1:$PORT and --base-url http://127.0.0.1:$PORT unless those are given.

A bootstrap document (JSON, in REFAPP_BOOTSTRAP or the file --bootstrap-file names) makes organizations
ready at start, for containers without a shell. Run again on the same database it only adds what is
missing. Each secret is given inline or as a file (a mounted secret):

  {"orgs": [{"name": "acme", "plan": "pro", "admin_email": "admin@acme.test",
             "admin_password_file": "/run/secrets/admin-password",
             "scim_keys": ["rk_...43 characters..."], "scim_key_files": ["/run/secrets/scim-key"],
             "sso": {"protocol": "oidc", "metadata_url": "https://acme.okta.com/.well-known/openid-configuration",
                     "client_id": "0oa...", "client_secret_file": "/run/secrets/client-secret",
                     "default_role": "member", "sync": true, "enforce": false}}]}

plan defaults to pro; an API key is rk_ and 43 base64url characters (generate one with
'printf rk_; head -c 32 /dev/urandom | base64 | tr +/ -_ | tr -d =' ); SAML takes "protocol": "saml",
"metadata_url" and optionally "entity_id". Without "sync": true, SCIM answers 403.
`

// serveUsage prints serve's flags and how the environment and the bootstrap document set them.
func serveUsage(fs *flag.FlagSet) func() {
	return func() {
		fmt.Fprintln(fs.Output(), "usage: refapp serve [flags]")
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), bootstrapHelp)
	}
}

// flagsFromEnv sets fs's flags from the environment before the command line is parsed (so the command
// line wins): PORT first, then REFAPP_<FLAG> for every flag.
func flagsFromEnv(fs *flag.FlagSet, lookup func(string) (string, bool)) error {
	if port, ok := lookup("PORT"); ok && port != "" {
		for name, v := range map[string]string{"addr": "127.0.0.1:" + port, "base-url": "http://127.0.0.1:" + port} {
			if fs.Lookup(name) == nil {
				continue
			}
			if err := fs.Set(name, v); err != nil {
				return fmt.Errorf("PORT %q: %w", port, err)
			}
		}
	}
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		name := envPrefix + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := lookup(name); ok {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
			}
		}
	})
	return errors.Join(errs...)
}

// bootstrapDoc is the bootstrap document (see bootstrapHelp).
type bootstrapDoc struct {
	Orgs []bootstrapOrg `json:"orgs"`
}

type bootstrapOrg struct {
	Name              string        `json:"name"`
	Plan              string        `json:"plan"`
	AdminEmail        string        `json:"admin_email"`
	AdminPassword     string        `json:"admin_password"`
	AdminPasswordFile string        `json:"admin_password_file"`
	SCIMKeys          []string      `json:"scim_keys"`
	SCIMKeyFiles      []string      `json:"scim_key_files"`
	SSO               *bootstrapSSO `json:"sso"`
}

type bootstrapSSO struct {
	Protocol         string `json:"protocol"`
	MetadataURL      string `json:"metadata_url"`
	ClientID         string `json:"client_id"`
	ClientSecret     string `json:"client_secret"`
	ClientSecretFile string `json:"client_secret_file"`
	EntityID         string `json:"entity_id"`
	DefaultRole      string `json:"default_role"`
	Sync             bool   `json:"sync"`
	Enforce          bool   `json:"enforce"`
}

// loadBootstrap reads the bootstrap document from REFAPP_BOOTSTRAP or from file, resolves the secret
// files and checks everything it can without the database. No document is (nil, nil).
func loadBootstrap(lookup func(string) (string, bool), file string) (*bootstrapDoc, error) {
	inline, hasInline := lookup(bootstrapEnv)
	hasInline = hasInline && strings.TrimSpace(inline) != ""
	var raw []byte
	switch {
	case hasInline && file != "":
		return nil, fmt.Errorf("bootstrap: %s and --bootstrap-file are both set; give one", bootstrapEnv)
	case hasInline:
		raw = []byte(inline)
	case file != "":
		var err error
		if raw, err = os.ReadFile(file); err != nil {
			return nil, fmt.Errorf("bootstrap: %w", err)
		}
	default:
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var doc bootstrapDoc
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("bootstrap: the document is not valid: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("bootstrap: the document is not valid: data after its end")
	}
	if len(doc.Orgs) == 0 {
		return nil, errors.New(`bootstrap: the document names no organization ("orgs" is empty)`)
	}
	seen := map[string]bool{}
	for i := range doc.Orgs {
		o := &doc.Orgs[i]
		if err := o.resolve(); err != nil {
			return nil, fmt.Errorf("bootstrap: orgs[%d] %q: %w", i, o.Name, err)
		}
		if seen[strings.ToLower(o.Name)] {
			return nil, fmt.Errorf("bootstrap: organization %q appears twice", o.Name)
		}
		seen[strings.ToLower(o.Name)] = true
	}
	return &doc, nil
}

// resolve reads the organization's secret files into the inline fields and checks what needs no
// database.
func (o *bootstrapOrg) resolve() error {
	if o.Name == "" || o.AdminEmail == "" {
		return errors.New(`"name" and "admin_email" are required`)
	}
	if o.Plan == "" {
		o.Plan = "pro"
	}
	var err error
	if o.AdminPassword, err = secret("admin_password", o.AdminPassword, o.AdminPasswordFile, true); err != nil {
		return err
	}
	for _, f := range o.SCIMKeyFiles {
		k, err := secret("scim_key_files", "", f, true)
		if err != nil {
			return err
		}
		o.SCIMKeys = append(o.SCIMKeys, k)
	}
	o.SCIMKeyFiles = nil
	for i, k := range o.SCIMKeys {
		if !auth.WellFormedAPIKey(k) {
			return fmt.Errorf("scim key %d is not a refapp API key: want %s followed by 43 base64url characters", i+1, auth.APIKeyPrefix)
		}
	}
	if s := o.SSO; s != nil {
		if s.ClientSecret, err = secret("sso.client_secret", s.ClientSecret, s.ClientSecretFile, s.Protocol == "oidc"); err != nil {
			return err
		}
		s.ClientSecretFile = ""
	}
	return nil
}

// secret is value, or the content of file (trailing newlines dropped). Exactly one may be given, and
// one must be when required.
func secret(name, value, file string, required bool) (string, error) {
	switch {
	case value != "" && file != "":
		return "", fmt.Errorf("%q and %q are both set; give one", name, name+"_file")
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("%s: %w", name, err)
		}
		value = strings.TrimRight(string(b), "\r\n")
		if value == "" {
			return "", fmt.Errorf("%s: file %s is empty", name, file)
		}
	case value == "" && required:
		return "", fmt.Errorf("%q or %q is required", name, name+"_file")
	}
	return value, nil
}

// applyBootstrap makes the document's organizations ready in st (see the file comment).
func applyBootstrap(ctx context.Context, st store.Store, doc *bootstrapDoc, logger *slog.Logger) error {
	if doc == nil {
		return nil
	}
	a, err := admin.New(admin.Config{Store: st, Logger: logger, Actor: "bootstrap", OnSSOSaved: inviteMembers(st)})
	if err != nil {
		return err
	}
	for _, o := range doc.Orgs {
		if err := applyOrg(ctx, a, st, o, logger); err != nil {
			return fmt.Errorf("bootstrap organization %s: %w", o.Name, err)
		}
	}
	logger.InfoContext(ctx, "bootstrap done", slog.Int("organizations", len(doc.Orgs)))
	return nil
}

func applyOrg(ctx context.Context, a *admin.Admin, st store.Store, o bootstrapOrg, logger *slog.Logger) error {
	org, err := st.OrgByName(ctx, o.Name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if org, err = a.CreateOrg(ctx, admin.OrgInput{Name: o.Name, Plan: o.Plan, AdminEmail: o.AdminEmail,
			AdminPassword: o.AdminPassword}); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		logger.InfoContext(ctx, "bootstrap: organization exists; its plan and admin are left as they are", slog.String("org", o.Name))
	}
	for i, k := range o.SCIMKeys {
		if _, err := a.AddAPIKey(ctx, o.Name, k, []string{auth.ScopeSCIM}); err != nil {
			return fmt.Errorf("scim key %d: %w", i+1, err)
		}
	}
	if o.SSO == nil {
		return nil
	}
	in := admin.SSOInput{Org: o.Name, Protocol: o.SSO.Protocol, MetadataURL: o.SSO.MetadataURL, ClientID: o.SSO.ClientID,
		ClientSecret: o.SSO.ClientSecret, EntityID: o.SSO.EntityID, DefaultRole: o.SSO.DefaultRole, Sync: o.SSO.Sync,
		Enforce: o.SSO.Enforce}
	cur, err := st.SSOConnection(ctx, org.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err == nil && sameSSO(cur, in) {
		logger.InfoContext(ctx, "bootstrap: SSO settings unchanged", slog.String("org", o.Name))
		return nil
	}
	return a.SetSSO(ctx, in)
}

// sameSSO reports whether the stored connection already says what in says.
func sameSSO(c store.SSOConnection, in admin.SSOInput) bool {
	same := c.Protocol == in.Protocol && c.MetadataURL == in.MetadataURL && string(c.DefaultRole) == in.DefaultRole &&
		c.SyncEnabled == in.Sync && c.Enforce == in.Enforce
	if in.Protocol == "oidc" {
		return same && c.ClientID == strings.TrimSpace(in.ClientID) && c.ClientSecret == in.ClientSecret
	}
	return same && (in.EntityID == "" || c.Issuer == in.EntityID)
}
