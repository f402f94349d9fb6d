package console

import (
	"net/http"
	"slices"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

func (c *Console) groupsPage(w http.ResponseWriter, r *http.Request) {
	c.render(w, r, http.StatusOK, "groups", "groups", "Groups", c.dir.Groups())
}

func (c *Console) createGroup(w http.ResponseWriter, r *http.Request) {
	_, err := c.dir.CreateGroup(directory.GroupInput{Name: r.PostFormValue("name"),
		Description: r.PostFormValue("description")})
	c.back(w, r, "/groups", err, "Group "+r.PostFormValue("name")+" created.")
}

type groupView struct {
	Group     directory.Group
	Members   []directory.User
	Others    []directory.User // users who are not members, for the add form
	AppLabels []string
}

func (c *Console) groupPage(w http.ResponseWriter, r *http.Request) {
	g, ok := c.dir.Group(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	v := groupView{Group: g}
	for _, u := range c.dir.Users() {
		if slices.Contains(g.Members, u.ID) {
			v.Members = append(v.Members, u)
		} else {
			v.Others = append(v.Others, u)
		}
	}
	for _, app := range c.dir.Apps() {
		if _, ok := c.dir.GroupAssignment(app.ID, g.ID); ok {
			v.AppLabels = append(v.AppLabels, app.Label)
		}
	}
	c.render(w, r, http.StatusOK, "group", "groups", g.Name, v)
}

func (c *Console) addMember(w http.ResponseWriter, r *http.Request) {
	gid, uid := r.PathValue("id"), r.PostFormValue("userId")
	err := c.dir.AddGroupMember(gid, uid)
	if err == nil {
		c.syncUsers(r.Context(), uid)
	}
	c.back(w, r, "/groups/"+gid, err, "Member added.")
}

func (c *Console) removeMember(w http.ResponseWriter, r *http.Request) {
	gid := r.PathValue("id")
	err := c.dir.RemoveGroupMember(gid, r.PathValue("uid"))
	if err == nil {
		c.syncUsers(r.Context(), r.PathValue("uid"))
	}
	c.back(w, r, "/groups/"+gid, err, "Member removed.")
}
