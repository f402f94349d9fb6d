package directory

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// Snapshot is the whole state of an org, for the state file. Its JSON form is documented in package
// mockidp (state.go). It holds secrets: user passwords, client secrets, SCIM tokens.
type Snapshot struct {
	ID               string             `json:"id"`
	Users            []User             `json:"users"`
	Groups           []Group            `json:"groups"`
	Apps             []App              `json:"apps"`
	Assignments      []AssignmentRecord `json:"assignments"`
	GroupAssignments []GroupAssignment  `json:"groupAssignments"`
	// PushedUsers and GroupPushes are what apps' SCIM servers were told (absent in older state files:
	// Restore derives pushed users from assignments with an external id).
	PushedUsers []PushedUser `json:"pushedUsers,omitempty"`
	GroupPushes []GroupPush  `json:"groupPushes,omitempty"`
}

// AssignmentRecord is a stored app user: Direct says the user is assigned directly (besides any group).
type AssignmentRecord struct {
	Assignment
	Direct bool `json:"direct"`
}

// Snapshot returns a deep copy of the org's state.
func (o *Org) Snapshot() Snapshot {
	o.mu.RLock()
	defer o.mu.RUnlock()
	s := Snapshot{ID: o.id}
	for _, id := range o.userOrder {
		s.Users = append(s.Users, *o.users[id])
	}
	for _, id := range o.groupOrder {
		s.Groups = append(s.Groups, o.groups[id].clone())
	}
	for _, appID := range o.appOrder {
		s.Apps = append(s.Apps, o.apps[appID].clone())
		for _, uid := range o.userOrder {
			if rec, ok := o.assignments[appID][uid]; ok {
				s.Assignments = append(s.Assignments, AssignmentRecord{Assignment: rec.Assignment, Direct: rec.direct})
			}
		}
		for _, ga := range o.groupAssignments[appID] {
			s.GroupAssignments = append(s.GroupAssignments, *ga)
		}
		for _, uid := range o.userOrder {
			if p, ok := o.pushedUsers[appID][uid]; ok {
				s.PushedUsers = append(s.PushedUsers, *p)
			}
		}
		for _, gid := range o.groupOrder {
			if gp, ok := o.groupPushes[appID][gid]; ok {
				s.GroupPushes = append(s.GroupPushes, gp.clone())
			}
		}
	}
	return s
}

// Restore creates an org from a snapshot; cfg.ID is replaced by the snapshot's. Nothing is logged.
func Restore(cfg Config, s Snapshot) (*Org, error) {
	if s.ID == "" {
		return nil, fmt.Errorf("restore org %q: no org id: %w", cfg.Name, ErrInvalid)
	}
	cfg.ID, cfg.Log = s.ID, nil // no events for restored state
	o, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if err := o.restore(s); err != nil {
		return nil, fmt.Errorf("restore org %q: %w", cfg.Name, err)
	}
	return o, nil
}

// SetLog attaches the System Log after a Restore.
func (o *Org) SetLog(l *syslog.Log) { o.log = l }

func (o *Org) restore(s Snapshot) error {
	for _, u := range s.Users {
		key := strings.ToLower(u.Login)
		if _, dup := o.users[u.ID]; dup || o.logins[key] != "" || u.ID == "" {
			return fmt.Errorf("user %q %w or has no id", u.Login, ErrConflict)
		}
		o.users[u.ID], o.logins[key] = &u, u.ID
		o.userOrder = append(o.userOrder, u.ID)
	}
	for _, g := range s.Groups {
		if _, dup := o.groups[g.ID]; dup || g.ID == "" {
			return fmt.Errorf("group %q %w or has no id", g.Name, ErrConflict)
		}
		g.Members = slices.DeleteFunc(slices.Clone(g.Members), func(id string) bool { return o.users[id] == nil })
		o.groups[g.ID] = &g
		o.groupOrder = append(o.groupOrder, g.ID)
	}
	for _, a := range s.Apps {
		if _, dup := o.apps[a.ID]; dup || a.ID == "" {
			return fmt.Errorf("app %q %w or has no id", a.Label, ErrConflict)
		}
		c := a.clone()
		o.apps[a.ID] = &c
		o.appOrder = append(o.appOrder, a.ID)
	}
	for _, r := range s.Assignments {
		if o.apps[r.AppID] == nil || o.users[r.UserID] == nil {
			return fmt.Errorf("assignment of %q to %q: %w", r.UserID, r.AppID, ErrNotFound)
		}
		if o.assignments[r.AppID] == nil {
			o.assignments[r.AppID] = map[string]*appUser{}
		}
		o.assignments[r.AppID][r.UserID] = &appUser{Assignment: r.Assignment, direct: r.Direct}
	}
	for _, ga := range s.GroupAssignments {
		if o.apps[ga.AppID] == nil || o.groups[ga.GroupID] == nil {
			return fmt.Errorf("group assignment of %q to %q: %w", ga.GroupID, ga.AppID, ErrNotFound)
		}
		o.groupAssignments[ga.AppID] = append(o.groupAssignments[ga.AppID], &ga)
	}
	for _, uid := range o.userOrder { // drop records a group no longer justifies
		o.reconcileUserLocked(uid)
	}
	o.restorePushes(s)
	return nil
}

// restorePushes restores pushed users and group links, skipping those whose user, group or app is gone.
// A state file without pushed users gets them from assignments with an external id (active, with the
// user's current profile), so an older file does not re-create users on the next push.
func (o *Org) restorePushes(s Snapshot) {
	keep := func(appID, userID string) bool { return o.apps[appID] != nil && o.users[userID] != nil }
	for _, p := range s.PushedUsers {
		if keep(p.AppID, p.UserID) {
			if o.pushedUsers[p.AppID] == nil {
				o.pushedUsers[p.AppID] = map[string]*PushedUser{}
			}
			c := p
			o.pushedUsers[p.AppID][p.UserID] = &c
		}
	}
	if len(s.PushedUsers) == 0 {
		for _, r := range s.Assignments {
			if r.ExternalID == "" || !keep(r.AppID, r.UserID) {
				continue
			}
			u := o.users[r.UserID]
			if o.pushedUsers[r.AppID] == nil {
				o.pushedUsers[r.AppID] = map[string]*PushedUser{}
			}
			o.pushedUsers[r.AppID][r.UserID] = &PushedUser{AppID: r.AppID, UserID: r.UserID,
				ExternalID: r.ExternalID, UserName: r.UserName, GivenName: u.FirstName, FamilyName: u.LastName,
				Email: u.Email, DisplayName: u.DisplayName(), Active: true}
		}
	}
	for _, gp := range s.GroupPushes {
		if o.apps[gp.AppID] == nil || o.groups[gp.GroupID] == nil {
			continue
		}
		if o.groupPushes[gp.AppID] == nil {
			o.groupPushes[gp.AppID] = map[string]*GroupPush{}
		}
		c := gp.clone()
		o.groupPushes[gp.AppID][gp.GroupID] = &c
	}
}
