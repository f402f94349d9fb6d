package scimserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ssoconform/ssoconform/refapp/auth"
	"github.com/ssoconform/ssoconform/refapp/store"
)

const maxBody = 1 << 20

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, p principal) {
	in, err := decodeUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.create(r, p, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", s.location(m.ID))
	writeJSON(w, http.StatusCreated, s.resource(m))
}

func (s *Server) create(r *http.Request, p principal, in userInput) (store.Member, error) {
	ctx := r.Context()
	orgID := p.Org.ID
	if _, err := s.cfg.Store.MemberBySCIMUserName(ctx, orgID, in.UserName); err == nil {
		return store.Member{}, scimErr(http.StatusConflict, typeUniqueness, "a user with this userName already exists")
	} else if !errors.Is(err, store.ErrNotFound) {
		return store.Member{}, err
	}
	now := s.cfg.Now()
	addr, typ := in.primaryEmail()
	m, err := s.cfg.Store.MemberByEmail(ctx, orgID, addr)
	switch {
	case err == nil && m.SCIMUserName != "":
		return store.Member{}, scimErr(http.StatusConflict, typeUniqueness, "another user already has this email address")
	case err == nil: // link the existing member Okta has not pushed before
		applyInput(&m, in, addr, typ, now)
		return m, mapConflict(s.cfg.Store.UpdateMember(ctx, m))
	case !errors.Is(err, store.ErrNotFound):
		return store.Member{}, err
	}
	id, err := auth.NewID(s.cfg.Rand)
	if err != nil {
		return store.Member{}, err
	}
	m = store.Member{ID: id, OrgID: orgID, Role: s.defaultRole(r, orgID), Active: true, CreatedAt: now}
	applyInput(&m, in, addr, typ, now)
	return m, mapConflict(s.cfg.Store.CreateMember(ctx, m))
}

func applyInput(m *store.Member, in userInput, addr, typ string, now time.Time) {
	m.SCIMUserName = in.UserName
	m.ExternalID = in.ExternalID
	m.Email = addr
	m.EmailType = typ
	if d := in.displayName(); d != "" {
		m.DisplayName = d
	}
	if in.Name != nil {
		m.GivenName, m.FamilyName = in.Name.GivenName, in.Name.FamilyName
	}
	if in.Active != nil {
		m.Active = *in.Active
	}
	m.UpdatedAt = now
}

func mapConflict(err error) error {
	if errors.Is(err, store.ErrConflict) {
		return scimErr(http.StatusConflict, typeUniqueness, "a user with this userName or email already exists")
	}
	return err
}

func (s *Server) defaultRole(r *http.Request, orgID string) store.Role {
	c, err := s.cfg.Store.SSOConnection(r.Context(), orgID)
	if err != nil || !c.DefaultRole.Valid() {
		return store.RoleMember
	}
	return c.DefaultRole
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request, p principal) {
	m, err := s.cfg.Store.MemberByID(r.Context(), p.Org.ID, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || (err == nil && m.SCIMUserName == "") {
		s.writeError(w, r, scimErr(http.StatusNotFound, "", "no user with id "+r.PathValue("id")))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.resource(m))
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, p principal) {
	q := r.URL.Query()
	start, count, err := s.paging(q.Get("startIndex"), q.Get("count"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var members []store.Member
	total := 0
	if f := q.Get("filter"); f != "" {
		members, total, err = s.filtered(r, p, f, start, count)
	} else {
		members, total, err = s.cfg.Store.ListSCIMMembers(r.Context(), p.Org.ID, start-1, count)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp := listResponse{Schemas: []string{listSchema}, TotalResults: total, StartIndex: start,
		ItemsPerPage: len(members), Resources: []userResource{}}
	for _, m := range members {
		resp.Resources = append(resp.Resources, s.resource(m))
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) filtered(r *http.Request, p principal, f string, start, count int) ([]store.Member, int, error) {
	userName, err := userNameFilter(f)
	if err != nil {
		return nil, 0, err
	}
	m, err := s.cfg.Store.MemberBySCIMUserName(r.Context(), p.Org.ID, userName)
	if errors.Is(err, store.ErrNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	if start > 1 || count == 0 {
		return nil, 1, nil
	}
	return []store.Member{m}, 1, nil
}

// paging reads startIndex (1-based, default 1; below 1 means 1) and count
// (default and cap MaxPageSize; negative means 0), per RFC 7644 §3.4.2.4.
func (s *Server) paging(startRaw, countRaw string) (int, int, error) {
	start, count := 1, s.cfg.MaxPageSize
	if startRaw != "" {
		n, err := strconv.Atoi(startRaw)
		if err != nil {
			return 0, 0, scimErr(http.StatusBadRequest, typeInvalidValue, "startIndex must be an integer")
		}
		start = max(n, 1)
	}
	if countRaw != "" {
		n, err := strconv.Atoi(countRaw)
		if err != nil {
			return 0, 0, scimErr(http.StatusBadRequest, typeInvalidValue, "count must be an integer")
		}
		count = min(max(n, 0), s.cfg.MaxPageSize)
	}
	return start, count, nil
}

func decodeUser(r *http.Request) (userInput, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != mediaType && mt != "application/json") {
		return userInput{}, scimErr(http.StatusUnsupportedMediaType, "",
			"the request body must be application/scim+json or application/json")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return userInput{}, fmt.Errorf("read scim request body: %w", err)
	}
	if len(body) > maxBody {
		return userInput{}, scimErr(http.StatusRequestEntityTooLarge, "", "the request body is larger than 1 MiB")
	}
	var in userInput
	if err := json.Unmarshal(body, &in); err != nil {
		return userInput{}, &Error{Status: http.StatusBadRequest, ScimType: typeInvalidSyntax,
			Detail: "the request body is not a valid SCIM User JSON object", Cause: err}
	}
	if !slices.ContainsFunc(in.Schemas, func(s string) bool { return strings.EqualFold(s, userSchema) }) {
		return userInput{}, scimErr(http.StatusBadRequest, typeInvalidSyntax, "schemas must include "+userSchema)
	}
	if strings.TrimSpace(in.UserName) == "" {
		return userInput{}, scimErr(http.StatusBadRequest, typeInvalidValue, "userName is required")
	}
	return in, nil
}
