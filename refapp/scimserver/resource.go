package scimserver

import (
	"net/http"
	"strings"
	"time"

	"github.com/ssoconform/ssoconform/refapp/defence"
	"github.com/ssoconform/ssoconform/refapp/sanitize"
	"github.com/ssoconform/ssoconform/refapp/store"
)

// Schema and message URNs.
const (
	userSchema  = "urn:ietf:params:scim:schemas:core:2.0:User"
	groupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group"
	listSchema  = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	patchSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
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

// userResource is a SCIM User as refapp returns it (never a password).
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

// userInput is what refapp reads from a User body. Anything else (Okta's
// placeholder password, locale, groups, extension attributes; id and meta,
// which are readOnly) is ignored. JSON names match case-insensitively.
type userInput struct {
	Schemas     []string     `json:"schemas"`
	UserName    string       `json:"userName"`
	ExternalID  string       `json:"externalId"`
	Name        *name        `json:"name"`
	DisplayName string       `json:"displayName"`
	Emails      []emailInput `json:"emails"`
	Active      *flexBool    `json:"active"`
}

type emailInput struct {
	Value   string   `json:"value"`
	Type    string   `json:"type"`
	Primary flexBool `json:"primary"`
}

type listResponse struct {
	Schemas      []string `json:"schemas"`
	TotalResults int      `json:"totalResults"`
	StartIndex   int      `json:"startIndex"`
	ItemsPerPage int      `json:"itemsPerPage"`
	Resources    []any    `json:"Resources"`
}

func scimTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (s *Server) userResource(m store.Member) userResource {
	u := userResource{
		Schemas:     []string{userSchema},
		ID:          m.ID,
		ExternalID:  m.ExternalID,
		UserName:    m.SCIMUserName,
		DisplayName: m.DisplayName,
		Active:      m.Active,
		Meta: meta{ResourceType: "User", Created: scimTime(m.CreatedAt), LastModified: scimTime(m.UpdatedAt),
			Location: s.location("Users", m.ID)},
	}
	if m.GivenName != "" || m.FamilyName != "" || m.FormattedName != "" {
		u.Name = &name{GivenName: m.GivenName, FamilyName: m.FamilyName, Formatted: m.FormattedName}
	}
	for _, e := range m.Emails {
		u.Emails = append(u.Emails, email{Value: e.Value, Type: e.Type, Primary: e.Primary})
	}
	return u
}

func (s *Server) location(kind, id string) string {
	return s.cfg.BaseURL + Prefix + "/" + kind + "/" + id
}

// apply replaces m's SCIM attributes with in's (POST, PUT, and PATCH after its
// operations ran on the current representation). An absent active keeps m's.
func (in userInput) apply(m *store.Member, now time.Time) error {
	if strings.TrimSpace(in.UserName) == "" {
		return badRequest(typeInvalidValue, "userName is required")
	}
	emails, err := in.emails()
	if err != nil {
		return err
	}
	m.SCIMUserName = in.UserName
	m.ExternalID = in.ExternalID
	m.Emails = emails
	m.Email = in.UserName
	for _, e := range emails {
		if e.Primary {
			m.Email = e.Value
		}
	}
	m.GivenName, m.FamilyName, m.FormattedName = "", "", ""
	if in.Name != nil {
		m.GivenName, m.FamilyName, m.FormattedName = in.Name.GivenName, in.Name.FamilyName, in.Name.Formatted
	}
	m.DisplayName = shownName(in.DisplayName, m.FormattedName, m.GivenName+" "+m.FamilyName)
	if in.Active != nil {
		m.Active = bool(*in.Active)
	}
	m.UpdatedAt = now
	return nil
}

// emails checks the email list: every value set, at most one primary; when
// none is primary the first becomes it.
func (in userInput) emails() ([]store.Email, error) {
	var out []store.Email
	primaries := 0
	for _, e := range in.Emails {
		if strings.TrimSpace(e.Value) == "" {
			return nil, badRequest(typeInvalidValue, "every email needs a value")
		}
		if e.Primary {
			primaries++
		}
		typ := e.Type
		if defence.Off(defence.EmailType) {
			typ = ""
		}
		out = append(out, store.Email{Value: e.Value, Type: typ, Primary: bool(e.Primary)})
	}
	if primaries > 1 {
		return nil, scimErr(http.StatusBadRequest, typeInvalidValue, "at most one email may be primary")
	}
	if primaries == 0 && len(out) > 0 {
		out[0].Primary = true
	}
	return out, nil
}

// shownName is the name the app shows and signs the member in as: the first of the candidates (the
// pushed displayName, name.formatted, given and family name) that keeps a character under the product's
// sanitization rule (refapp/sanitize), sanitized; "" when none does (SSO sign-in fills it then). The
// name sub-attributes and userName are stored exactly as sent.
func shownName(candidates ...string) string {
	for _, c := range candidates {
		if s := sanitize.Clean(c); s != "" {
			return s
		}
	}
	return ""
}
