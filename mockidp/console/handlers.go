package console

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// view is what every page template receives.
type view struct {
	Title, Org, Path, Section string
	Notice, Error             string
	Data                      any
}

func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, page, section, title string, data any) {
	v := view{Title: title, Org: c.cfg.OrgName, Path: c.path, Section: section, Data: data,
		Notice: r.URL.Query().Get("notice"), Error: r.URL.Query().Get("error")}
	var buf bytes.Buffer
	if err := c.pages[page].Execute(&buf, v); err != nil {
		c.cfg.Logger.ErrorContext(r.Context(), "render console page", "page", page, "err", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// back redirects to a console page with a notice or an error for the banner.
func (c *Console) back(w http.ResponseWriter, r *http.Request, to string, err error, notice string) {
	q := url.Values{}
	if err != nil {
		q.Set("error", publicError(err))
	} else if notice != "" {
		q.Set("notice", notice)
	}
	target := c.path + to
	if len(q) > 0 {
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&" // e.g. /apps/{id}?tab=assignments
		}
		target += sep + q.Encode()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// bannerError is an error already worded for the banner.
type bannerError string

func (e bannerError) Error() string { return string(e) }

// publicError turns a directory error into a sentence for the banner.
func publicError(err error) string {
	var b bannerError
	switch {
	case errors.As(err, &b):
		return b.Error()
	case errors.Is(err, directory.ErrConflict):
		return "That name is already taken in this org."
	case errors.Is(err, directory.ErrNotFound):
		return "Not found: " + err.Error()
	}
	return "Could not save: " + err.Error()
}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	c.render(w, r, http.StatusOK, "login", "", "Sign in", nil)
}

func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	if !c.checkSecret(r.PostFormValue("secret")) {
		c.cfg.Log.Append(r.Context(), syslog.Event{EventType: "user.session.access_admin_app",
			DisplayMessage: "User accessing Okta admin app", Actor: syslog.Actor{Type: "User", AlternateID: "admin"},
			Outcome: syslog.Failure("INVALID_CREDENTIALS")})
		r.URL.RawQuery = "error=" + url.QueryEscape("Unable to sign in: the API token or console password is wrong.")
		c.render(w, r, http.StatusUnauthorized, "login", "", "Sign in", nil)
		return
	}
	if err := c.startSession(w); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	c.cfg.Log.Append(r.Context(), syslog.Event{EventType: "user.session.access_admin_app",
		DisplayMessage: "User accessing Okta admin app", Actor: syslog.Actor{Type: "User", AlternateID: "admin"},
		Outcome: syslog.Success()})
	http.Redirect(w, r, c.path+"/users", http.StatusSeeOther)
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request) {
	c.endSession(w, r)
	http.Redirect(w, r, c.path+"/login", http.StatusSeeOther)
}

func (c *Console) home(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, c.path+"/users", http.StatusSeeOther)
}

type userRow struct {
	directory.User
	Ops []string
}

// consoleOps are the buttons each status offers (lifecycle operations, then delete).
var consoleOps = map[string][]string{
	directory.StatusStaged:      {directory.OpActivate, directory.OpDeactivate},
	directory.StatusActive:      {directory.OpSuspend, directory.OpDeactivate},
	directory.StatusSuspended:   {directory.OpUnsuspend, directory.OpDeactivate},
	directory.StatusDeactivated: {directory.OpActivate, "delete"},
}

func (c *Console) usersPage(w http.ResponseWriter, r *http.Request) {
	var rows []userRow
	for _, u := range c.dir.Users() {
		rows = append(rows, userRow{User: u, Ops: consoleOps[u.Status]})
	}
	c.render(w, r, http.StatusOK, "users", "users", "People", rows)
}

func (c *Console) createUser(w http.ResponseWriter, r *http.Request) {
	f := r.PostFormValue
	_, err := c.dir.CreateUser(directory.UserInput{Login: strings.TrimSpace(f("login")), Email: strings.TrimSpace(f("email")),
		FirstName: f("firstName"), LastName: f("lastName"), Password: f("password"), Staged: f("activate") != "on"})
	c.back(w, r, "/users", err, "User "+f("login")+" created.")
}

func (c *Console) userOp(w http.ResponseWriter, r *http.Request) {
	id, op := r.PathValue("id"), r.PathValue("op")
	var err error
	switch op {
	case "delete":
		err = c.dir.DeleteUser(id)
	case directory.OpActivate, directory.OpDeactivate, directory.OpSuspend, directory.OpUnsuspend:
		err = c.dir.Transition(id, op)
	default:
		http.NotFound(w, r)
		return
	}
	if err == nil {
		c.syncUsers(r.Context(), id) // deactivation / reactivation; suspend and delete send nothing
	}
	c.back(w, r, "/users", err, "Done: "+op+".")
}
