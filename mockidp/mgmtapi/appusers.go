package mgmtapi

import (
	"net/http"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

type appUserJSON struct {
	ID            string            `json:"id"`
	ExternalID    *string           `json:"externalId"`
	Created       *oktaTime         `json:"created"`
	LastUpdated   *oktaTime         `json:"lastUpdated"`
	Scope         string            `json:"scope"`
	Status        string            `json:"status"`
	StatusChanged *oktaTime         `json:"statusChanged"`
	SyncState     string            `json:"syncState"`
	Credentials   map[string]string `json:"credentials"`
	Profile       map[string]any    `json:"profile"`
	Links         map[string]link   `json:"_links"`
}

func (a *API) appUser(app directory.App, asg directory.Assignment) appUserJSON {
	j := appUserJSON{ID: asg.UserID, Created: ts(asg.Created), LastUpdated: ts(asg.Created), Scope: asg.Scope,
		Status: "ACTIVE", StatusChanged: ts(asg.Created), SyncState: "DISABLED",
		Credentials: map[string]string{"userName": asg.UserName}, Profile: map[string]any{},
		Links: map[string]link{"app": {Href: a.cfg.BaseURL + "/api/v1/apps/" + app.ID},
			"user": {Href: a.cfg.BaseURL + "/api/v1/users/" + asg.UserID}}}
	if app.Provisioning != nil {
		j.Status, j.SyncState = "PROVISIONED", "SYNCHRONIZED"
		if asg.ExternalID == "" {
			j.SyncState = "ERROR" // the push has not succeeded (yet)
		}
	}
	if asg.ExternalID != "" {
		id := asg.ExternalID
		j.ExternalID = &id
	}
	return j
}

func (a *API) listAppUsers(w http.ResponseWriter, r *http.Request) error {
	app, err := a.appByPath(r)
	if err != nil {
		return err
	}
	asgs := page(w, r, a.cfg.BaseURL, a.dir.AppUsers(app.ID), func(x directory.Assignment) string { return x.UserID }, 500)
	js := make([]appUserJSON, 0, len(asgs))
	for _, asg := range asgs {
		js = append(js, a.appUser(app, asg))
	}
	writeJSON(w, http.StatusOK, js)
	return nil
}

func (a *API) assignUser(w http.ResponseWriter, r *http.Request) error {
	app, err := a.appByPath(r)
	if err != nil {
		return err
	}
	var in struct {
		ID    string `json:"id"`
		Scope string `json:"scope"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.ID == "" {
		return validation("id", nil, "id: The field cannot be left blank")
	}
	u, err := a.userByRef(in.ID)
	if err != nil {
		return err
	}
	if _, err := a.dir.Assign(app.ID, u.ID); err != nil {
		return fromDirectory(err, app.ID, "AppInstance", "id")
	}
	a.syncUsers(r.Context(), u.ID)
	asg, _ := a.dir.Assignment(app.ID, u.ID)
	app, _ = a.dir.App(app.ID)
	writeJSON(w, http.StatusOK, a.appUser(app, asg))
	return nil
}

func (a *API) getAppUser(w http.ResponseWriter, r *http.Request) error {
	app, err := a.appByPath(r)
	if err != nil {
		return err
	}
	asg, ok := a.dir.Assignment(app.ID, r.PathValue("uid"))
	if !ok {
		return notFound(r.PathValue("uid"), "AppUser")
	}
	writeJSON(w, http.StatusOK, a.appUser(app, asg))
	return nil
}

func (a *API) unassignUser(w http.ResponseWriter, r *http.Request) error {
	app, err := a.appByPath(r)
	if err != nil {
		return err
	}
	uid := r.PathValue("uid")
	if err := a.dir.Unassign(app.ID, uid); err != nil {
		return fromDirectory(err, uid, "AppUser", "scope")
	}
	a.syncUsers(r.Context(), uid)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type appGroupJSON struct {
	ID          string          `json:"id"`
	LastUpdated *oktaTime       `json:"lastUpdated"`
	Priority    int             `json:"priority"`
	Profile     map[string]any  `json:"profile"`
	Links       map[string]link `json:"_links"`
}

func (a *API) appGroup(ga directory.GroupAssignment) appGroupJSON {
	return appGroupJSON{ID: ga.GroupID, LastUpdated: ts(ga.Created), Priority: ga.Priority,
		Profile: map[string]any{}, Links: map[string]link{
			"app":   {Href: a.cfg.BaseURL + "/api/v1/apps/" + ga.AppID},
			"group": {Href: a.cfg.BaseURL + "/api/v1/groups/" + ga.GroupID}}}
}

func (a *API) listAppGroups(w http.ResponseWriter, r *http.Request) error {
	app, err := a.appByPath(r)
	if err != nil {
		return err
	}
	gas := page(w, r, a.cfg.BaseURL, a.dir.AppGroups(app.ID), func(x directory.GroupAssignment) string { return x.GroupID }, 200)
	js := make([]appGroupJSON, 0, len(gas))
	for _, ga := range gas {
		js = append(js, a.appGroup(ga))
	}
	writeJSON(w, http.StatusOK, js)
	return nil
}

func (a *API) getAppGroup(w http.ResponseWriter, r *http.Request) error {
	app, err := a.appByPath(r)
	if err != nil {
		return err
	}
	ga, ok := a.dir.GroupAssignment(app.ID, r.PathValue("gid"))
	if !ok {
		return notFound(r.PathValue("gid"), "ApplicationGroupAssignment")
	}
	writeJSON(w, http.StatusOK, a.appGroup(ga))
	return nil
}

func (a *API) assignGroup(w http.ResponseWriter, r *http.Request) error {
	app, err := a.appByPath(r)
	if err != nil {
		return err
	}
	gid := r.PathValue("gid")
	ga, err := a.dir.AssignGroup(app.ID, gid)
	if err != nil {
		return fromDirectory(err, gid, "UserGroup", "id")
	}
	a.syncUsers(r.Context(), a.members(gid)...)
	writeJSON(w, http.StatusOK, a.appGroup(ga))
	return nil
}

func (a *API) unassignGroup(w http.ResponseWriter, r *http.Request) error {
	app, err := a.appByPath(r)
	if err != nil {
		return err
	}
	gid := r.PathValue("gid")
	if err := a.dir.UnassignGroup(app.ID, gid); err != nil {
		return fromDirectory(err, gid, "ApplicationGroupAssignment", "id")
	}
	a.syncUsers(r.Context(), a.members(gid)...)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
