package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/ssoconform/ssoconform/refapp/defence"
	"github.com/ssoconform/ssoconform/refapp/refusal"

	"github.com/ssoconform/ssoconform/refapp/auth"
	"github.com/ssoconform/ssoconform/refapp/sanitize"
	"github.com/ssoconform/ssoconform/refapp/store"
)

// ssoIdentity is a verified SSO sign-in, whatever the protocol.
type ssoIdentity struct {
	OrgID             string
	Protocol          string // "oidc" or "saml"
	Issuer            string // OIDC issuer or SAML IdP entity ID
	Subject           string // OIDC sub or SAML NameID
	Email             string
	Name              string // name claim, SAML displayName or first + last
	PreferredUsername string // OIDC preferred_username
	LinkMemberID      string // account linking: the member to link to
}

// displayName is the sanitized name the member is shown and signed in as.
func (id ssoIdentity) displayName() string {
	name := id.Name
	if strings.TrimSpace(name) == "" {
		name = id.PreferredUsername
	}
	return sanitize.DisplayName(name, id.Email)
}

// refused is a sign-in rule's refusal: shown on the error page, audited as sso.refused.
func refused(status int, format string, args ...any) *refusal.Error {
	return refusal.New(status, nil, format, args...)
}

// signInSSO applies the sign-in rules to a verified identity and, when they let it in, starts a session:
//
//   - account linking (LinkMemberID set): the identity is linked to that member when the emails match;
//   - an identity already linked signs in as its member;
//   - a SCIM-provisioned member with the identity's email is linked on first use and signs in;
//   - any other existing member with that email is refused (they must use the link emailed to them);
//   - someone new joins with the default role (just in time), unless the org enforces SSO.
func (h *Handler) signInSSO(w http.ResponseWriter, r *http.Request, id ssoIdentity) {
	ctx := r.Context()
	m, action, err := h.ssoMember(ctx, id)
	if err != nil {
		h.signInFailed(w, r, id.OrgID, err)
		return
	}
	if err := h.cfg.Sessions.Start(ctx, w, m, id.Protocol); err != nil {
		h.signInFailed(w, r, id.OrgID, err)
		return
	}
	h.audit(ctx, id.OrgID, "okta:"+id.Subject, "sso.signin", "success",
		fmt.Sprintf("%s sign-in as %s (%s)", strings.ToUpper(id.Protocol), m.Email, action))
	h.cfg.Logger.InfoContext(ctx, "sso login", slog.String("org_id", m.OrgID), slog.String("member_id", m.ID),
		slog.String("protocol", id.Protocol), slog.String("how", action))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// ssoMember finds or creates the member the identity signs in as, and says how.
func (h *Handler) ssoMember(ctx context.Context, id ssoIdentity) (store.Member, string, error) {
	if defence.Off(defence.RequireSSOMembers) {
		if conn, err := h.cfg.Store.SSOConnection(ctx, id.OrgID); err == nil && conn.Enforce {
			return store.Member{}, "", refused(http.StatusForbidden, "This organization requires SSO.")
		}
	}
	if id.LinkMemberID != "" {
		m, err := h.linkMember(ctx, id)
		return m, "account linked", err
	}
	link, err := h.cfg.Store.IdentityByKey(ctx, id.OrgID, id.Issuer, id.Subject)
	switch {
	case err == nil:
		m, err := h.cfg.Store.MemberByID(ctx, id.OrgID, link.MemberID)
		if err != nil {
			return store.Member{}, "", fmt.Errorf("find linked member: %w", err)
		}
		m, err = h.activeMember(ctx, m, id)
		return m, "linked identity", err
	case !errors.Is(err, store.ErrNotFound):
		return store.Member{}, "", fmt.Errorf("find linked identity: %w", err)
	}
	m, err := h.cfg.Store.MemberByEmail(ctx, id.OrgID, id.Email)
	switch {
	case err == nil && m.SCIMUserName != "":
		if m, err = h.activeMember(ctx, m, id); err != nil {
			return store.Member{}, "", err
		}
		if err := h.link(ctx, m, id); err != nil {
			return store.Member{}, "", err
		}
		return m, "provisioned by Okta, linked on first sign-in", nil
	case err == nil:
		return store.Member{}, "", refused(http.StatusForbidden,
			"An account with the email %s already exists in this organization but is not linked to Okta yet. "+
				"Use the link emailed to you to confirm and link your Okta account, then sign in again.", id.Email)
	case !errors.Is(err, store.ErrNotFound):
		return store.Member{}, "", fmt.Errorf("find sso member: %w", err)
	}
	conn, err := h.cfg.Store.SSOConnection(ctx, id.OrgID)
	if err != nil {
		return store.Member{}, "", fmt.Errorf("find sso connection: %w", err)
	}
	if conn.Enforce && !defence.Off(defence.RequireSSO) {
		return store.Member{}, "", refused(http.StatusForbidden,
			"This organization requires SSO and only lets in current members whose Okta account is linked. "+
				"%s is not a member; ask your administrator to add you.", id.Email)
	}
	m, err = h.createSSOMember(ctx, id, conn.DefaultRole)
	return m, "joined just in time", err
}

// linkMember links the identity to the member named by the account-linking flow.
func (h *Handler) linkMember(ctx context.Context, id ssoIdentity) (store.Member, error) {
	m, err := h.cfg.Store.MemberByID(ctx, id.OrgID, id.LinkMemberID)
	if errors.Is(err, store.ErrNotFound) {
		return store.Member{}, refused(http.StatusForbidden, "The account this link was for no longer exists.")
	}
	if err != nil {
		return store.Member{}, fmt.Errorf("find member to link: %w", err)
	}
	if !strings.EqualFold(m.Email, id.Email) {
		return store.Member{}, refused(http.StatusForbidden,
			"Your Okta account's email (%s) does not match the email of the account this link was sent to, so they were not linked.", id.Email)
	}
	if m, err = h.activeMember(ctx, m, id); err != nil {
		return store.Member{}, err
	}
	if err := h.link(ctx, m, id); err != nil {
		return store.Member{}, err
	}
	h.audit(ctx, id.OrgID, m.Email, "sso.link", "success", "linked Okta identity "+id.Subject+" by the emailed link")
	return m, nil
}

// link records that the identity signs in as m.
func (h *Handler) link(ctx context.Context, m store.Member, id ssoIdentity) error {
	err := h.cfg.Store.LinkIdentity(ctx, store.Identity{OrgID: id.OrgID, MemberID: m.ID, Issuer: id.Issuer,
		Subject: id.Subject, Protocol: id.Protocol, CreatedAt: h.cfg.Now()})
	if errors.Is(err, store.ErrConflict) {
		return refused(http.StatusForbidden, "This Okta account is already linked to another member of this organization.")
	}
	if err != nil {
		return fmt.Errorf("link identity: %w", err)
	}
	return nil
}

// activeMember refuses a deactivated member and keeps the SSO name when the member has none.
func (h *Handler) activeMember(ctx context.Context, m store.Member, id ssoIdentity) (store.Member, error) {
	if !m.Active {
		return store.Member{}, refused(http.StatusForbidden,
			"Your account in this organization is deactivated. Ask your administrator to reactivate it.")
	}
	if m.DisplayName == "" {
		m.DisplayName, m.UpdatedAt = id.displayName(), h.cfg.Now()
		if err := h.cfg.Store.UpdateMember(ctx, m); err != nil {
			return store.Member{}, fmt.Errorf("keep sso name: %w", err)
		}
	}
	return m, nil
}

func (h *Handler) createSSOMember(ctx context.Context, id ssoIdentity, role store.Role) (store.Member, error) {
	if !role.Valid() || defence.Off(defence.DefaultRole) {
		role = store.RoleMember
	}
	memberID, err := auth.NewID(h.cfg.Rand)
	if err != nil {
		return store.Member{}, fmt.Errorf("create sso member: %w", err)
	}
	now := h.cfg.Now()
	m := store.Member{ID: memberID, OrgID: id.OrgID, Email: id.Email, DisplayName: id.displayName(), Role: role,
		Active: true, CreatedAt: now, UpdatedAt: now}
	if err := h.cfg.Store.CreateMember(ctx, m); err != nil {
		if errors.Is(err, store.ErrConflict) { // created concurrently by another sign-in or a SCIM push
			return store.Member{}, refused(http.StatusConflict, "Your account was being created at the same time; sign in again.")
		}
		return store.Member{}, fmt.Errorf("create sso member: %w", err)
	}
	if err := h.link(ctx, m, id); err != nil {
		return store.Member{}, err
	}
	return m, nil
}

// signInFailed renders the "Sign-in failed" page: refusals show their message and are audited as
// sso.refused for the org (when known); anything else shows a generic message.
func (h *Handler) signInFailed(w http.ResponseWriter, r *http.Request, orgID string, err error) {
	status, msg := 0, ""
	if re, ok := errors.AsType[*refusal.Error](err); ok {
		status, msg = re.Status, re.Message
	}
	if orgID != "" {
		detail := msg
		if detail == "" {
			detail = "internal error"
		}
		h.audit(r.Context(), orgID, "okta", "sso.refused", "failure", detail)
	}
	if status == 0 {
		h.fail(w, r, "Sign-in failed", err)
		return
	}
	h.cfg.Logger.InfoContext(r.Context(), "sso login refused", slog.Int("status", status), slog.Any("error", err))
	h.render(w, r, status, "error", pageData{Title: "Sign-in failed", Error: msg})
}

// audit appends an audit event; a failure to write it is logged, never shown.
func (h *Handler) audit(ctx context.Context, orgID, actor, action, outcome, detail string) {
	id, err := auth.NewID(h.cfg.Rand)
	if err == nil {
		err = h.cfg.Store.AppendAudit(ctx, store.AuditEvent{ID: id, OrgID: orgID, At: h.cfg.Now(), Actor: actor,
			Action: action, Outcome: outcome, Detail: detail})
	}
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "append audit", slog.String("action", action), slog.Any("error", err))
	}
}
