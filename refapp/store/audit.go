package store

import "time"

// AuditEvent is one entry of an organization's audit log: SSO configuration changes, sign-ins and
// refusals, support resets. Detail is for admins and never holds secrets.
type AuditEvent struct {
	ID      string
	OrgID   string
	At      time.Time
	Actor   string // who: a member's email, "cli", "support" or "okta:<subject>"
	Action  string // e.g. "sso.configure", "sso.signin", "sso.refused", "sso.reset", "member.add"
	Outcome string // "success" or "failure"
	Detail  string
}
