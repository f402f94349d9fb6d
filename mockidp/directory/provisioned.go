package directory

import (
	"slices"
)

// PushedUser is what an app's SCIM server was last told about a user: the server's id for the user
// (ExternalID), the profile Okta pushed and whether the user is active there. It outlives the
// assignment, as Okta's app user does after deprovisioning: a user unassigned and assigned again gets the
// same id back (reactivation) instead of a second account.
type PushedUser struct {
	AppID       string `json:"appId"`
	UserID      string `json:"userId"`
	ExternalID  string `json:"externalId"`
	UserName    string `json:"userName"`
	GivenName   string `json:"givenName,omitempty"`
	FamilyName  string `json:"familyName,omitempty"`
	Email       string `json:"email,omitempty"`
	DisplayName string `json:"displayName,omitempty"`
	Active      bool   `json:"active"`
}

// GroupPush links an Okta group to the group the app's SCIM server made for it (Push Groups):
// ExternalID is the server's id, DisplayName and Members (Okta user ids) what the server was last told.
type GroupPush struct {
	AppID       string   `json:"appId"`
	GroupID     string   `json:"groupId"`
	ExternalID  string   `json:"externalId"`
	DisplayName string   `json:"displayName"`
	Members     []string `json:"members,omitempty"`
}

// PushedUser returns what the app's SCIM server was last told about the user.
func (o *Org) PushedUser(appID, userID string) (PushedUser, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	p, ok := o.pushedUsers[appID][userID]
	if !ok {
		return PushedUser{}, false
	}
	return *p, true
}

// PushedUsers returns the app's pushed users in the org's user order.
func (o *Org) PushedUsers(appID string) []PushedUser {
	o.mu.RLock()
	defer o.mu.RUnlock()
	var out []PushedUser
	for _, uid := range o.userOrder {
		if p, ok := o.pushedUsers[appID][uid]; ok {
			out = append(out, *p)
		}
	}
	return out
}

// SetPushedUser records what the app's SCIM server was told about a user; the user's assignment, if
// any, gets the server's id as its external id.
func (o *Org) SetPushedUser(p PushedUser) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.users[p.UserID]; !ok {
		return // deleted meanwhile: Okta forgets the app user with it
	}
	byUser := o.pushedUsers[p.AppID]
	if byUser == nil {
		byUser = map[string]*PushedUser{}
		o.pushedUsers[p.AppID] = byUser
	}
	c := p
	byUser[p.UserID] = &c
	if rec, ok := o.assignments[p.AppID][p.UserID]; ok {
		rec.ExternalID = p.ExternalID
	}
}

// GroupPush returns the push link of a group and an app.
func (o *Org) GroupPush(appID, groupID string) (GroupPush, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	gp, ok := o.groupPushes[appID][groupID]
	if !ok {
		return GroupPush{}, false
	}
	return gp.clone(), true
}

// GroupPushes returns the app's pushed groups in the org's group order.
func (o *Org) GroupPushes(appID string) []GroupPush {
	o.mu.RLock()
	defer o.mu.RUnlock()
	var out []GroupPush
	for _, gid := range o.groupOrder {
		if gp, ok := o.groupPushes[appID][gid]; ok {
			out = append(out, gp.clone())
		}
	}
	return out
}

// SetGroupPush records (or updates) the push link of a group.
func (o *Org) SetGroupPush(gp GroupPush) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.groups[gp.GroupID]; !ok {
		return // deleted meanwhile
	}
	byGroup := o.groupPushes[gp.AppID]
	if byGroup == nil {
		byGroup = map[string]*GroupPush{}
		o.groupPushes[gp.AppID] = byGroup
	}
	c := gp.clone()
	byGroup[gp.GroupID] = &c
}

// DeleteGroupPush removes the push link of a group (unlink); it reports whether there was one.
func (o *Org) DeleteGroupPush(appID, groupID string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.groupPushes[appID][groupID]; !ok {
		return false
	}
	delete(o.groupPushes[appID], groupID)
	return true
}

func (gp *GroupPush) clone() GroupPush {
	c := *gp
	c.Members = slices.Clone(gp.Members)
	return c
}

// forgetUserLocked drops a deleted user's pushed records (Okta sends nothing when a user is deleted).
func (o *Org) forgetUserLocked(userID string) {
	for _, byUser := range o.pushedUsers {
		delete(byUser, userID)
	}
	for _, byGroup := range o.groupPushes {
		for _, gp := range byGroup {
			gp.Members = deleteString(gp.Members, userID)
		}
	}
}

// forgetGroupLocked drops a deleted group's push links.
func (o *Org) forgetGroupLocked(groupID string) {
	for _, byGroup := range o.groupPushes {
		delete(byGroup, groupID)
	}
}

// pushedExternalIDLocked is the server id a new assignment record starts with.
func (o *Org) pushedExternalIDLocked(appID, userID string) string {
	if p, ok := o.pushedUsers[appID][userID]; ok {
		return p.ExternalID
	}
	return ""
}
