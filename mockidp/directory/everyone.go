package directory

// EveryoneName is the name of Okta's built-in group (type BUILT_IN) that every user of an org belongs to.
// Okta lists it in /api/v1/groups and sends it wherever a group filter matches it (a SAML group attribute
// or an OIDC groups claim with the filter ".*"); it cannot be renamed, deleted, or have members added or
// removed.
const EveryoneName = "Everyone"

// Everyone returns the org's built-in Everyone group with every user as a member, in creation order.
// Its id is derived from the org id, so it is stable across restarts from a state file. It is not among
// Groups(): callers that show or push groups decide whether the built-in one belongs with them.
func (o *Org) Everyone() Group {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return Group{ID: o.EveryoneID(), Name: EveryoneName, Description: "All users in your organization",
		Members: append([]string(nil), o.userOrder...), Created: o.created, LastUpdated: o.created,
		LastMembershipUpdated: o.created}
}

// EveryoneID returns the id of the org's Everyone group.
func (o *Org) EveryoneID() string { return PrefixGroup + o.id[len(PrefixOrg):] }
