package scimserver

import "strings"

// attrDef describes one attribute refapp implements. The same definitions
// drive PATCH path resolution and the /Schemas documents, so what /Schemas
// says is what the server does.
type attrDef struct {
	Name        string
	Type        string // string, boolean, complex, reference, dateTime
	Multi       bool
	Required    bool
	CaseExact   bool
	Mutability  string // readWrite, readOnly, immutable
	Returned    string // default, always
	Uniqueness  string // none, server
	Description string
	Sub         []attrDef
	RefTypes    []string
	Canonical   []string
	common      bool // id, externalId, meta: common attributes, not listed in /Schemas
}

// resourceDef is one resource type: its core schema and attributes, and the
// attribute names accepted but ignored (RFC 7643 attributes refapp does not keep).
type resourceDef struct {
	Name     string
	Endpoint string
	Schema   string
	Desc     string
	Attrs    []attrDef
	ignored  map[string]bool // lowercase names
}

func (d *resourceDef) attr(name string) *attrDef { return findAttr(d.Attrs, name) }

func findAttr(defs []attrDef, name string) *attrDef {
	for i := range defs {
		if strings.EqualFold(defs[i].Name, name) {
			return &defs[i]
		}
	}
	return nil
}

func str(name, desc string, required, caseExact bool, uniq string) attrDef {
	return attrDef{Name: name, Type: "string", Required: required, CaseExact: caseExact, Mutability: "readWrite",
		Returned: "default", Uniqueness: uniq, Description: desc}
}

var commonAttrs = []attrDef{
	{Name: "id", Type: "string", CaseExact: true, Mutability: "readOnly", Returned: "always", Uniqueness: "server",
		Description: "Unique identifier assigned by refapp.", common: true},
	{Name: "externalId", Type: "string", CaseExact: true, Mutability: "readWrite", Returned: "default",
		Uniqueness: "none", Description: "The provisioning client's identifier.", common: true},
	{Name: "meta", Type: "complex", Mutability: "readOnly", Returned: "default", Description: "Resource metadata.",
		common: true},
}

var userDef = &resourceDef{
	Name: "User", Endpoint: "/Users", Schema: userSchema, Desc: "A member of the organization.",
	Attrs: append([]attrDef{
		str("userName", "Unique identifier of the user, kept exactly as sent; unique per organization, compared case-insensitively.", true, false, "server"),
		{Name: "name", Type: "complex", Mutability: "readWrite", Returned: "default", Uniqueness: "none",
			Description: "The user's name.", Sub: []attrDef{
				str("formatted", "The full name.", false, false, "none"),
				str("familyName", "The family name.", false, false, "none"),
				str("givenName", "The given name.", false, false, "none"),
			}},
		str("displayName", "The name shown in the app; defaults to name.formatted, else given and family name.", false, false, "none"),
		{Name: "emails", Type: "complex", Multi: true, Mutability: "readWrite", Returned: "default", Uniqueness: "none",
			Description: "Email addresses; the primary one (else the first) is the sign-in email, unique per organization.",
			Sub: []attrDef{
				str("value", "The email address.", false, false, "none"),
				{Name: "type", Type: "string", Mutability: "readWrite", Returned: "default", Uniqueness: "none",
					Description: "A label such as work.", Canonical: []string{"work", "home", "other"}},
				{Name: "primary", Type: "boolean", Mutability: "readWrite", Returned: "default",
					Description: "Whether this is the primary email; at most one."},
			}},
		{Name: "active", Type: "boolean", Mutability: "readWrite", Returned: "default",
			Description: "false deactivates the member: kept, unable to sign in, sessions revoked."},
	}, commonAttrs...),
	ignored: setOf("nickName", "profileUrl", "title", "userType", "preferredLanguage", "locale", "timezone", "password",
		"phoneNumbers", "ims", "photos", "addresses", "groups", "entitlements", "roles", "x509Certificates"),
}

var groupDef = &resourceDef{
	Name: "Group", Endpoint: "/Groups", Schema: groupSchema, Desc: "A team of the organization.",
	Attrs: append([]attrDef{
		str("displayName", "The team's name; unique per organization, compared case-insensitively.", true, false, "server"),
		{Name: "members", Type: "complex", Multi: true, Mutability: "readWrite", Returned: "default", Uniqueness: "none",
			Description: "The team's members (users of the same organization).", Sub: []attrDef{
				{Name: "value", Type: "string", CaseExact: true, Mutability: "immutable", Returned: "default",
					Uniqueness: "none", Description: "The id of a User."},
				{Name: "$ref", Type: "reference", CaseExact: true, Mutability: "immutable", Returned: "default",
					RefTypes: []string{"User"}, Description: "The User's URI."},
				{Name: "display", Type: "string", Mutability: "readOnly", Returned: "default",
					Description: "The User's userName."},
				{Name: "type", Type: "string", Mutability: "immutable", Returned: "default",
					Canonical: []string{"User"}, Description: "Always User."},
			}},
	}, commonAttrs...),
	ignored: setOf(),
}

func setOf(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[strings.ToLower(n)] = true
	}
	return m
}
