package directory

import (
	"fmt"
	"slices"
	"time"

	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// Assignment scopes (Okta's app user "scope").
const (
	ScopeUser  = "USER"
	ScopeGroup = "GROUP"
)

// Assignment is an app user: the link of a user to an app, direct (Scope USER) or through a group
// (Scope GROUP). UserName is the app username (per the app's username format, the user's email by
// default); ExternalID is the id the app's SCIM server returned for the user, empty until pushed.
type Assignment struct {
	AppID      string    `json:"appId"`
	UserID     string    `json:"userId"`
	UserName   string    `json:"userName"`
	ExternalID string    `json:"externalId,omitempty"`
	Scope      string    `json:"scope"`
	Created    time.Time `json:"created,omitzero"`
}

// appUser is the stored record: the assignment and whether it is also direct.
type appUser struct {
	Assignment
	direct bool
}

// GroupAssignment links a group to an app; Priority is its position (0 first), as in Okta.
type GroupAssignment struct {
	AppID    string    `json:"appId"`
	GroupID  string    `json:"groupId"`
	Priority int       `json:"priority"`
	Created  time.Time `json:"created,omitzero"`
}

// Assign records that a user is directly assigned to an app, with the app username from the app's
// username format. Assigning twice keeps the first assignment and returns it (now with scope USER).
func (o *Org) Assign(appID, userID string) (Assignment, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	a, ok := o.apps[appID]
	if !ok {
		return Assignment{}, fmt.Errorf("assign: app %q %w", appID, ErrNotFound)
	}
	u, ok := o.users[userID]
	if !ok {
		return Assignment{}, fmt.Errorf("assign: user %q %w", userID, ErrNotFound)
	}
	rec := o.assignments[appID][userID]
	if rec != nil && rec.direct {
		return rec.Assignment, nil
	}
	if rec == nil {
		rec = o.newAppUserLocked(a, u)
	}
	rec.direct, rec.Scope = true, ScopeUser
	o.event(syslog.TypeAppAssign, "Add user to application membership", userTarget(u), appTarget(a))
	return rec.Assignment, nil
}

func (o *Org) newAppUserLocked(a *App, u *User) *appUser {
	byUser := o.assignments[a.ID]
	if byUser == nil {
		byUser = map[string]*appUser{}
		o.assignments[a.ID] = byUser
	}
	rec := &appUser{Assignment: Assignment{AppID: a.ID, UserID: u.ID, UserName: appUserName(a, u),
		ExternalID: o.pushedExternalIDLocked(a.ID, u.ID), Scope: ScopeGroup, Created: o.stamp()}}
	byUser[u.ID] = rec
	return rec
}

// Unassign removes a user's direct assignment. A user who is also assigned through a group keeps the
// assignment with scope GROUP; a user assigned only through a group cannot be unassigned here
// (ErrInvalid: remove the user from the group or unassign the group).
func (o *Org) Unassign(appID, userID string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	a, ok := o.apps[appID]
	if !ok {
		return fmt.Errorf("unassign: app %q %w", appID, ErrNotFound)
	}
	rec := o.assignments[appID][userID]
	if rec == nil {
		return fmt.Errorf("unassign: user %q is not assigned to app %q: %w", userID, appID, ErrNotFound)
	}
	if !rec.direct {
		return fmt.Errorf("unassign: user %q is assigned to app %q through a group: %w", userID, appID, ErrInvalid)
	}
	rec.direct = false
	o.reconcileLocked(appID, userID)
	if u, ok := o.users[userID]; ok {
		o.event(syslog.TypeAppUnassign, "Remove user from application membership", userTarget(u), appTarget(a))
	}
	return nil
}

// AssignGroup assigns a group to an app (a no-op when already assigned): every member becomes assigned.
func (o *Org) AssignGroup(appID, groupID string) (GroupAssignment, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	a, ok := o.apps[appID]
	if !ok {
		return GroupAssignment{}, fmt.Errorf("assign group: app %q %w", appID, ErrNotFound)
	}
	g, ok := o.groups[groupID]
	if !ok {
		return GroupAssignment{}, fmt.Errorf("assign group: group %q %w", groupID, ErrNotFound)
	}
	gas := o.groupAssignments[appID]
	if i := slices.IndexFunc(gas, func(ga *GroupAssignment) bool { return ga.GroupID == groupID }); i >= 0 {
		return *gas[i], nil
	}
	ga := &GroupAssignment{AppID: appID, GroupID: groupID, Priority: len(gas), Created: o.stamp()}
	o.groupAssignments[appID] = append(gas, ga)
	for _, uid := range g.Members {
		o.reconcileLocked(appID, uid)
	}
	o.event("group.application_assignment.add", "Add assigned application to group", appTarget(a), groupTarget(g))
	return *ga, nil
}

// UnassignGroup removes a group's assignment to an app; members assigned only through it lose theirs.
func (o *Org) UnassignGroup(appID, groupID string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	gas := o.groupAssignments[appID]
	i := slices.IndexFunc(gas, func(ga *GroupAssignment) bool { return ga.GroupID == groupID })
	if i < 0 {
		return fmt.Errorf("unassign group: group %q is not assigned to app %q: %w", groupID, appID, ErrNotFound)
	}
	gas = slices.Delete(gas, i, i+1)
	for j, ga := range gas {
		ga.Priority = j
	}
	o.groupAssignments[appID] = gas
	g := o.groups[groupID]
	for _, uid := range g.Members {
		o.reconcileLocked(appID, uid)
	}
	o.event("group.application_assignment.remove", "Remove assigned application from group",
		appTarget(o.apps[appID]), groupTarget(g))
	return nil
}

// GroupAssignment returns the assignment of a group to an app.
func (o *Org) GroupAssignment(appID, groupID string) (GroupAssignment, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	for _, ga := range o.groupAssignments[appID] {
		if ga.GroupID == groupID {
			return *ga, true
		}
	}
	return GroupAssignment{}, false
}

// AppGroups returns the groups assigned to an app in priority order.
func (o *Org) AppGroups(appID string) []GroupAssignment {
	o.mu.RLock()
	defer o.mu.RUnlock()
	out := make([]GroupAssignment, 0, len(o.groupAssignments[appID]))
	for _, ga := range o.groupAssignments[appID] {
		out = append(out, *ga)
	}
	return out
}

// AppUsers returns the app's users (direct and through groups) in the org's user order.
func (o *Org) AppUsers(appID string) []Assignment {
	o.mu.RLock()
	defer o.mu.RUnlock()
	byUser := o.assignments[appID]
	out := make([]Assignment, 0, len(byUser))
	for _, uid := range o.userOrder {
		if rec, ok := byUser[uid]; ok {
			out = append(out, rec.Assignment)
		}
	}
	return out
}

// UserApps returns the user's assignments in app order.
func (o *Org) UserApps(userID string) []Assignment {
	o.mu.RLock()
	defer o.mu.RUnlock()
	var out []Assignment
	for _, appID := range o.appOrder {
		if rec, ok := o.assignments[appID][userID]; ok {
			out = append(out, rec.Assignment)
		}
	}
	return out
}

// reconcileUserLocked re-evaluates the user's group-derived assignments on every app.
func (o *Org) reconcileUserLocked(userID string) {
	for _, appID := range o.appOrder {
		o.reconcileLocked(appID, userID)
	}
}

// reconcileLocked makes the (app, user) record exist exactly when the user is assigned directly or
// through one of the app's groups.
func (o *Org) reconcileLocked(appID, userID string) {
	viaGroup := slices.ContainsFunc(o.groupAssignments[appID], func(ga *GroupAssignment) bool {
		g, ok := o.groups[ga.GroupID]
		return ok && slices.Contains(g.Members, userID)
	})
	rec := o.assignments[appID][userID]
	switch {
	case rec == nil && viaGroup:
		a, u := o.apps[appID], o.users[userID]
		if a != nil && u != nil {
			o.newAppUserLocked(a, u)
		}
	case rec != nil && !rec.direct && !viaGroup:
		delete(o.assignments[appID], userID)
	case rec != nil && rec.direct:
		rec.Scope = ScopeUser
	case rec != nil:
		rec.Scope = ScopeGroup
	}
}

// Assignment returns the app user record of a user and an app (direct or through a group).
func (o *Org) Assignment(appID, userID string) (Assignment, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	rec, ok := o.assignments[appID][userID]
	if !ok {
		return Assignment{}, false
	}
	return rec.Assignment, true
}

// IsAssigned reports whether the user is assigned to the app, directly or through a group.
func (o *Org) IsAssigned(appID, userID string) bool {
	_, ok := o.Assignment(appID, userID)
	return ok
}

// SetExternalID stores the id the app's SCIM server gave the assigned user, and records the user as
// pushed (active, with the current profile), as if Okta had just provisioned it.
func (o *Org) SetExternalID(appID, userID, externalID string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	rec, ok := o.assignments[appID][userID]
	if !ok {
		return fmt.Errorf("set external id: assignment of %q to %q %w", userID, appID, ErrNotFound)
	}
	rec.ExternalID = externalID
	u := o.users[userID]
	if o.pushedUsers[appID] == nil {
		o.pushedUsers[appID] = map[string]*PushedUser{}
	}
	o.pushedUsers[appID][userID] = &PushedUser{AppID: appID, UserID: userID, ExternalID: externalID,
		UserName: rec.UserName, GivenName: u.FirstName, FamilyName: u.LastName, Email: u.Email,
		DisplayName: u.DisplayName(), Active: true}
	return nil
}
