package scimserver

import (
	"strings"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"
)

const (
	userSchema = "urn:ietf:params:scim:schemas:core:2.0:User"
	listSchema = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
)

type name struct {
	GivenName  string `json:"givenName,omitempty"`
	FamilyName string `json:"familyName,omitempty"`
	Formatted  string `json:"formatted,omitempty"`
}

type email struct {
	Value   string `json:"value"`
	Type    string `json:"type,omitempty"`
	Primary bool   `json:"primary"`
}

type meta struct {
	ResourceType string `json:"resourceType"`
	Created      string `json:"created"`
	LastModified string `json:"lastModified"`
	Location     string `json:"location"`
}

// userResource is a SCIM User as refapp returns it.
type userResource struct {
	Schemas     []string `json:"schemas"`
	ID          string   `json:"id"`
	ExternalID  string   `json:"externalId,omitempty"`
	UserName    string   `json:"userName"`
	Name        *name    `json:"name,omitempty"`
	DisplayName string   `json:"displayName,omitempty"`
	Emails      []email  `json:"emails,omitempty"`
	Active      bool     `json:"active"`
	Meta        meta     `json:"meta"`
}

// userInput is what refapp reads from a request body. Anything else (Okta's
// placeholder password, locale, groups, extension attributes) is ignored.
type userInput struct {
	Schemas     []string `json:"schemas"`
	UserName    string   `json:"userName"`
	ExternalID  string   `json:"externalId"`
	Name        *name    `json:"name"`
	DisplayName string   `json:"displayName"`
	Emails      []email  `json:"emails"`
	Active      *bool    `json:"active"`
}

type listResponse struct {
	Schemas      []string       `json:"schemas"`
	TotalResults int            `json:"totalResults"`
	StartIndex   int            `json:"startIndex"`
	ItemsPerPage int            `json:"itemsPerPage"`
	Resources    []userResource `json:"Resources"`
}

func (s *Server) resource(m store.Member) userResource {
	u := userResource{
		Schemas:     []string{userSchema},
		ID:          m.ID,
		ExternalID:  m.ExternalID,
		UserName:    m.SCIMUserName,
		DisplayName: m.DisplayName,
		Active:      m.Active,
		Meta: meta{ResourceType: "User", Created: m.CreatedAt.UTC().Format(time.RFC3339),
			LastModified: m.UpdatedAt.UTC().Format(time.RFC3339), Location: s.location(m.ID)},
	}
	if m.GivenName != "" || m.FamilyName != "" {
		u.Name = &name{GivenName: m.GivenName, FamilyName: m.FamilyName,
			Formatted: strings.TrimSpace(m.GivenName + " " + m.FamilyName)}
	}
	if m.Email != "" {
		u.Emails = []email{{Value: m.Email, Type: m.EmailType, Primary: true}}
	}
	return u
}

func (s *Server) location(id string) string { return s.cfg.BaseURL + Prefix + "/Users/" + id }

// primaryEmail picks the primary email, else the first, else the userName.
func (in userInput) primaryEmail() (value, typ string) {
	for _, e := range in.Emails {
		if e.Primary && e.Value != "" {
			return e.Value, e.Type
		}
	}
	for _, e := range in.Emails {
		if e.Value != "" {
			return e.Value, e.Type
		}
	}
	return in.UserName, ""
}

// displayName is displayName, else given + family name.
func (in userInput) displayName() string {
	if d := strings.TrimSpace(in.DisplayName); d != "" {
		return d
	}
	if in.Name == nil {
		return ""
	}
	return strings.TrimSpace(in.Name.GivenName + " " + in.Name.FamilyName)
}
