package directory

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// Group is an Okta group (type OKTA_GROUP). Members are user ids in the order they were added.
type Group struct {
	ID                    string    `json:"id"`
	Name                  string    `json:"name"`
	Description           string    `json:"description,omitempty"`
	Members               []string  `json:"members,omitempty"`
	Created               time.Time `json:"created,omitzero"`
	LastUpdated           time.Time `json:"lastUpdated,omitzero"`
	LastMembershipUpdated time.Time `json:"lastMembershipUpdated,omitzero"`
}

func (g *Group) clone() Group {
	c := *g
	c.Members = slices.Clone(g.Members)
	return c
}

// GroupInput describes a group to create. Names are unique, case-insensitively.
type GroupInput struct {
	Name, Description string
}

// CreateGroup adds a group.
func (o *Org) CreateGroup(in GroupInput) (Group, error) {
	if strings.TrimSpace(in.Name) == "" {
		return Group{}, fmt.Errorf("create group: name is required: %w", ErrInvalid)
	}
	id, err := NewID(o.rand, PrefixGroup)
	if err != nil {
		return Group{}, fmt.Errorf("create group %q: %w", in.Name, err)
	}
	now := o.stamp()
	g := &Group{ID: id, Name: in.Name, Description: in.Description, Created: now, LastUpdated: now,
		LastMembershipUpdated: now}
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, taken := o.groupByNameLocked(in.Name); taken {
		return Group{}, fmt.Errorf("create group %q: name %w", in.Name, ErrConflict)
	}
	o.groups[id] = g
	o.groupOrder = append(o.groupOrder, id)
	o.event("group.lifecycle.create", "Create Okta group", groupTarget(g))
	return g.clone(), nil
}

func (o *Org) groupByNameLocked(name string) (*Group, bool) {
	for _, g := range o.groups {
		if strings.EqualFold(g.Name, name) {
			return g, true
		}
	}
	return nil, false
}

// UpdateGroup changes a group's name and description.
func (o *Org) UpdateGroup(id string, in GroupInput) (Group, error) {
	if strings.TrimSpace(in.Name) == "" {
		return Group{}, fmt.Errorf("update group: name is required: %w", ErrInvalid)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	g, ok := o.groups[id]
	if !ok {
		return Group{}, fmt.Errorf("update group: group %q %w", id, ErrNotFound)
	}
	if other, taken := o.groupByNameLocked(in.Name); taken && other.ID != id {
		return Group{}, fmt.Errorf("update group: name %q %w", in.Name, ErrConflict)
	}
	g.Name, g.Description, g.LastUpdated = in.Name, in.Description, o.stamp()
	return g.clone(), nil
}

// Group returns the group with the given id.
func (o *Org) Group(id string) (Group, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	g, ok := o.groups[id]
	if !ok {
		return Group{}, false
	}
	return g.clone(), true
}

// GroupByName returns the group with the given name (case-insensitive).
func (o *Org) GroupByName(name string) (Group, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	g, ok := o.groupByNameLocked(name)
	if !ok {
		return Group{}, false
	}
	return g.clone(), true
}

// Groups returns every group in creation order.
func (o *Org) Groups() []Group {
	o.mu.RLock()
	defer o.mu.RUnlock()
	out := make([]Group, 0, len(o.groupOrder))
	for _, id := range o.groupOrder {
		out = append(out, o.groups[id].clone())
	}
	return out
}

// UserGroups returns the groups the user is a member of, in creation order.
func (o *Org) UserGroups(userID string) []Group {
	o.mu.RLock()
	defer o.mu.RUnlock()
	var out []Group
	for _, id := range o.groupOrder {
		if g := o.groups[id]; slices.Contains(g.Members, userID) {
			out = append(out, g.clone())
		}
	}
	return out
}

// GroupNames returns the names of the user's groups, sorted (the SAML group attribute's candidates),
// including the built-in Everyone group for a known user.
func (o *Org) GroupNames(userID string) []string {
	var out []string
	if _, ok := o.User(userID); ok {
		out = append(out, EveryoneName)
	}
	for _, g := range o.UserGroups(userID) {
		out = append(out, g.Name)
	}
	slices.Sort(out)
	return out
}

// DeleteGroup removes a group, its memberships and its app assignments (members assigned only through
// it lose those assignments).
func (o *Org) DeleteGroup(id string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	g, ok := o.groups[id]
	if !ok {
		return fmt.Errorf("delete group: group %q %w", id, ErrNotFound)
	}
	var apps []string
	for appID, gas := range o.groupAssignments {
		if i := slices.IndexFunc(gas, func(ga *GroupAssignment) bool { return ga.GroupID == id }); i >= 0 {
			o.groupAssignments[appID] = slices.Delete(gas, i, i+1)
			apps = append(apps, appID)
		}
	}
	delete(o.groups, id)
	o.groupOrder = deleteString(o.groupOrder, id)
	o.forgetGroupLocked(id)
	for _, appID := range apps {
		for _, uid := range g.Members {
			o.reconcileLocked(appID, uid)
		}
	}
	o.event("group.lifecycle.delete", "Delete Okta group", groupTarget(g))
	return nil
}

// AddGroupMember adds a user to a group (a no-op when already a member); apps the group is assigned to
// gain the user.
func (o *Org) AddGroupMember(groupID, userID string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	g, u, err := o.memberLocked(groupID, userID)
	if err != nil {
		return fmt.Errorf("add group member: %w", err)
	}
	if slices.Contains(g.Members, userID) {
		return nil
	}
	g.Members = append(g.Members, userID)
	g.LastMembershipUpdated = o.stamp()
	o.reconcileUserLocked(userID)
	o.event("group.user_membership.add", "Add user to group membership", userTarget(u), groupTarget(g))
	return nil
}

// RemoveGroupMember removes a user from a group; assignments the user had only through it go away.
func (o *Org) RemoveGroupMember(groupID, userID string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	g, u, err := o.memberLocked(groupID, userID)
	if err != nil {
		return fmt.Errorf("remove group member: %w", err)
	}
	if !slices.Contains(g.Members, userID) {
		return nil
	}
	g.Members = deleteString(g.Members, userID)
	g.LastMembershipUpdated = o.stamp()
	o.reconcileUserLocked(userID)
	o.event("group.user_membership.remove", "Remove user from group membership", userTarget(u), groupTarget(g))
	return nil
}

func (o *Org) memberLocked(groupID, userID string) (*Group, *User, error) {
	g, ok := o.groups[groupID]
	if !ok {
		return nil, nil, fmt.Errorf("group %q %w", groupID, ErrNotFound)
	}
	u, ok := o.users[userID]
	if !ok {
		return nil, nil, fmt.Errorf("user %q %w", userID, ErrNotFound)
	}
	return g, u, nil
}

// GroupMembers returns the group's members in the order they were added.
func (o *Org) GroupMembers(groupID string) ([]User, error) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	g, ok := o.groups[groupID]
	if !ok {
		return nil, fmt.Errorf("group members: group %q %w", groupID, ErrNotFound)
	}
	out := make([]User, 0, len(g.Members))
	for _, id := range g.Members {
		out = append(out, *o.users[id])
	}
	return out, nil
}

func groupTarget(g *Group) syslog.Target {
	return syslog.Target{ID: g.ID, Type: "UserGroup", AlternateID: "unknown", DisplayName: g.Name}
}
