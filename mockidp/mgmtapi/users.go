package mgmtapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

func userAttr(u directory.User) func(string) (string, bool) {
	return func(attr string) (string, bool) {
		switch attr {
		case "id":
			return u.ID, true
		case "status":
			return u.Status, true
		case "profile.login":
			return u.Login, true
		case "profile.email":
			return u.Email, true
		case "profile.firstName":
			return u.FirstName, true
		case "profile.lastName":
			return u.LastName, true
		}
		return "", false
	}
}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	expr, hasExpr := q.Get("filter"), true
	if expr == "" {
		expr = q.Get("search")
	}
	if expr == "" {
		hasExpr = false
	}
	parsed, ok := parseExpr(expr)
	if hasExpr && !ok {
		return validation("filter", nil, "filter: Invalid search or filter expression")
	}
	text := strings.ToLower(q.Get("q"))
	var out []directory.User
	for _, u := range a.dir.Users() {
		switch {
		case hasExpr && !match(parsed, userAttr(u)):
		case !hasExpr && u.Status == directory.StatusDeactivated:
		case text != "" && !hasPrefixAny(text, u.Login, u.Email, u.FirstName, u.LastName):
		default:
			out = append(out, u)
		}
	}
	out = page(w, r, a.cfg.BaseURL, out, func(u directory.User) string { return u.ID }, 200)
	return a.writeUsers(w, out)
}

func hasPrefixAny(prefix string, values ...string) bool {
	for _, v := range values {
		if strings.HasPrefix(strings.ToLower(v), prefix) {
			return true
		}
	}
	return false
}

func (a *API) writeUsers(w http.ResponseWriter, users []directory.User) error {
	js := make([]userJSON, 0, len(users))
	for _, u := range users {
		js = append(js, a.user(u))
	}
	writeJSON(w, http.StatusOK, js)
	return nil
}

// userByRef finds a user by id or login, as Okta's /users/{id} accepts both.
func (a *API) userByRef(ref string) (directory.User, error) {
	if u, ok := a.dir.User(ref); ok {
		return u, nil
	}
	if u, ok := a.dir.UserByLogin(ref); ok {
		return u, nil
	}
	return directory.User{}, notFound(ref, "User")
}

type userInput struct {
	Profile struct {
		Login, Email, FirstName, LastName *string
	} `json:"profile"`
	Credentials struct {
		Password struct {
			Value *string `json:"value"`
		} `json:"password"`
	} `json:"credentials"`
	GroupIDs []string `json:"groupIds"`
}

func (a *API) createUser(w http.ResponseWriter, r *http.Request) error {
	var in userInput
	if err := decode(r, &in); err != nil {
		return err
	}
	p := in.Profile
	if p.Login == nil || strings.TrimSpace(*p.Login) == "" {
		return validation("login", nil, "login: The field cannot be left blank")
	}
	for _, gid := range in.GroupIDs {
		if _, ok := a.dir.Group(gid); !ok {
			return notFound(gid, "UserGroup")
		}
	}
	u, err := a.dir.CreateUser(directory.UserInput{Login: *p.Login, Email: deref(p.Email),
		FirstName: deref(p.FirstName), LastName: deref(p.LastName), Password: deref(in.Credentials.Password.Value),
		Staged: r.URL.Query().Get("activate") == "false"})
	if err != nil {
		return fromDirectory(err, *p.Login, "User", "login")
	}
	for _, gid := range in.GroupIDs {
		if err := a.dir.AddGroupMember(gid, u.ID); err != nil {
			return fromDirectory(err, gid, "UserGroup", "groupIds")
		}
	}
	a.syncUsers(r.Context(), u.ID)
	u, _ = a.dir.User(u.ID)
	writeJSON(w, http.StatusOK, a.user(u))
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (a *API) getUser(w http.ResponseWriter, r *http.Request) error {
	u, err := a.userByRef(r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.user(u))
	return nil
}

func (a *API) updateUser(w http.ResponseWriter, r *http.Request) error {
	u, err := a.userByRef(r.PathValue("id"))
	if err != nil {
		return err
	}
	var in userInput
	if err := decode(r, &in); err != nil {
		return err
	}
	p := in.Profile
	u, err = a.dir.UpdateUser(u.ID, directory.ProfileUpdate{Login: p.Login, Email: p.Email,
		FirstName: p.FirstName, LastName: p.LastName, Password: in.Credentials.Password.Value})
	if err != nil {
		return fromDirectory(err, u.ID, "User", "login")
	}
	a.syncUsers(r.Context(), u.ID) // Push Profile Updates (A4)
	u, _ = a.dir.User(u.ID)
	writeJSON(w, http.StatusOK, a.user(u))
	return nil
}

// deleteUser deactivates a user who is not DEPROVISIONED and deletes one who is, as Okta does.
func (a *API) deleteUser(w http.ResponseWriter, r *http.Request) error {
	u, err := a.userByRef(r.PathValue("id"))
	if err != nil {
		return err
	}
	if u.Status != directory.StatusDeactivated {
		err = a.dir.Deactivate(u.ID)
	} else {
		err = a.dir.DeleteUser(u.ID)
	}
	if err != nil {
		return fromDirectory(err, u.ID, "User", "status")
	}
	a.syncUsers(r.Context(), u.ID) // deactivation (A5); a deleted user is forgotten silently (A7)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) lifecycle(w http.ResponseWriter, r *http.Request) error {
	u, err := a.userByRef(r.PathValue("id"))
	if err != nil {
		return err
	}
	op := r.PathValue("op")
	switch op {
	case directory.OpActivate, directory.OpDeactivate, directory.OpSuspend, directory.OpUnsuspend:
	default:
		return notFoundPath(r.URL.Path)
	}
	if op == directory.OpActivate && u.Status == directory.StatusActive {
		return &apiError{Status: http.StatusForbidden, Code: "E0000016",
			Summary: "Activation failed because the user is already active"}
	}
	if err := a.dir.Transition(u.ID, op); err != nil {
		if errors.Is(err, directory.ErrLifecycle) {
			return &apiError{Status: http.StatusBadRequest, Code: "E0000001",
				Summary: "Api validation failed: status", Causes: []string{"status: cannot " + op + " a user whose status is " + u.Status},
				cause: err}
		}
		return fromDirectory(err, u.ID, "User", "status")
	}
	a.syncUsers(r.Context(), u.ID) // deactivation (A5) or reactivation (A8); suspension sends nothing
	writeJSON(w, http.StatusOK, struct{}{})
	return nil
}

func (a *API) userGroups(w http.ResponseWriter, r *http.Request) error {
	u, err := a.userByRef(r.PathValue("id"))
	if err != nil {
		return err
	}
	return a.writeGroups(w, append([]directory.Group{a.dir.Everyone()}, a.dir.UserGroups(u.ID)...))
}
