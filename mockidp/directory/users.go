package directory

import (
	"crypto/subtle"
	"fmt"
	"strings"
	"time"

	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// User statuses (Okta's user lifecycle names).
const (
	StatusStaged      = "STAGED"
	StatusActive      = "ACTIVE"
	StatusSuspended   = "SUSPENDED"
	StatusDeactivated = "DEPROVISIONED"
)

// User is an Okta user. Password is the plain password of this mock user; it must never be logged or
// shown back. Activated and LastLogin are zero until the user was activated / signed in.
type User struct {
	ID            string    `json:"id"`
	Login         string    `json:"login"`
	Email         string    `json:"email"`
	FirstName     string    `json:"firstName,omitempty"`
	LastName      string    `json:"lastName,omitempty"`
	Status        string    `json:"status"`
	Password      string    `json:"password,omitempty"`
	Created       time.Time `json:"created,omitzero"`
	Activated     time.Time `json:"activated,omitzero"`
	StatusChanged time.Time `json:"statusChanged,omitzero"`
	LastLogin     time.Time `json:"lastLogin,omitzero"`
	LastUpdated   time.Time `json:"lastUpdated,omitzero"`
	// TOTPSecret is the base32 secret of the user's Google Authenticator factor ("" = not enrolled); a
	// secret like the password, never logged or shown back.
	TOTPSecret string `json:"totpSecret,omitempty"`
}

// DisplayName is "First Last", Okta's default display name.
func (u User) DisplayName() string {
	return strings.TrimSpace(u.FirstName + " " + u.LastName)
}

// UserInput describes a user to create. Email defaults to Login. Staged creates the user STAGED
// (Okta's ?activate=false) instead of ACTIVE.
type UserInput struct {
	Login, Email, FirstName, LastName, Password string
	Staged                                      bool
}

// ProfileUpdate changes a user's profile; nil fields are kept. A login change must stay unique.
type ProfileUpdate struct {
	Login, Email, FirstName, LastName, Password *string
}

// CreateUser adds a user, ACTIVE unless in.Staged. Logins are unique, case-insensitively.
func (o *Org) CreateUser(in UserInput) (User, error) {
	if strings.TrimSpace(in.Login) == "" {
		return User{}, fmt.Errorf("create user: login is required: %w", ErrInvalid)
	}
	if in.Email == "" {
		in.Email = in.Login
	}
	id, err := NewID(o.rand, PrefixUser)
	if err != nil {
		return User{}, fmt.Errorf("create user %q: %w", in.Login, err)
	}
	now := o.stamp()
	u := &User{ID: id, Login: in.Login, Email: in.Email, FirstName: in.FirstName, LastName: in.LastName,
		Password: in.Password, Status: StatusActive, Created: now, Activated: now, StatusChanged: now,
		LastUpdated: now}
	if in.Staged {
		u.Status, u.Activated, u.StatusChanged = StatusStaged, time.Time{}, time.Time{}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	key := strings.ToLower(in.Login)
	if _, taken := o.logins[key]; taken {
		return User{}, fmt.Errorf("create user %q: login %w", in.Login, ErrConflict)
	}
	o.users[id] = u
	o.logins[key] = id
	o.userOrder = append(o.userOrder, id)
	o.event(syslog.TypeUserLifecycle+".create", "Create Okta user", userTarget(u))
	return *u, nil
}

// User returns the user with the given id.
func (o *Org) User(id string) (User, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	u, ok := o.users[id]
	if !ok {
		return User{}, false
	}
	return *u, true
}

// UserByLogin returns the user with the given login (case-insensitive).
func (o *Org) UserByLogin(login string) (User, bool) {
	o.mu.RLock()
	id, ok := o.logins[strings.ToLower(login)]
	o.mu.RUnlock()
	if !ok {
		return User{}, false
	}
	return o.User(id)
}

// Users returns every user in creation order.
func (o *Org) Users() []User {
	o.mu.RLock()
	defer o.mu.RUnlock()
	out := make([]User, 0, len(o.userOrder))
	for _, id := range o.userOrder {
		out = append(out, *o.users[id])
	}
	return out
}

// Authenticate checks a login and password and returns the ACTIVE user they belong to, recording the
// sign-in as the user's lastLogin. Every failure reports false, without saying why.
func (o *Org) Authenticate(login, password string) (User, bool) {
	u, ok := o.UserByLogin(login)
	if !ok || u.Status != StatusActive || u.Password == "" {
		return User{}, false
	}
	if subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) != 1 {
		return User{}, false
	}
	now := o.stamp()
	o.mu.Lock()
	if cur, ok := o.users[u.ID]; ok {
		cur.LastLogin = now
	}
	o.mu.Unlock()
	u.LastLogin = now
	return u, true
}

// UpdateUser changes a user's profile and returns the result.
func (o *Org) UpdateUser(id string, p ProfileUpdate) (User, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	u, ok := o.users[id]
	if !ok {
		return User{}, fmt.Errorf("update user: user %q %w", id, ErrNotFound)
	}
	if p.Login != nil {
		if strings.TrimSpace(*p.Login) == "" {
			return User{}, fmt.Errorf("update user %q: login cannot be blank: %w", id, ErrInvalid)
		}
		oldKey, newKey := strings.ToLower(u.Login), strings.ToLower(*p.Login)
		if other, taken := o.logins[newKey]; taken && other != id {
			return User{}, fmt.Errorf("update user %q: login %w", *p.Login, ErrConflict)
		}
		delete(o.logins, oldKey)
		o.logins[newKey] = id
		u.Login = *p.Login
	}
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&u.Email, p.Email)
	set(&u.FirstName, p.FirstName)
	set(&u.LastName, p.LastName)
	set(&u.Password, p.Password)
	u.LastUpdated = o.stamp()
	o.event("user.account.update_profile", "Update user profile for Okta", userTarget(u))
	return *u, nil
}

