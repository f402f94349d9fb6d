package mgmtapi

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

type logObject struct {
	ID          string  `json:"id"`
	Type        string  `json:"type"`
	AlternateID string  `json:"alternateId"`
	DisplayName string  `json:"displayName"`
	DetailEntry *string `json:"detailEntry"`
}

type eventJSON struct {
	UUID           string            `json:"uuid"`
	Published      oktaTime          `json:"published"`
	EventType      string            `json:"eventType"`
	Version        string            `json:"version"`
	Severity       string            `json:"severity"`
	LegacyEventTyp *string           `json:"legacyEventType"`
	DisplayMessage string            `json:"displayMessage"`
	Actor          logObject         `json:"actor"`
	Client         *struct{}         `json:"client"`
	Outcome        map[string]any    `json:"outcome"`
	Target         []logObject       `json:"target"`
	Transaction    map[string]any    `json:"transaction"`
	DebugContext   map[string]any    `json:"debugContext"`
	AuthContext    map[string]any    `json:"authenticationContext"`
	SecurityCtx    map[string]any    `json:"securityContext"`
	Request        map[string][]any  `json:"request"`
	Links          map[string]string `json:"_links,omitempty"`
}

func event(e syslog.Event) eventJSON {
	j := eventJSON{UUID: e.UUID, Published: oktaTime(e.Published), EventType: e.EventType, Version: "0",
		Severity: e.Severity, DisplayMessage: e.DisplayMessage,
		Actor: logObject{ID: e.Actor.ID, Type: e.Actor.Type, AlternateID: e.Actor.AlternateID,
			DisplayName: e.Actor.DisplayName},
		Outcome:      map[string]any{"result": e.Outcome.Result, "reason": nilIfEmpty(e.Outcome.Reason)},
		Target:       []logObject{},
		Transaction:  map[string]any{"type": "WEB", "id": e.UUID, "detail": map[string]any{}},
		DebugContext: map[string]any{"debugData": e.Debug},
		AuthContext:  map[string]any{"authenticationStep": 0, "externalSessionId": nil},
		SecurityCtx:  map[string]any{}, Request: map[string][]any{"ipChain": {}}}
	if e.Debug == nil {
		j.DebugContext["debugData"] = map[string]string{}
	}
	for _, t := range e.Targets {
		j.Target = append(j.Target, logObject{ID: t.ID, Type: t.Type, AlternateID: t.AlternateID,
			DisplayName: t.DisplayName})
	}
	return j
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// listLogs serves the System Log: since / until (RFC 3339), filter (eventType eq "x", target.id eq "x",
// outcome.result eq "x"), q (words in the message, actor or targets), limit (default 100, at most 1000)
// and sortOrder (ASCENDING, the default, or DESCENDING).
func (a *API) listLogs(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var since, until time.Time
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"since", &since}, {"until", &until}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return validation(p.name, err, p.name+": not a valid ISO 8601 timestamp")
			}
			*p.dst = t
		}
	}
	expr, ok := parseExpr(q.Get("filter"))
	if q.Get("filter") != "" && !ok {
		return validation("filter", nil, "filter: Invalid filter expression")
	}
	words := strings.Fields(strings.ToLower(q.Get("q")))
	var out []eventJSON
	for _, e := range a.cfg.Log.Events(syslog.Query{Since: since}) {
		switch {
		case !until.IsZero() && !e.Published.Before(until):
		case q.Get("filter") != "" && !match(expr, eventAttr(e)):
		case !containsWords(e, words):
		default:
			out = append(out, event(e))
		}
	}
	if strings.EqualFold(q.Get("sortOrder"), "DESCENDING") {
		slices.Reverse(out)
	}
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil || limit <= 0 || limit > 1000 {
		limit = 100
	}
	if len(out) > limit {
		out = out[:limit]
	}
	if out == nil {
		out = []eventJSON{}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func eventAttr(e syslog.Event) func(string) (string, bool) {
	return func(attr string) (string, bool) {
		switch attr {
		case "eventType":
			return e.EventType, true
		case "outcome.result":
			return e.Outcome.Result, true
		case "actor.id":
			return e.Actor.ID, true
		case "target.id": // the first target (the subject of the mock's events)
			if len(e.Targets) > 0 {
				return e.Targets[0].ID, true
			}
		}
		return "", false
	}
}

func containsWords(e syslog.Event, words []string) bool {
	text := strings.ToLower(e.DisplayMessage + " " + e.EventType + " " + e.Actor.AlternateID + " " + e.Actor.DisplayName)
	for _, t := range e.Targets {
		text += " " + strings.ToLower(t.AlternateID+" "+t.DisplayName+" "+t.ID)
	}
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}
