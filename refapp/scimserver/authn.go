package scimserver

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/ssoconform/ssoconform/refapp/auth"
	"github.com/ssoconform/ssoconform/refapp/defence"
	"github.com/ssoconform/ssoconform/refapp/store"
)

// principal is the authenticated caller: an API key, its organization and the
// organization's SSO connection (for the default role).
type principal struct {
	Key  store.APIKey
	Org  store.Org
	Conn store.SSOConnection
}

type authedHandler func(w http.ResponseWriter, r *http.Request, p principal)

// authed checks the caller (authenticate) before running h. A panic becomes
// a logged 500 in the SCIM Error schema rather than a dropped connection.
func (s *Server) authed(h authedHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				s.writeError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		p, err := s.authenticate(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		h(w, r, p)
	})
}

// authenticate checks, in order: a Bearer API key that exists (401), its rate
// (429), its scim scope (403), the org's plan (403), a personal key's owner
// (401 when gone or inactive, 403 when not an admin), and the org's SSO
// connection with sync on (403).
func (s *Server) authenticate(r *http.Request) (principal, error) {
	ctx := r.Context()
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return principal{}, scimErr(http.StatusUnauthorized, "", "a Bearer API key with the scim scope is required")
	}
	token = strings.TrimSpace(token)
	if !auth.WellFormedAPIKey(token) {
		return principal{}, scimErr(http.StatusUnauthorized, "", "the API key is not valid")
	}
	g, err := s.cfg.Store.KeyGrant(ctx, auth.Hash(token)) // key, org and connection in one read
	if errors.Is(err, store.ErrNotFound) {
		return principal{}, scimErr(http.StatusUnauthorized, "", "the API key is not valid")
	}
	if err != nil {
		return principal{}, fmt.Errorf("authenticate api key: %w", err)
	}
	k, org, conn := g.Key, g.Org, g.Conn
	s.touch(ctx, k.ID)
	if ok, wait := s.limiter.allow(k.ID, s.cfg.Now()); !ok {
		return principal{}, &Error{Status: http.StatusTooManyRequests, RetryAfter: wait,
			Detail: fmt.Sprintf("too many requests with this API key; retry in %d s", wait)}
	}
	if !auth.HasScope(k, auth.ScopeSCIM) && !defence.Off(defence.SCIMScope) {
		return principal{}, scimErr(http.StatusForbidden, "", "the API key lacks the scim scope")
	}
	if !org.Plan.AllowsSSO() && !defence.Off(defence.PlanGate) {
		return principal{}, scimErr(http.StatusForbidden, "",
			fmt.Sprintf("SCIM provisioning needs the pro or enterprise plan; organization %s is on %s", org.Name, org.Plan))
	}
	if err := s.checkOwner(r, k); err != nil {
		return principal{}, err
	}
	if !g.HasConn {
		return principal{}, scimErr(http.StatusForbidden, "", "SCIM provisioning needs Single Sign On (SSO) set up for the organization")
	}
	if !conn.SyncEnabled && !defence.Off(defence.SyncToggle) {
		return principal{}, scimErr(http.StatusForbidden, "",
			`SCIM provisioning is off: turn on "Sync the group & users from your SSO provider" in the organization settings`)
	}
	return principal{Key: k, Org: org, Conn: conn}, nil
}

// checkOwner lets organization keys through, and personal keys whose owner is an active admin.
func (s *Server) checkOwner(r *http.Request, k store.APIKey) error {
	if k.OwnerID == "" {
		return nil
	}
	m, err := s.cfg.Store.MemberByID(r.Context(), k.OrgID, k.OwnerID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !m.Active) {
		return scimErr(http.StatusUnauthorized, "", "the API key's owner is no longer an active member")
	}
	if err != nil {
		return fmt.Errorf("load api key owner: %w", err)
	}
	if m.Role != store.RoleAdmin {
		return scimErr(http.StatusForbidden, "", "a personal API key needs its owner to be an admin of the organization for SCIM")
	}
	return nil
}
