package scimserver

import (
	"net/http"
	"strings"
)

// Discovery schema URNs (RFC 7643 §5-§7).
const (
	spcSchema          = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	resourceTypeSchema = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	schemaSchema       = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)

type supported struct {
	Supported bool `json:"supported"`
}

type discoveryMeta struct {
	ResourceType string `json:"resourceType"`
	Location     string `json:"location"`
}

// serviceProviderConfig says exactly what this server implements.
func (s *Server) serviceProviderConfig(w http.ResponseWriter, _ *http.Request, _ principal) {
	writeJSON(w, http.StatusOK, map[string]any{
		"schemas":        []string{spcSchema},
		"patch":          supported{true},
		"bulk":           map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":         map[string]any{"supported": true, "maxResults": s.cfg.MaxPageSize},
		"changePassword": supported{false},
		"sort":           supported{false},
		"etag":           supported{false},
		"authenticationSchemes": []map[string]any{{
			"type": "oauthbearertoken", "name": "OAuth Bearer Token", "primary": true,
			"description": "An organization API key, or an organization admin's personal API key, with the scim scope, " +
				"sent as Authorization: Bearer <key>.",
		}},
		"meta": discoveryMeta{ResourceType: "ServiceProviderConfig", Location: s.cfg.BaseURL + Prefix + "/ServiceProviderConfig"},
	})
}

func (s *Server) resourceTypeDoc(d *resourceDef) map[string]any {
	return map[string]any{
		"schemas": []string{resourceTypeSchema}, "id": d.Name, "name": d.Name, "endpoint": d.Endpoint,
		"description": d.Desc, "schema": d.Schema,
		"meta": discoveryMeta{ResourceType: "ResourceType", Location: s.cfg.BaseURL + Prefix + "/ResourceTypes/" + d.Name},
	}
}

func (s *Server) resourceTypes(w http.ResponseWriter, _ *http.Request, _ principal) {
	docs := []any{s.resourceTypeDoc(userDef), s.resourceTypeDoc(groupDef)}
	writeJSON(w, http.StatusOK, listResponse{Schemas: []string{listSchema}, TotalResults: len(docs), StartIndex: 1,
		ItemsPerPage: len(docs), Resources: docs})
}

func (s *Server) resourceType(w http.ResponseWriter, r *http.Request, _ principal) {
	for _, d := range []*resourceDef{userDef, groupDef} {
		if strings.EqualFold(r.PathValue("name"), d.Name) {
			writeJSON(w, http.StatusOK, s.resourceTypeDoc(d))
			return
		}
	}
	s.writeError(w, r, scimErr(http.StatusNotFound, "", "no resource type "+r.PathValue("name")))
}

func attrDocs(defs []attrDef) []map[string]any {
	var out []map[string]any
	for _, a := range defs {
		if a.common {
			continue
		}
		d := map[string]any{"name": a.Name, "type": a.Type, "multiValued": a.Multi, "description": a.Description,
			"required": a.Required, "caseExact": a.CaseExact, "mutability": a.Mutability, "returned": a.Returned,
			"uniqueness": a.Uniqueness}
		if a.Uniqueness == "" {
			d["uniqueness"] = "none"
		}
		if len(a.Sub) > 0 {
			d["subAttributes"] = attrDocs(a.Sub)
		}
		if len(a.RefTypes) > 0 {
			d["referenceTypes"] = a.RefTypes
		}
		if len(a.Canonical) > 0 {
			d["canonicalValues"] = a.Canonical
		}
		out = append(out, d)
	}
	return out
}

func (s *Server) schemaDoc(d *resourceDef) map[string]any {
	return map[string]any{
		"schemas": []string{schemaSchema}, "id": d.Schema, "name": d.Name, "description": d.Desc,
		"attributes": attrDocs(d.Attrs),
		"meta":       discoveryMeta{ResourceType: "Schema", Location: s.cfg.BaseURL + Prefix + "/Schemas/" + d.Schema},
	}
}

func (s *Server) schemas(w http.ResponseWriter, _ *http.Request, _ principal) {
	docs := []any{s.schemaDoc(userDef), s.schemaDoc(groupDef)}
	writeJSON(w, http.StatusOK, listResponse{Schemas: []string{listSchema}, TotalResults: len(docs), StartIndex: 1,
		ItemsPerPage: len(docs), Resources: docs})
}

func (s *Server) schema(w http.ResponseWriter, r *http.Request, _ principal) {
	for _, d := range []*resourceDef{userDef, groupDef} {
		if strings.EqualFold(r.PathValue("urn"), d.Schema) {
			writeJSON(w, http.StatusOK, s.schemaDoc(d))
			return
		}
	}
	s.writeError(w, r, scimErr(http.StatusNotFound, "", "no schema "+r.PathValue("urn")))
}
