package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// The System Log page: the newest events first, each row expanding (a <details> element) to the HTTP
// exchanges recorded with it, and a filter form sent as GET query parameters so a filtered view has a
// URL: q (free text), app (app id), user (user id or login), type (event type; a prefix when it ends in
// "."), from and to (UTC, as a datetime-local input sends them). The log redacts exchanges when it
// records them; the page shows what the log holds.

// logsShown is how many matching events the page lists.
const logsShown = 500

// logFilter is the filter form's values, echoed back into the form.
type logFilter struct {
	Text, App, User, Type, From, To string
}

type logsView struct {
	Filter logFilter
	Events []syslog.Event
	Apps   []directory.App
	Users  []directory.User
	Types  []string
	// Filtered is true when any filter is set; Shown caps the list.
	Filtered bool
	Shown    int
}

// timeLayouts are what a datetime-local input sends (with and without seconds) and RFC 3339.
var timeLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", time.RFC3339}

func parseLogTime(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range timeLayouts {
		if t, err := time.ParseInLocation(layout, v, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time: use YYYY-MM-DDTHH:MM (UTC) for %s", v, name)
}

// logQuery turns the page's query parameters into a System Log query.
func logQuery(form url.Values) (logFilter, syslog.Query, error) {
	f := logFilter{Text: strings.TrimSpace(form.Get("q")), App: form.Get("app"), User: strings.TrimSpace(form.Get("user")),
		Type: strings.TrimSpace(form.Get("type")), From: form.Get("from"), To: form.Get("to")}
	q := syslog.Query{Text: f.Text, TargetID: f.App, User: f.User, EventType: f.Type, Limit: logsShown}
	var err error
	if q.Since, err = parseLogTime("from", f.From); err != nil {
		return f, q, err
	}
	if q.Until, err = parseLogTime("to", f.To); err != nil {
		return f, q, err
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Since.Before(q.Until) {
		return f, q, fmt.Errorf("the time range is empty: from must be before to")
	}
	return f, q, nil
}

func (c *Console) logsPage(w http.ResponseWriter, r *http.Request) {
	f, q, err := logQuery(r.URL.Query())
	v := logsView{Filter: f, Apps: c.dir.Apps(), Users: c.dir.Users(), Types: c.eventTypes(), Shown: logsShown,
		Filtered: f != logFilter{}}
	status := http.StatusOK
	if err != nil {
		status = http.StatusBadRequest
		qs := r.URL.Query()
		qs.Set("error", "Filter not applied: "+err.Error())
		r.URL.RawQuery = qs.Encode()
	} else {
		v.Events = c.cfg.Log.Events(q)
		slices.Reverse(v.Events) // newest first, as Okta's console shows them
	}
	c.render(w, r, status, "logs", "logs", "System Log", v)
}

// eventTypes lists the event types the log holds, sorted, for the type filter.
func (c *Console) eventTypes() []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range c.cfg.Log.Events(syslog.Query{}) {
		if !seen[e.EventType] {
			seen[e.EventType] = true
			out = append(out, e.EventType)
		}
	}
	slices.Sort(out)
	return out
}

// prettyBody indents a JSON body for reading; other bodies are shown as they are.
func prettyBody(s string) string {
	var buf bytes.Buffer
	if json.Valid([]byte(s)) && json.Indent(&buf, []byte(s), "", "  ") == nil {
		return buf.String()
	}
	return s
}
