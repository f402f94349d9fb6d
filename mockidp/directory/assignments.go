package directory

import "fmt"

// Assign records that a user is assigned to an app, with the user's email as
// the app username. Assigning twice keeps the first assignment and returns it.
func (o *Org) Assign(appID, userID string) (Assignment, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.apps[appID]; !ok {
		return Assignment{}, fmt.Errorf("assign: app %q %w", appID, ErrNotFound)
	}
	u, ok := o.users[userID]
	if !ok {
		return Assignment{}, fmt.Errorf("assign: user %q %w", userID, ErrNotFound)
	}
	byUser := o.assignments[appID]
	if byUser == nil {
		byUser = map[string]*Assignment{}
		o.assignments[appID] = byUser
	}
	if a, ok := byUser[userID]; ok {
		return *a, nil
	}
	a := &Assignment{AppID: appID, UserID: userID, UserName: u.Email}
	byUser[userID] = a
	return *a, nil
}

// Assignment returns the assignment of a user to an app.
func (o *Org) Assignment(appID, userID string) (Assignment, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	a, ok := o.assignments[appID][userID]
	if !ok {
		return Assignment{}, false
	}
	return *a, true
}

// IsAssigned reports whether the user is assigned to the app.
func (o *Org) IsAssigned(appID, userID string) bool {
	_, ok := o.Assignment(appID, userID)
	return ok
}

// SetExternalID stores the id the app's SCIM server gave the assigned user.
func (o *Org) SetExternalID(appID, userID, externalID string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	a, ok := o.assignments[appID][userID]
	if !ok {
		return fmt.Errorf("set external id: assignment of %q to %q %w", userID, appID, ErrNotFound)
	}
	a.ExternalID = externalID
	return nil
}
