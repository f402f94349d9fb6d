package console

import "net/http"

// Mount registers the console's routes on mux (paths relative to the org base URL). Every route is
// wrapped in cross-origin protection; all but the login page need a session.
func (c *Console) Mount(mux *http.ServeMux) {
	cop := http.NewCrossOriginProtection()
	open := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, cop.Handler(h)) }
	auth := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, cop.Handler(c.requireSession(h))) }
	open("GET /admin/login", c.loginPage)
	open("POST /admin/login", c.login)
	open("POST /admin/logout", c.logout)
	auth("GET /admin", c.home)
	auth("GET /admin/{$}", c.home)
	auth("GET /admin/users", c.usersPage)
	auth("POST /admin/users", c.createUser)
	auth("POST /admin/users/{id}/{op}", c.userOp)
	auth("GET /admin/users/{id}", c.userPage)
	auth("POST /admin/users/{id}/profile", c.saveProfile)
	auth("GET /admin/groups", c.groupsPage)
	auth("POST /admin/groups", c.createGroup)
	auth("GET /admin/groups/{id}", c.groupPage)
	auth("POST /admin/groups/{id}/members", c.addMember)
	auth("POST /admin/groups/{id}/members/{uid}/remove", c.removeMember)
	auth("GET /admin/apps", c.appsPage)
	auth("GET /admin/apps/{id}", c.appPage)
	auth("POST /admin/apps/{id}/settings", c.saveSettings)
	auth("POST /admin/apps/{id}/users", c.assignUser)
	auth("POST /admin/apps/{id}/users/{uid}/remove", c.unassignUser)
	auth("POST /admin/apps/{id}/groups", c.assignGroup)
	auth("POST /admin/apps/{id}/groups/{gid}/remove", c.unassignGroup)
	auth("POST /admin/apps/{id}/provisioning", c.saveProvisioning)
	auth("POST /admin/apps/{id}/provisioning/push", c.pushNow)
	auth("POST /admin/apps/{id}/pushgroups", c.pushGroup)
	auth("POST /admin/apps/{id}/pushgroups/{gid}/unlink", c.unlinkGroup)
	auth("POST /admin/apps/{id}/provisioning/test", c.testCredentials)
	auth("POST /admin/apps/{id}/provisioning/forcesync", c.forceSync)
	auth("POST /admin/apps/{id}/provisioning/import", c.importNow)
	auth("POST /admin/apps/{id}/tasks/retry", c.retryAll)
	auth("POST /admin/apps/{id}/tasks/{task}/retry", c.retryTask)
	auth("POST /admin/apps/{id}/tasks/{task}/dismiss", c.dismissTask)
	auth("POST /admin/apps/{id}/faults", c.saveFaults)
	auth("GET /admin/logs", c.logsPage)
}

func (c *Console) requireSession(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !c.authorized(r) {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, c.path+"/login", http.StatusSeeOther)
				return
			}
			http.Error(w, "sign in to the admin console first", http.StatusUnauthorized)
			return
		}
		h(w, r)
	}
}
