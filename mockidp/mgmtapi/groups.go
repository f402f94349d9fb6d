package mgmtapi

import (
	"net/http"
	"strings"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

func (a *API) writeGroups(w http.ResponseWriter, groups []directory.Group) error {
	js := make([]groupJSON, 0, len(groups))
	for _, g := range groups {
		js = append(js, a.group(g))
	}
	writeJSON(w, http.StatusOK, js)
	return nil
}

func (a *API) listGroups(w http.ResponseWriter, r *http.Request) error {
	text := strings.ToLower(r.URL.Query().Get("q"))
	var out []directory.Group
	for _, g := range a.groups() {
		if strings.HasPrefix(strings.ToLower(g.Name), text) {
			out = append(out, g)
		}
	}
	out = page(w, r, a.cfg.BaseURL, out, func(g directory.Group) string { return g.ID }, 10000)
	return a.writeGroups(w, out)
}

type groupInput struct {
	Profile struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	} `json:"profile"`
}

func (a *API) createGroup(w http.ResponseWriter, r *http.Request) error {
	var in groupInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Profile.Name) == "" {
		return validation("name", nil, "name: The field cannot be left blank")
	}
	g, err := a.dir.CreateGroup(directory.GroupInput{Name: in.Profile.Name, Description: in.Profile.Description})
	if err != nil {
		return fromDirectory(err, in.Profile.Name, "UserGroup", "name")
	}
	writeJSON(w, http.StatusOK, a.group(g))
	return nil
}

// groups returns the built-in Everyone group, then the org's groups in creation order (Okta lists the
// oldest first, and Everyone is as old as the org).
func (a *API) groups() []directory.Group {
	return append([]directory.Group{a.dir.Everyone()}, a.dir.Groups()...)
}

// groupByID finds a group, the built-in one included.
func (a *API) groupByID(id string) (directory.Group, bool) {
	if id == a.dir.EveryoneID() {
		return a.dir.Everyone(), true
	}
	return a.dir.Group(id)
}

// errBuiltIn refuses changes to the Everyone group; Okta lets only OKTA_GROUP groups be changed and
// their members managed (Groups API: "Replace a group", "Assign a user to a group").
var errBuiltIn = &apiError{Status: http.StatusForbidden, Code: "E0000006",
	Summary: "You do not have permission to perform the requested action"}

// notBuiltIn refuses a change to the Everyone group.
func (a *API) notBuiltIn(id string) error {
	if id == a.dir.EveryoneID() {
		return errBuiltIn
	}
	return nil
}

func (a *API) getGroup(w http.ResponseWriter, r *http.Request) error {
	g, ok := a.groupByID(r.PathValue("id"))
	if !ok {
		return notFound(r.PathValue("id"), "UserGroup")
	}
	writeJSON(w, http.StatusOK, a.group(g))
	return nil
}

func (a *API) updateGroup(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := a.notBuiltIn(id); err != nil {
		return err
	}
	var in groupInput
	if err := decode(r, &in); err != nil {
		return err
	}
	g, err := a.dir.UpdateGroup(id, directory.GroupInput{Name: in.Profile.Name, Description: in.Profile.Description})
	if err != nil {
		return fromDirectory(err, id, "UserGroup", "name")
	}
	a.syncGroup(r.Context(), id) // rename of a pushed group (A16)
	writeJSON(w, http.StatusOK, a.group(g))
	return nil
}

func (a *API) deleteGroup(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := a.notBuiltIn(id); err != nil {
		return err
	}
	members := a.members(id)
	if err := a.dir.DeleteGroup(id); err != nil {
		return fromDirectory(err, id, "UserGroup", "id")
	}
	a.syncUsers(r.Context(), members...) // members who lose an app are deactivated there (A20)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) groupUsers(w http.ResponseWriter, r *http.Request) error {
	var users []directory.User
	var err error
	if r.PathValue("id") == a.dir.EveryoneID() {
		users = a.dir.Users()
	} else {
		users, err = a.dir.GroupMembers(r.PathValue("id"))
	}
	if err != nil {
		return fromDirectory(err, r.PathValue("id"), "UserGroup", "id")
	}
	users = page(w, r, a.cfg.BaseURL, users, func(u directory.User) string { return u.ID }, 1000)
	return a.writeUsers(w, users)
}

func (a *API) membership(r *http.Request) (groupID, userID string, err error) {
	groupID = r.PathValue("id")
	if err := a.notBuiltIn(groupID); err != nil {
		return "", "", err
	}
	if _, ok := a.dir.Group(groupID); !ok {
		return "", "", notFound(groupID, "UserGroup")
	}
	u, err := a.userByRef(r.PathValue("uid"))
	return groupID, u.ID, err
}

func (a *API) addGroupUser(w http.ResponseWriter, r *http.Request) error {
	gid, uid, err := a.membership(r)
	if err != nil {
		return err
	}
	if err := a.dir.AddGroupMember(gid, uid); err != nil {
		return fromDirectory(err, gid, "UserGroup", "id")
	}
	a.syncUsers(r.Context(), uid)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) removeGroupUser(w http.ResponseWriter, r *http.Request) error {
	gid, uid, err := a.membership(r)
	if err != nil {
		return err
	}
	if err := a.dir.RemoveGroupMember(gid, uid); err != nil {
		return fromDirectory(err, gid, "UserGroup", "id")
	}
	a.syncUsers(r.Context(), uid)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
