package scimserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/ssoconform/ssoconform/refapp/auth"
	"github.com/ssoconform/ssoconform/refapp/store"
)

type memberRef struct {
	Value   string `json:"value"`
	Ref     string `json:"$ref,omitempty"`
	Display string `json:"display,omitempty"`
	Type    string `json:"type,omitempty"`
}

// groupResource is a SCIM Group as refapp returns it.
type groupResource struct {
	Schemas     []string    `json:"schemas"`
	ID          string      `json:"id"`
	ExternalID  string      `json:"externalId,omitempty"`
	DisplayName string      `json:"displayName"`
	Members     []memberRef `json:"members,omitempty"`
	Meta        meta        `json:"meta"`
}

// groupInput is what refapp reads from a Group body; member display, $ref and
// type are ignored (the value is what counts).
type groupInput struct {
	Schemas     []string `json:"schemas"`
	DisplayName string   `json:"displayName"`
	ExternalID  string   `json:"externalId"`
	Members     []struct {
		Value string `json:"value"`
	} `json:"members"`
}

const groupConflict = "another group of this organization already has this displayName"

func groupNotFound(id string) *Error {
	return scimErr(http.StatusNotFound, "", fmt.Sprintf("no group with id %q", id))
}

func (s *Server) groupResource(g store.Group, withMembers bool) groupResource {
	out := groupResource{Schemas: []string{groupSchema}, ID: g.ID, ExternalID: g.ExternalID, DisplayName: g.DisplayName,
		Meta: meta{ResourceType: "Group", Created: scimTime(g.CreatedAt), LastModified: scimTime(g.UpdatedAt),
			Location: s.location("Groups", g.ID)}}
	if withMembers {
		for _, gm := range g.Members {
			out.Members = append(out.Members, memberRef{Value: gm.ID, Ref: s.location("Users", gm.ID),
				Display: gm.Display, Type: "User"})
		}
	}
	return out
}

// apply replaces g's name, externalId and members with in's.
func (in groupInput) apply(g *store.Group) error {
	if strings.TrimSpace(in.DisplayName) == "" {
		return badRequest(typeInvalidValue, "displayName is required")
	}
	g.DisplayName, g.ExternalID, g.Members = in.DisplayName, in.ExternalID, nil
	for _, m := range in.Members {
		if strings.TrimSpace(m.Value) == "" {
			return badRequest(typeInvalidValue, "every member needs a value (a user id)")
		}
		g.Members = append(g.Members, store.GroupMember{ID: m.Value})
	}
	return nil
}

func (s *Server) decodeGroup(r *http.Request) (groupInput, error) {
	body, err := s.readBody(r)
	if err != nil {
		return groupInput{}, err
	}
	var in groupInput
	if err := decodeInto(body, &in, "SCIM Group"); err != nil {
		return groupInput{}, err
	}
	if !hasSchema(in.Schemas, groupSchema) {
		return groupInput{}, badRequest(typeInvalidSyntax, "schemas must include "+groupSchema)
	}
	return in, nil
}

func (s *Server) createGroup(w http.ResponseWriter, r *http.Request, p principal) {
	in, err := s.decodeGroup(r)
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
	g := store.Group{ID: id, OrgID: p.Org.ID, CreatedAt: now, UpdatedAt: now}
	if err := in.apply(&g); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.cfg.Store.CreateGroup(r.Context(), g); err != nil {
		s.writeError(w, r, storeErr(err, nil, groupConflict))
		return
	}
	if g, err = s.cfg.Store.GroupByID(r.Context(), p.Org.ID, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", s.location("Groups", g.ID))
	writeJSON(w, http.StatusCreated, s.groupResource(g, true))
}

// withMembers reads excludedAttributes=members (Entra asks for groups without their members).
func withMembers(r *http.Request) bool {
	ex := strings.Split(r.URL.Query().Get("excludedAttributes"), ",")
	return !slices.ContainsFunc(ex, func(a string) bool {
		a = strings.TrimSpace(a)
		return strings.EqualFold(a, "members") || strings.EqualFold(a, groupSchema+":members")
	})
}

func (s *Server) getGroup(w http.ResponseWriter, r *http.Request, p principal) {
	id := r.PathValue("id")
	g, err := s.cfg.Store.GroupByID(r.Context(), p.Org.ID, id)
	if err != nil {
		s.writeError(w, r, storeErr(err, groupNotFound(id), groupConflict))
		return
	}
	writeJSON(w, http.StatusOK, s.groupResource(g, withMembers(r)))
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request, p principal) {
	q, start, err := s.listQuery(r, groupDef, groupFilterAttrs)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	gs, total, err := s.cfg.Store.ListGroups(r.Context(), p.Org.ID, q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	all := withMembers(r)
	resp := listResponse{Schemas: []string{listSchema}, TotalResults: total, StartIndex: start,
		ItemsPerPage: len(gs), Resources: make([]any, 0, len(gs))}
	for _, g := range gs {
		resp.Resources = append(resp.Resources, s.groupResource(g, all))
	}
	writeJSON(w, http.StatusOK, resp)
}

// replaceGroup is PUT (the App Integration Wizard flavour's rename and membership).
func (s *Server) replaceGroup(w http.ResponseWriter, r *http.Request, p principal) {
	in, err := s.decodeGroup(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.modifyGroup(w, r, p, func(g *store.Group) error { return in.apply(g) })
}

// patchGroup is PATCH (the OIN flavour's rename and membership).
func (s *Server) patchGroup(w http.ResponseWriter, r *http.Request, p principal) {
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
	s.modifyGroup(w, r, p, func(g *store.Group) error {
		doc, err := toDoc(s.groupResource(*g, true))
		if err != nil {
			return err
		}
		if err := groupDef.patch(doc, ops); err != nil {
			return err
		}
		b, err := json.Marshal(doc)
		if err != nil {
			return fmt.Errorf("encode patched group: %w", err)
		}
		var in groupInput
		if err := decodeInto(b, &in, "patched Group"); err != nil {
			return err
		}
		return in.apply(g)
	})
}

func (s *Server) modifyGroup(w http.ResponseWriter, r *http.Request, p principal, fn func(*store.Group) error) {
	id := r.PathValue("id")
	g, err := s.cfg.Store.ModifyGroup(r.Context(), p.Org.ID, id, func(g *store.Group) error {
		if err := fn(g); err != nil {
			return err
		}
		g.UpdatedAt = s.cfg.Now()
		return nil
	})
	if err != nil {
		s.writeError(w, r, storeErr(err, groupNotFound(id), groupConflict))
		return
	}
	writeJSON(w, http.StatusOK, s.groupResource(g, true))
}

func (s *Server) deleteGroup(w http.ResponseWriter, r *http.Request, p principal) {
	id := r.PathValue("id")
	if err := s.cfg.Store.DeleteGroup(r.Context(), p.Org.ID, id); err != nil {
		s.writeError(w, r, storeErr(err, groupNotFound(id), groupConflict))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