// Lifecycle operations, named as in Okta's API (/api/v1/users/{id}/lifecycle/{op}).
const (
	OpActivate   = "activate"
	OpDeactivate = "deactivate"
	OpSuspend    = "suspend"
	OpUnsuspend  = "unsuspend"
)

// transitions maps an operation to the statuses it starts from and the status it ends in.
var transitions = map[string]struct {
	from []string
	to   string
	msg  string
}{
	OpActivate:   {[]string{StatusStaged, StatusDeactivated}, StatusActive, "Activate Okta user"},
	OpDeactivate: {[]string{StatusStaged, StatusActive, StatusSuspended}, StatusDeactivated, "Deactivate Okta user"},
	OpSuspend:    {[]string{StatusActive}, StatusSuspended, "Suspend Okta user"},
	OpUnsuspend:  {[]string{StatusSuspended}, StatusActive, "Unsuspend Okta user"},
}

// Activate makes a STAGED or DEPROVISIONED user ACTIVE.
func (o *Org) Activate(id string) error { return o.Transition(id, OpActivate) }

// Deactivate makes a user DEPROVISIONED: the user can no longer sign in. Assignments are kept.
func (o *Org) Deactivate(id string) error { return o.Transition(id, OpDeactivate) }

// Suspend makes an ACTIVE user SUSPENDED.
func (o *Org) Suspend(id string) error { return o.Transition(id, OpSuspend) }

// Unsuspend makes a SUSPENDED user ACTIVE again.
func (o *Org) Unsuspend(id string) error { return o.Transition(id, OpUnsuspend) }

// Transition applies a lifecycle operation (OpActivate...). It fails with ErrLifecycle when the user's
// status does not allow it (e.g. suspending a user who is not ACTIVE).
func (o *Org) Transition(id, op string) error {
	t, ok := transitions[op]
	if !ok {
		return fmt.Errorf("user lifecycle %q: unknown operation: %w", op, ErrInvalid)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	u, ok := o.users[id]
	if !ok {
		return fmt.Errorf("%s user: user %q %w", op, id, ErrNotFound)
	}
	if !containsString(t.from, u.Status) {
		return fmt.Errorf("%s user %s: status is %s: %w", op, u.Login, u.Status, ErrLifecycle)
	}
	now := o.stamp()
	u.Status, u.StatusChanged, u.LastUpdated = t.to, now, now
	if t.to == StatusActive && op == OpActivate {
		u.Activated = now
	}
	o.event(syslog.TypeUserLifecycle+"."+op, t.msg, userTarget(u))
	return nil
}

// DeleteUser removes a DEPROVISIONED user with its group memberships and assignments.
func (o *Org) DeleteUser(id string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	u, ok := o.users[id]
	if !ok {
		return fmt.Errorf("delete user: user %q %w", id, ErrNotFound)
	}
	if u.Status != StatusDeactivated {
		return fmt.Errorf("delete user %s: deactivate the user first: %w", u.Login, ErrLifecycle)
	}
	for _, g := range o.groups {
		g.Members = deleteString(g.Members, id)
	}
	for _, byUser := range o.assignments {
		delete(byUser, id)
	}
	o.forgetUserLocked(id)
	delete(o.users, id)
	delete(o.logins, strings.ToLower(u.Login))
	o.userOrder = deleteString(o.userOrder, id)
	o.event(syslog.TypeUserLifecycle+".delete.initiated", "Delete Okta user", userTarget(u))
	return nil
}
