package console

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/provisioner"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// The Provisioning tab ("Configure API integration", "Provisioning to App") and the Push Groups tab.
// The SCIM token is write-only: the page only says whether one is set, and saving with the token field
// empty keeps the current one.

// provisioningView is what the two tabs show.
type provisioningView struct {
	Enabled  bool
	BaseURL  string
	HasToken bool
	Flavour  string
	Auth     string // bearer, header or basic
	Username string
	Features directory.Features
	Pushed   []pushedGroupView
	// Pushable are the groups not pushed yet, assigned ones first (Okta pushes assigned groups).
	Pushable []directory.Group
	// LastTest is the System Log event of the app's latest Test API Credentials, if any; LastTestLog
	// is the System Log filtered to those events, where the exchange can be expanded.
	LastTest    *syslog.Event
	LastTestLog string
}

type pushedGroupView struct {
	directory.GroupPush
	Group    directory.Group
	Assigned bool
}

func (c *Console) provisioningView(app directory.App) provisioningView {
	v := provisioningView{Flavour: directory.FlavourOIN, Auth: directory.AuthBearer, Features: directory.AllFeatures}
	if p := app.Provisioning; p != nil {
		v.Enabled, v.BaseURL, v.HasToken = true, p.BaseURL, p.Token != ""
		v.Username = p.Username
		if p.Auth != "" {
			v.Auth = p.Auth
		}
		v.Flavour, v.Features = p.FlavourOrDefault(), p.Enabled()
	}
	var assigned, other []directory.Group
	for _, g := range c.dir.Groups() {
		_, isAssigned := c.dir.GroupAssignment(app.ID, g.ID)
		if gp, ok := c.dir.GroupPush(app.ID, g.ID); ok {
			v.Pushed = append(v.Pushed, pushedGroupView{GroupPush: gp, Group: g, Assigned: isAssigned})
		} else if isAssigned {
			assigned = append(assigned, g)
		} else {
			other = append(other, g)
		}
	}
	v.Pushable = append(assigned, other...)
	if tests := c.cfg.Log.Events(syslog.Query{EventType: provisioner.EventTestAPI, TargetID: app.ID, Limit: 1}); len(tests) == 1 {
		v.LastTest = &tests[0]
	}
	v.LastTestLog = c.path + "/logs?" + url.Values{"app": {app.ID}, "type": {provisioner.EventTestAPI}}.Encode()
	return v
}

// saveProvisioning is the Provisioning tab's Save: "Enable API integration" off clears provisioning.
func (c *Console) saveProvisioning(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	back := "/apps/" + id + "?tab=provisioning"
	app, ok := c.dir.App(id)
	if !ok {
		http.NotFound(w, r)
		return
	}
	f := r.PostFormValue
	if f("enabled") != "on" {
		c.back(w, r, back, c.dir.SetProvisioning(id, directory.Provisioning{}), "API integration disabled.")
		return
	}
	p := directory.Provisioning{BaseURL: strings.TrimSpace(f("baseUrl")), Token: strings.TrimSpace(f("token")),
		Auth: f("auth"), Username: strings.TrimSpace(f("username")), Flavour: f("flavour"), Features: &directory.Features{Create: f("create") == "on", Update: f("update") == "on",
			Deactivate: f("deactivate") == "on", PushGroups: f("pushGroups") == "on", SyncPassword: f("syncPassword") == "on"}}
	if p.Token == "" && app.Provisioning != nil {
		p.Token = app.Provisioning.Token // write-only field left empty: keep the token
	}
	var err error
	if p.Token == "" {
		err = errors.New("an API token is required")
	} else {
		err = c.dir.SetProvisioning(id, p)
	}
	c.back(w, r, back, err, "Provisioning settings saved.")
}

// pushNow is the Provisioning tab's "Push Now" (Okta's "Provision User" / Force Sync).
func (c *Console) pushNow(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	err := errNoProvisioner
	if c.cfg.Provisioner != nil {
		err = c.cfg.Provisioner.Provision(r.Context(), id)
	}
	c.back(w, r, "/apps/"+id+"?tab=tasks", err, "Provisioning queued: see each task below.")
}

var errNoProvisioner = errors.New("provisioning is not available in this console")

// pushGroup is the Push Groups tab's "Push Groups" with a group selected and saved.
func (c *Console) pushGroup(w http.ResponseWriter, r *http.Request) {
	id, gid := r.PathValue("id"), r.PostFormValue("groupId")
	err := errNoProvisioner
	if c.cfg.Provisioner != nil {
		err = c.cfg.Provisioner.PushGroup(r.Context(), id, gid)
	}
	c.back(w, r, "/apps/"+id+"?tab=pushgroups", err, "Group pushed.")
}

// unlinkGroup is "Unlink pushed group" with its two choices: action=delete ("Delete the group in the
// target app") or action=leave ("Leave the group in the target app").
func (c *Console) unlinkGroup(w http.ResponseWriter, r *http.Request) {
	id, gid := r.PathValue("id"), r.PathValue("gid")
	action := r.PostFormValue("action")
	if action != "delete" && action != "leave" {
		c.back(w, r, "/apps/"+id+"?tab=pushgroups", errors.New(`choose "delete" or "leave"`), "")
		return
	}
	err := errNoProvisioner
	if c.cfg.Provisioner != nil {
		err = c.cfg.Provisioner.UnlinkGroup(r.Context(), id, gid, action == "delete")
	}
	notice := "Group unlinked; the app keeps its group."
	if action == "delete" {
		notice = "Group unlinked and deleted in the app."
	}
	c.back(w, r, "/apps/"+id+"?tab=pushgroups", err, notice)
}
