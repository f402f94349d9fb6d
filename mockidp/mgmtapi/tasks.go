package mgmtapi

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/ssoconform/ssoconform/mockidp/provisioner"
)

// Provisioning tasks and the mock-only faults endpoint:
//
//	GET  /api/v1/apps/{id}/tasks                              the app's provisioning tasks, oldest first
//	POST /api/v1/apps/{id}/tasks/lifecycle/retry              retry every failed task ({"retried": n})
//	POST /api/v1/apps/{id}/tasks/{taskId}/lifecycle/retry     retry one failed task (Retry Selected)
//	POST /api/v1/apps/{id}/tasks/{taskId}/lifecycle/dismiss   dismiss one failed task
//	GET  /api/v1/mock/apps/{id}/faults                        {"faults": [...]} the app's faults
//	PUT  /api/v1/mock/apps/{id}/faults                        {"faults": [...]} replaces them
//
// Okta's public API has no task endpoints (its Tasks page is admin UI only); these are the mock's, with
// Okta's JSON conventions. The /api/v1/mock/ paths exist only in the mock: any test, in any language,
// can flip a fault between two sign-ins with one HTTP call. An unknown fault name is E0000001.

// Actions are the provisioning engine's task operations and the fault setter; the root package's Org
// implements them.
type Actions interface {
	Tasks(appID string) []provisioner.Task
	RetryTask(ctx context.Context, id string) error
	RetryTasks(ctx context.Context, appID string) int
	DismissTask(ctx context.Context, id string) error
	SetFaults(ctx context.Context, appID string, names ...string) error
}

// taskJSON is a task as the API shows it.
type taskJSON struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	Subject     string    `json:"subject"`
	Status      string    `json:"status"`
	Message     string    `json:"message,omitempty"`
	Attempts    int       `json:"attempts"`
	RateLimits  int       `json:"rateLimits"`
	Created     time.Time `json:"created"`
	LastUpdated time.Time `json:"lastUpdated"`
	RetryAt     time.Time `json:"retryAt,omitzero"`
}

func (a *API) actions(appID string) (Actions, error) {
	if _, ok := a.dir.App(appID); !ok {
		return nil, notFound(appID, "AppInstance")
	}
	if a.cfg.Actions == nil {
		return nil, errors.New("management api: no provisioning actions configured")
	}
	return a.cfg.Actions, nil
}

func (a *API) listTasks(w http.ResponseWriter, r *http.Request) error {
	acts, err := a.actions(r.PathValue("id"))
	if err != nil {
		return err
	}
	out := []taskJSON{}
	for _, t := range acts.Tasks(r.PathValue("id")) {
		out = append(out, taskJSON{ID: t.ID, Kind: string(t.Kind), Subject: t.Subject, Status: string(t.Status),
			Message: t.Message, Attempts: t.Attempts, RateLimits: t.RateLimits, Created: t.Created.UTC(),
			LastUpdated: t.Updated.UTC(), RetryAt: t.RetryAt.UTC()})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) retryAllTasks(w http.ResponseWriter, r *http.Request) error {
	acts, err := a.actions(r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"retried": acts.RetryTasks(r.Context(), r.PathValue("id"))})
	return nil
}

func (a *API) taskLifecycle(w http.ResponseWriter, r *http.Request) error {
	acts, err := a.actions(r.PathValue("id"))
	if err != nil {
		return err
	}
	id := r.PathValue("task")
	if !a.ownsTask(acts, r.PathValue("id"), id) {
		return notFound(id, "Task")
	}
	switch r.PathValue("op") {
	case "retry":
		err = acts.RetryTask(r.Context(), id)
	case "dismiss":
		err = acts.DismissTask(r.Context(), id)
	default:
		return notFoundPath(r.URL.Path)
	}
	if errors.Is(err, provisioner.ErrNotRetryable) {
		return validation("status", err, "status: only a FAILED task can be retried or dismissed")
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) ownsTask(acts Actions, appID, taskID string) bool {
	for _, t := range acts.Tasks(appID) {
		if t.ID == taskID {
			return true
		}
	}
	return false
}

type faultsJSON struct {
	Faults []string `json:"faults"`
}

func (a *API) getFaults(w http.ResponseWriter, r *http.Request) error {
	app, ok := a.dir.App(r.PathValue("id"))
	if !ok {
		return notFound(r.PathValue("id"), "AppInstance")
	}
	out := faultsJSON{Faults: app.Faults}
	if out.Faults == nil {
		out.Faults = []string{}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) putFaults(w http.ResponseWriter, r *http.Request) error {
	acts, err := a.actions(r.PathValue("id"))
	if err != nil {
		return err
	}
	var in faultsJSON
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := acts.SetFaults(r.Context(), r.PathValue("id"), in.Faults...); err != nil {
		return validation("faults", err, "faults: "+err.Error())
	}
	return a.getFaults(w, r)
}
