package store

import "time"

// Identity is an IdP identity linked to a member: the IdP (OIDC issuer or SAML IdP entity ID) and who it
// says signed in (OIDC sub or SAML NameID). (OrgID, Issuer, Subject) is unique: one IdP identity signs in
// as one member of an organization.
type Identity struct {
	OrgID     string
	MemberID  string
	Issuer    string
	Subject   string
	Protocol  string // "oidc" or "saml"
	CreatedAt time.Time
}
