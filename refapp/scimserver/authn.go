package scimserver

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/ssoconform/ssoconform/refapp/auth"
	"github.com/ssoconform/ssoconform/refapp/store"
)

// principal is the authenticated caller: an API key and its organization.
type principal struct {
	Key store.APIKey
	Org store.Org
}

type authedHandler func(w http.ResponseWriter, r *http.Request, p principal)

// authed checks the Bearer API key, its scim scope and the org's plan.
func (s *Server) authed(h authedHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.authenticate(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		h(w, r, p)
	})
}

func (s *Server) authenticate(r *http.Request) (principal, error) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return principal{}, scimErr(http.StatusUnauthorized, "", "a Bearer API key with the scim scope is required")
	}
	k, err := auth.AuthenticateAPIKey(r.Context(), s.cfg.Store, strings.TrimSpace(token))
	if errors.Is(err, auth.ErrInvalidAPIKey) {
		return principal{}, scimErr(http.StatusUnauthorized, "", "the API key is not valid")
	}
	if err != nil {
		return principal{}, err
	}
	if !auth.HasScope(k, auth.ScopeSCIM) {
		return principal{}, scimErr(http.StatusUnauthorized, "", "the API key lacks the scim scope")
	}
	org, err := s.cfg.Store.OrgByID(r.Context(), k.OrgID)
	if err != nil {
		return principal{}, fmt.Errorf("load api key org: %w", err)
	}
	if !org.Plan.AllowsSSO() {
		return principal{}, scimErr(http.StatusForbidden, "",
			fmt.Sprintf("SCIM provisioning needs the pro or enterprise plan; organization %s is on %s", org.Name, org.Plan))
	}
	return principal{Key: k, Org: org}, nil
}
