package admin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"

	"github.com/ssoconform/ssoconform/refapp/auth"
	"github.com/ssoconform/ssoconform/refapp/store"
)

// orgName is what an organization name may look like: it appears in URLs (/sso/{org}).
var orgName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)

// OrgInput describes a new organization and its first admin.
type OrgInput struct {
	Name          string
	Plan          string
	AdminEmail    string
	AdminPassword string
}

// CreateOrg creates an organization with one admin member who signs in with a password.
func (a *Admin) CreateOrg(ctx context.Context, in OrgInput) (store.Org, error) {
	if !orgName.MatchString(in.Name) {
		return store.Org{}, fmt.Errorf("create org: name %q must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit", in.Name)
	}
	plan := store.Plan(in.Plan)
	if !plan.Valid() {
		return store.Org{}, fmt.Errorf("create org: unknown plan %q (valid: free, pro, enterprise)", in.Plan)
	}
	email := strings.TrimSpace(in.AdminEmail)
	if !strings.Contains(email, "@") {
		return store.Org{}, fmt.Errorf("create org: admin email %q is not an email address", in.AdminEmail)
	}
	hash, err := auth.HashPassword(in.AdminPassword, a.cfg.PasswordCost)
	if err != nil {
		return store.Org{}, fmt.Errorf("create org: admin password: %w", err)
	}
	now := a.cfg.Now()
	orgID, err := auth.NewID(a.cfg.Rand)
	if err != nil {
		return store.Org{}, fmt.Errorf("create org: %w", err)
	}
	memberID, err := auth.NewID(a.cfg.Rand)
	if err != nil {
		return store.Org{}, fmt.Errorf("create org: %w", err)
	}
	org := store.Org{ID: orgID, Name: in.Name, Plan: plan, CreatedAt: now}
	if err := a.cfg.Store.CreateOrg(ctx, org); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return store.Org{}, fmt.Errorf("create org: an organization named %q already exists: %w", in.Name, err)
		}
		return store.Org{}, fmt.Errorf("create org: %w", err)
	}
	m := store.Member{ID: memberID, OrgID: orgID, Email: email, Role: store.RoleAdmin, PasswordHash: hash,
		Active: true, CreatedAt: now, UpdatedAt: now}
	if err := a.cfg.Store.CreateMember(ctx, m); err != nil {
		return store.Org{}, fmt.Errorf("create org admin: %w", err)
	}
	a.cfg.Logger.InfoContext(ctx, "organization created", slog.String("org", org.Name), slog.String("plan", string(plan)))
	return org, nil
}

// CreateAPIKey creates an organization API key with the given scopes and
// returns the key; it cannot be shown again.
func (a *Admin) CreateAPIKey(ctx context.Context, orgName string, scopes []string) (string, error) {
	return a.CreatePersonalAPIKey(ctx, orgName, "", scopes)
}

// CreatePersonalAPIKey creates an API key owned by the member of the
// organization with ownerEmail (an organization key when ownerEmail is empty)
// and returns the key; it cannot be shown again. A personal key acts with its
// owner's rights: for SCIM, the owner must be an active admin when the key is used.
func (a *Admin) CreatePersonalAPIKey(ctx context.Context, orgName, ownerEmail string, scopes []string) (string, error) {
	scopes, err := auth.ParseScopes(strings.Join(scopes, ","))
	if err != nil {
		return "", fmt.Errorf("create api key: %w", err)
	}
	org, err := a.org(ctx, orgName)
	if err != nil {
		return "", fmt.Errorf("create api key: %w", err)
	}
	key, rec, err := auth.NewAPIKey(a.cfg.Rand, org.ID, scopes, a.cfg.Now())
	if err != nil {
		return "", fmt.Errorf("create api key: %w", err)
	}
	if ownerEmail != "" {
		m, err := a.cfg.Store.MemberByEmail(ctx, org.ID, ownerEmail)
		if errors.Is(err, store.ErrNotFound) {
			return "", fmt.Errorf("create api key: organization %q has no member %q: %w", org.Name, ownerEmail, err)
		}
		if err != nil {
			return "", fmt.Errorf("create api key: %w", err)
		}
		rec.OwnerID = m.ID
	}
	if err := a.cfg.Store.CreateAPIKey(ctx, rec); err != nil {
		return "", fmt.Errorf("create api key: %w", err)
	}
	a.cfg.Logger.InfoContext(ctx, "api key created", slog.String("org", org.Name), slog.String("prefix", rec.Prefix),
		slog.Any("scopes", rec.Scopes), slog.Bool("personal", rec.OwnerID != ""))
	return key, nil
}

// AddAPIKey stores an organization API key chosen elsewhere (a scripted set-up's, see `refapp serve`
// REFAPP_BOOTSTRAP) with the given scopes: only its hash is kept, as for CreateAPIKey. It is idempotent:
// a key the organization already has is left as it is (added false). A key another organization holds
// is refused, and a malformed one too; neither error repeats the key.
func (a *Admin) AddAPIKey(ctx context.Context, orgName, key string, scopes []string) (added bool, err error) {
	scopes, err = auth.ParseScopes(strings.Join(scopes, ","))
	if err != nil {
		return false, fmt.Errorf("add api key: %w", err)
	}
	org, err := a.org(ctx, orgName)
	if err != nil {
		return false, fmt.Errorf("add api key: %w", err)
	}
	rec, err := auth.APIKeyRecord(a.cfg.Rand, key, org.ID, scopes, a.cfg.Now())
	if err != nil {
		return false, fmt.Errorf("add api key: %w", err)
	}
	switch held, err := a.cfg.Store.APIKeyByHash(ctx, rec.Hash); {
	case err == nil && held.OrgID == org.ID:
		return false, nil
	case err == nil:
		return false, fmt.Errorf("add api key %s...: another organization holds this key", rec.Prefix)
	case !errors.Is(err, store.ErrNotFound):
		return false, fmt.Errorf("add api key: %w", err)
	}
	if err := a.cfg.Store.CreateAPIKey(ctx, rec); err != nil {
		return false, fmt.Errorf("add api key: %w", err)
	}
	a.cfg.Logger.InfoContext(ctx, "api key added", slog.String("org", org.Name), slog.String("prefix", rec.Prefix),
		slog.Any("scopes", rec.Scopes))
	return true, nil
}

func (a *Admin) org(ctx context.Context, name string) (store.Org, error) {
	org, err := a.cfg.Store.OrgByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return store.Org{}, fmt.Errorf("no organization named %q: %w", name, err)
	}
	return org, err
}
