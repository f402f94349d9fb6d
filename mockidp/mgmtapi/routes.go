package mgmtapi

import "net/http"

// Mount registers the API's routes on mux (paths relative to the org base URL).
func (a *API) Mount(mux *http.ServeMux) {
	h := func(pattern string, fn handlerFunc) { mux.HandleFunc(pattern, a.wrap(fn)) }
	h("GET /api/v1/users", a.listUsers)
	h("POST /api/v1/users", a.createUser)
	h("GET /api/v1/users/{id}", a.getUser)
	h("POST /api/v1/users/{id}", a.updateUser)
	h("DELETE /api/v1/users/{id}", a.deleteUser)
	h("POST /api/v1/users/{id}/lifecycle/{op}", a.lifecycle)
	h("GET /api/v1/users/{id}/groups", a.userGroups)

	h("GET /api/v1/groups", a.listGroups)
	h("POST /api/v1/groups", a.createGroup)
	h("GET /api/v1/groups/{id}", a.getGroup)
	h("PUT /api/v1/groups/{id}", a.updateGroup)
	h("DELETE /api/v1/groups/{id}", a.deleteGroup)
	h("GET /api/v1/groups/{id}/users", a.groupUsers)
	h("PUT /api/v1/groups/{id}/users/{uid}", a.addGroupUser)
	h("DELETE /api/v1/groups/{id}/users/{uid}", a.removeGroupUser)

	h("GET /api/v1/apps", a.listApps)
	h("GET /api/v1/apps/{id}", a.getApp)
	h("PUT /api/v1/apps/{id}", a.replaceApp)
	h("GET /api/v1/apps/{id}/users", a.listAppUsers)
	h("POST /api/v1/apps/{id}/users", a.assignUser)
	h("GET /api/v1/apps/{id}/users/{uid}", a.getAppUser)
	h("DELETE /api/v1/apps/{id}/users/{uid}", a.unassignUser)
	h("GET /api/v1/apps/{id}/groups", a.listAppGroups)
	h("GET /api/v1/apps/{id}/groups/{gid}", a.getAppGroup)
	h("PUT /api/v1/apps/{id}/groups/{gid}", a.assignGroup)
	h("DELETE /api/v1/apps/{id}/groups/{gid}", a.unassignGroup)

	h("GET /api/v1/apps/{id}/tasks", a.listTasks)
	h("POST /api/v1/apps/{id}/tasks/lifecycle/retry", a.retryAllTasks)
	h("POST /api/v1/apps/{id}/tasks/{task}/lifecycle/{op}", a.taskLifecycle)
	h("GET /api/v1/mock/apps/{id}/faults", a.getFaults)
	h("PUT /api/v1/mock/apps/{id}/faults", a.putFaults)

	h("GET /api/v1/logs", a.listLogs)
	h("/api/v1/", func(w http.ResponseWriter, r *http.Request) error { return notFoundPath(r.URL.Path) })
}
