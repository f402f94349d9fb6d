package console

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/ssoconform/ssoconform/mockidp/provisioner"
)

// The Tasks tab (Okta's Dashboard > Tasks for one app: each provisioning task with its status and
// failure, Retry, Retry all and Dismiss), the Provisioning tab's action buttons (Test API Credentials,
// Force Sync, Import Now) and the Faults tab (a checklist of the mock's faults for the app).

// Actions are what the console's provisioning and fault buttons do; the root package's Org implements
// them by calling its provisioning engine.
type Actions interface {
	Tasks(appID string) []provisioner.Task
	RetryTask(ctx context.Context, id string) error
	RetryTasks(ctx context.Context, appID string) int
	DismissTask(ctx context.Context, id string) error
	TestAPICredentials(ctx context.Context, appID string) error
	ForceSync(ctx context.Context, appID string) error
	Import(ctx context.Context, appID string, groups bool) error
	SetFaults(ctx context.Context, appID string, names ...string) error
}

// Fault is one entry of the faults checklist: the mock's fault catalogue, passed in by the root package.
type Fault struct {
	Name, Rule, Description string
}

// faultRow is a checklist line: the fault and whether the app has it.
type faultRow struct {
	Fault
	On bool
}

var errNoActions = errors.New("provisioning actions are not available in this console")

func (c *Console) tasks(appID string) []provisioner.Task {
	if c.cfg.Actions == nil {
		return nil
	}
	return c.cfg.Actions.Tasks(appID)
}

// faultRows is the checklist for the app's protocol: oidc- faults for OIDC apps, saml- for SAML apps.
func (c *Console) faultRows(appID string, faults []string, saml bool) []faultRow {
	prefix := "oidc-"
	if saml {
		prefix = "saml-"
	}
	var out []faultRow
	for _, f := range c.cfg.Faults {
		if len(f.Name) < len(prefix) || f.Name[:len(prefix)] != prefix {
			continue
		}
		row := faultRow{Fault: f}
		for _, on := range faults {
			row.On = row.On || on == f.Name
		}
		out = append(out, row)
	}
	return out
}

// action runs one provisioning action of an app and goes back to the tab with its outcome.
func (c *Console) action(w http.ResponseWriter, r *http.Request, tab, notice string, do func(Actions, string) error) {
	id := r.PathValue("id")
	err := errNoActions
	if c.cfg.Actions != nil {
		err = do(c.cfg.Actions, id)
	}
	c.back(w, r, "/apps/"+id+"?tab="+tab, err, notice)
}

func (c *Console) testCredentials(w http.ResponseWriter, r *http.Request) {
	c.action(w, r, "provisioning", "The API credentials work: the app answered GET /Users with a list.",
		func(a Actions, id string) error {
			if err := a.TestAPICredentials(r.Context(), id); err != nil {
				return bannerError("Test API Credentials failed: " + err.Error())
			}
			return nil
		})
}

func (c *Console) forceSync(w http.ResponseWriter, r *http.Request) {
	c.action(w, r, "tasks", "Force Sync queued: provisioned users get their profile again.",
		func(a Actions, id string) error { return a.ForceSync(r.Context(), id) })
}

func (c *Console) importNow(w http.ResponseWriter, r *http.Request) {
	groups := r.PostFormValue("groups") == "on"
	c.action(w, r, "tasks", "Import queued.",
		func(a Actions, id string) error { return a.Import(r.Context(), id, groups) })
}

func (c *Console) retryTask(w http.ResponseWriter, r *http.Request) {
	c.action(w, r, "tasks", "Task queued again.",
		func(a Actions, _ string) error { return a.RetryTask(r.Context(), r.PathValue("task")) })
}

func (c *Console) dismissTask(w http.ResponseWriter, r *http.Request) {
	c.action(w, r, "tasks", "Task dismissed.",
		func(a Actions, _ string) error { return a.DismissTask(r.Context(), r.PathValue("task")) })
}

func (c *Console) retryAll(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if c.cfg.Actions == nil {
		c.back(w, r, "/apps/"+id+"?tab=tasks", errNoActions, "")
		return
	}
	n := c.cfg.Actions.RetryTasks(r.Context(), id)
	var err error
	if n == 0 {
		err = errors.New("no failed task to retry")
	}
	c.back(w, r, "/apps/"+id+"?tab=tasks", err, strconv.Itoa(n)+" failed tasks queued again.")
}

// saveFaults replaces the app's faults with the checked ones.
func (c *Console) saveFaults(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		c.back(w, r, "/apps/"+r.PathValue("id")+"?tab=faults", err, "")
		return
	}
	names := r.PostForm["fault"]
	c.action(w, r, "faults", "Faults saved: the app's next sign-ins carry them.",
		func(a Actions, id string) error { return a.SetFaults(r.Context(), id, names...) })
}
