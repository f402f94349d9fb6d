package admin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"

	"github.com/ssoconform/ssoconform/refapp/auth"
	"github.com/ssoconform/ssoconform/refapp/store"
)

// MemberInput is a member added by an admin (the Members page or `refapp member add`).
type MemberInput struct {
	Org   string
	Email string
	Name  string
	Role  string // admin, member or viewer
	// Password is the initial password; empty for a member who signs in through SSO only (invited).
	Password string
}

// Audit event actions written by Admin.
const (
	ActionMemberAdd    = "member.add"
	ActionMemberRemove = "member.remove"
	ActionMemberRole   = "member.role"
	ActionSSOConfigure = "sso.configure"
	ActionSSOReset     = "sso.reset"
	ActionKeyCreate    = "apikey.create"
	ActionKeyRevoke    = "apikey.revoke"
)

// ErrLastAdmin is returned (wrapped) when a change would leave the organization without an admin.
var ErrLastAdmin = store.ErrLastAdmin

// AddMember creates a member; the audit log names Config.Actor.
func (a *Admin) AddMember(ctx context.Context, in MemberInput) (store.Member, error) {
	org, err := a.org(ctx, in.Org)
	if err != nil {
		return store.Member{}, fmt.Errorf("add member: %w", err)
	}
	email := strings.TrimSpace(in.Email)
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email {
		return store.Member{}, fmt.Errorf("add member: %q is not an email address", in.Email)
	}
	role := store.Role(in.Role)
	if !role.Valid() {
		return store.Member{}, fmt.Errorf("add member: unknown role %q (valid: admin, member, viewer)", in.Role)
	}
	var hash string
	if in.Password != "" {
		if hash, err = auth.HashPassword(in.Password, a.cfg.PasswordCost); err != nil {
			return store.Member{}, fmt.Errorf("add member: initial password: %w", err)
		}
	}
	id, err := auth.NewID(a.cfg.Rand)
	if err != nil {
		return store.Member{}, fmt.Errorf("add member: %w", err)
	}
	now := a.cfg.Now()
	m := store.Member{ID: id, OrgID: org.ID, Email: email, DisplayName: strings.TrimSpace(in.Name), Role: role,
		PasswordHash: hash, Active: true, CreatedAt: now, UpdatedAt: now}
	if err := a.cfg.Store.CreateMember(ctx, m); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return store.Member{}, fmt.Errorf("add member: %s is already a member of %s: %w", email, org.Name, err)
		}
		return store.Member{}, fmt.Errorf("add member: %w", err)
	}
	a.audit(ctx, org.ID, a.cfg.Actor, ActionMemberAdd, "success", fmt.Sprintf("%s added as %s", email, role))
	return m, nil
}

// ListMembers returns the organization's members, oldest first.
func (a *Admin) ListMembers(ctx context.Context, orgName string) ([]store.Member, error) {
	org, err := a.org(ctx, orgName)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	ms, err := a.cfg.Store.ListMembers(ctx, org.ID)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	return ms, nil
}

// member finds a member of the organization by email.
func (a *Admin) member(ctx context.Context, orgName, email string) (store.Org, store.Member, error) {
	org, err := a.org(ctx, orgName)
	if err != nil {
		return store.Org{}, store.Member{}, err
	}
	m, err := a.cfg.Store.MemberByEmail(ctx, org.ID, strings.TrimSpace(email))
	if errors.Is(err, store.ErrNotFound) {
		return store.Org{}, store.Member{}, fmt.Errorf("organization %q has no member %q: %w", org.Name, email, err)
	}
	return org, m, err
}

// RemoveMember removes the member with that email; it refuses to remove the last admin.
func (a *Admin) RemoveMember(ctx context.Context, orgName, email string) error {
	org, m, err := a.member(ctx, orgName, email)
	if err != nil {
		return fmt.Errorf("remove member: %w", err)
	}
	if err := a.cfg.Store.RemoveMember(ctx, org.ID, m.ID); err != nil {
		if errors.Is(err, store.ErrLastAdmin) {
			return fmt.Errorf("remove member: %s is the last admin of %s; make another member an admin first: %w",
				m.Email, org.Name, err)
		}
		return fmt.Errorf("remove member: %w", err)
	}
	a.audit(ctx, org.ID, a.cfg.Actor, ActionMemberRemove, "success", m.Email+" removed")
	return nil
}

// SetRole changes the role of the member with that email; it refuses to demote the last admin.
func (a *Admin) SetRole(ctx context.Context, orgName, email, role string) (store.Member, error) {
	r := store.Role(role)
	if !r.Valid() {
		return store.Member{}, fmt.Errorf("change role: unknown role %q (valid: admin, member, viewer)", role)
	}
	org, m, err := a.member(ctx, orgName, email)
	if err != nil {
		return store.Member{}, fmt.Errorf("change role: %w", err)
	}
	m, err = a.cfg.Store.SetMemberRole(ctx, org.ID, m.ID, r, a.cfg.Now())
	if err != nil {
		if errors.Is(err, store.ErrLastAdmin) {
			return store.Member{}, fmt.Errorf("change role: %s is the last admin of %s; make another member an admin first: %w",
				email, org.Name, err)
		}
		return store.Member{}, fmt.Errorf("change role: %w", err)
	}
	a.audit(ctx, org.ID, a.cfg.Actor, ActionMemberRole, "success", fmt.Sprintf("%s is now %s", m.Email, r))
	return m, nil
}

// audit appends an audit event; a failure is logged, never returned (the change itself is done).
func (a *Admin) audit(ctx context.Context, orgID, actor, action, outcome, detail string) {
	id, err := auth.NewID(a.cfg.Rand)
	if err == nil {
		err = a.cfg.Store.AppendAudit(ctx, store.AuditEvent{ID: id, OrgID: orgID, At: a.cfg.Now(), Actor: actor,
			Action: action, Outcome: outcome, Detail: detail})
	}
	if err != nil {
		a.cfg.Logger.ErrorContext(ctx, "audit event lost", slog.String("action", action), slog.Any("error", err))
	}
}

// Audit appends an audit event, by Config.Actor, for the organization with id orgID (for callers
// outside Admin, such as the settings pages); failures are logged.
func (a *Admin) Audit(ctx context.Context, orgID, action, outcome, detail string) {
	a.audit(ctx, orgID, a.cfg.Actor, action, outcome, detail)
}
