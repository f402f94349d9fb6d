package scimserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/ssoconform/ssoconform/refapp/auth"
	"github.com/ssoconform/ssoconform/refapp/defence"
	"github.com/ssoconform/ssoconform/refapp/store"
)

func userNotFound(id string) *Error {
	return scimErr(http.StatusNotFound, "", fmt.Sprintf("no user with id %q", id))
}

// storeErr maps the store's sentinel errors to SCIM errors; others stay internal.
func storeErr(err error, notFound *Error, what string) error {
	switch {
	case errors.Is(err, store.ErrNotFound) && notFound != nil:
		return notFound
	case errors.Is(err, store.ErrConflict):
		return scimErr(http.StatusConflict, typeUniqueness, what)
	case errors.Is(err, store.ErrInvalidReference):
		return badRequest(typeInvalidValue, "every member value must be the id of a user of this organization")
	}
	return err
}

const userConflict = "another user of this organization already has this userName or email"

func (s *Server) decodeUser(r *http.Request) (userInput, error) {
	body, err := s.readBody(r)
	if err != nil {
		return userInput{}, err
	}
	var in userInput
	if err := decodeInto(body, &in, "SCIM User"); err != nil {
		return userInput{}, err
	}
	if !hasSchema(in.Schemas, userSchema) {
		return userInput{}, badRequest(typeInvalidSyntax, "schemas must include "+userSchema)
	}
	return in, nil
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, p principal) {
	in, err := s.decodeUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id, err := auth.NewID(s.cfg.Rand)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.cfg.Now()
	role := p.Conn.DefaultRole
	if !role.Valid() || defence.Off(defence.DefaultRole) {
		role = store.RoleMember
	}
	m := store.Member{ID: id, OrgID: p.Org.ID, Role: role, Active: true, CreatedAt: now}
	if err := in.apply(&m, now); err != nil {
		s.writeError(w, r, err)
		return
	}
	if m, err = s.cfg.Store.ProvisionMember(r.Context(), m); err != nil {
		s.writeError(w, r, storeErr(err, nil, userConflict))
		return
	}
	w.Header().Set("Location", s.location("Users", m.ID))
	writeJSON(w, http.StatusCreated, s.userResource(m))
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request, p principal) {
	id := r.PathValue("id")
	m, err := s.cfg.Store.MemberByID(r.Context(), p.Org.ID, id)
	if err == nil && m.SCIMUserName == "" {
		err = store.ErrNotFound
	}
	if err != nil {
		s.writeError(w, r, storeErr(err, userNotFound(id), userConflict))
		return
	}
	writeJSON(w, http.StatusOK, s.userResource(m))
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, p principal) {
	q, start, err := s.listQuery(r, userDef, userFilterAttrs)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ms, total, err := s.cfg.Store.ListSCIMMembers(r.Context(), p.Org.ID, q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp := listResponse{Schemas: []string{listSchema}, TotalResults: total, StartIndex: start,
		ItemsPerPage: len(ms), Resources: make([]any, 0, len(ms))}
	for _, m := range ms {
		resp.Resources = append(resp.Resources, s.userResource(m))
	}
	writeJSON(w, http.StatusOK, resp)
}

// replaceUser is PUT: the body replaces the user's attributes (id and meta
// are readOnly and ignored; an absent active keeps the current state).
func (s *Server) replaceUser(w http.ResponseWriter, r *http.Request, p principal) {
	in, err := s.decodeUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.modifyUser(w, r, p, func(m *store.Member) error { return in.apply(m, s.cfg.Now()) })
}

// patchUser runs the operations on the user's current representation, then
// saves the result as a PUT would.
func (s *Server) patchUser(w http.ResponseWriter, r *http.Request, p principal) {
	body, err := s.readBody(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ops, err := decodePatch(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.modifyUser(w, r, p, func(m *store.Member) error {
		doc, err := toDoc(s.userResource(*m))
		if err != nil {
			return err
		}
		if err := userDef.patch(doc, ops); err != nil {
			return err
		}
		b, err := json.Marshal(doc)
		if err != nil {
			return fmt.Errorf("encode patched user: %w", err)
		}
		var in userInput
		if err := decodeInto(b, &in, "patched User"); err != nil {
			return err
		}
		return in.apply(m, s.cfg.Now())
	})
}

func (s *Server) modifyUser(w http.ResponseWriter, r *http.Request, p principal, fn func(*store.Member) error) {
	id := r.PathValue("id")
	m, err := s.cfg.Store.ModifyMember(r.Context(), p.Org.ID, id, func(m *store.Member) error {
		if m.SCIMUserName == "" {
			return userNotFound(id)
		}
		return fn(m)
	})
	if err != nil {
		s.writeError(w, r, storeErr(err, userNotFound(id), userConflict))
		return
	}
	writeJSON(w, http.StatusOK, s.userResource(m))
}

func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request, p principal) {
	id := r.PathValue("id")
	m, err := s.cfg.Store.MemberByID(r.Context(), p.Org.ID, id)
	if err == nil && m.SCIMUserName == "" {
		err = store.ErrNotFound
	}
	if err == nil {
		err = s.cfg.Store.DeleteMember(r.Context(), p.Org.ID, id)
	}
	if err != nil {
		s.writeError(w, r, storeErr(err, userNotFound(id), userConflict))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// listQuery reads filter, startIndex and count.
func (s *Server) listQuery(r *http.Request, def *resourceDef, attrs map[string]string) (store.Query, int, error) {
	q := r.URL.Query()
	start, count, err := s.paging(q.Get("startIndex"), q.Get("count"))
	if err != nil {
		return store.Query{}, 0, err
	}
	c, err := parseListFilter(q.Get("filter"), def, attrs)
	if err != nil {
		return store.Query{}, 0, err
	}
	return store.Query{Filter: c, Offset: start - 1, Limit: count}, start, nil
}

// paging reads startIndex (1-based, default 1; below 1 means 1) and count
// (default and cap MaxPageSize; negative means 0), per RFC 7644 §3.4.2.4.
func (s *Server) paging(startRaw, countRaw string) (int, int, error) {
	start, count := 1, s.cfg.MaxPageSize
	if startRaw != "" {
		n, err := strconv.Atoi(startRaw)
		if err != nil {
			return 0, 0, badRequest(typeInvalidValue, "startIndex must be an integer")
		}
		start = max(n, 1)
	}
	if countRaw != "" {
		n, err := strconv.Atoi(countRaw)
		if err != nil {
			return 0, 0, badRequest(typeInvalidValue, "count must be an integer")
		}
		count = min(max(n, 0), s.cfg.MaxPageSize)
	}
	return start, count, nil
}
