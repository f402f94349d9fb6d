package console

import (
	"net/http"
	"slices"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/provisioner"
)

func (c *Console) appsPage(w http.ResponseWriter, r *http.Request) {
	c.render(w, r, http.StatusOK, "apps", "apps", "Applications", c.dir.Apps())
}

// signOn holds the values an admin copies from the Sign On tab.
type signOn struct {
	Issuer, Discovery, DefaultDiscovery, Authorize, Token, Keys string
	EntityID, MetadataURL, SSOURL                               string
}

type assignedUser struct {
	directory.Assignment
	User directory.User
}

type assignedGroup struct {
	directory.GroupAssignment
	Group directory.Group
}

type appView struct {
	App         directory.App
	Tab         string
	SignOn      signOn
	Users       []assignedUser
	Groups      []assignedGroup
	OtherUsers  []directory.User
	OtherGroups []directory.Group
	// Provisioning feeds the Provisioning and Push Groups tabs.
	Provisioning provisioningView
	// Tasks and Faults feed the Tasks and Faults tabs.
	Tasks  []provisioner.Task
	Faults []faultRow
	// Settings feeds the General tab's edit form.
	Settings settingsForm
}

func (c *Console) appPage(w http.ResponseWriter, r *http.Request) {
	app, ok := c.dir.App(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	c.renderApp(w, r, http.StatusOK, app, nil)
}

// renderApp shows the app's page on the tab the query names; form, when not nil, is the General tab's
// edit form as posted (with its errors).
func (c *Console) renderApp(w http.ResponseWriter, r *http.Request, status int, app directory.App, form *settingsForm) {
	tab := r.URL.Query().Get("tab")
	if !slices.Contains([]string{"general", "signon", "assignments", "provisioning", "pushgroups", "tasks", "faults"}, tab) {
		tab = "general"
	}
	base := c.cfg.BaseURL
	v := appView{App: app, Tab: tab, SignOn: signOn{Issuer: base,
		Discovery:        base + "/.well-known/openid-configuration",
		DefaultDiscovery: base + "/oauth2/default/.well-known/openid-configuration",
		Authorize:        base + "/oauth2/v1/authorize", Token: base + "/oauth2/v1/token", Keys: base + "/oauth2/v1/keys"}}
	if s := app.SAML; s != nil {
		v.SignOn.EntityID = directory.SAMLEntityID(s.ExternalKey)
		v.SignOn.MetadataURL = base + directory.SAMLMetadataPath(s.ExternalKey)
		v.SignOn.SSOURL = base + directory.SAMLSSOPath(s.AppName, s.ExternalKey)
	}
	for _, asg := range c.dir.AppUsers(app.ID) {
		u, _ := c.dir.User(asg.UserID)
		v.Users = append(v.Users, assignedUser{Assignment: asg, User: u})
	}
	for _, ga := range c.dir.AppGroups(app.ID) {
		g, _ := c.dir.Group(ga.GroupID)
		v.Groups = append(v.Groups, assignedGroup{GroupAssignment: ga, Group: g})
	}
	for _, u := range c.dir.Users() {
		if a, ok := c.dir.Assignment(app.ID, u.ID); !ok || a.Scope != directory.ScopeUser {
			v.OtherUsers = append(v.OtherUsers, u)
		}
	}
	for _, g := range c.dir.Groups() {
		if _, ok := c.dir.GroupAssignment(app.ID, g.ID); !ok {
			v.OtherGroups = append(v.OtherGroups, g)
		}
	}
	v.Provisioning = c.provisioningView(app)
	v.Tasks = c.tasks(app.ID)
	slices.Reverse(v.Tasks) // newest first
	v.Faults = c.faultRows(app.ID, app.Faults, app.SAML != nil)
	v.Settings = settingsFormOf(app)
	if form != nil {
		v.Settings = *form
	}
	c.render(w, r, status, "app", "apps", app.Label, v)
}

func (c *Console) assignUser(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	uid := r.PostFormValue("userId")
	_, err := c.dir.Assign(id, uid)
	if err == nil {
		c.syncUsers(r.Context(), uid)
	}
	c.back(w, r, "/apps/"+id+"?tab=assignments", err, "User assigned.")
}

func (c *Console) unassignUser(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	err := c.dir.Unassign(id, r.PathValue("uid"))
	if err == nil {
		c.syncUsers(r.Context(), r.PathValue("uid"))
	}
	c.back(w, r, "/apps/"+id+"?tab=assignments", err, "User unassigned.")
}

func (c *Console) assignGroup(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	gid := r.PostFormValue("groupId")
	_, err := c.dir.AssignGroup(id, gid)
	if err == nil {
		c.syncUsers(r.Context(), c.members(gid)...)
	}
	c.back(w, r, "/apps/"+id+"?tab=assignments", err, "Group assigned.")
}

func (c *Console) unassignGroup(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	err := c.dir.UnassignGroup(id, r.PathValue("gid"))
	if err == nil {
		c.syncUsers(r.Context(), c.members(r.PathValue("gid"))...)
	}
	c.back(w, r, "/apps/"+id+"?tab=assignments", err, "Group unassigned.")
}
