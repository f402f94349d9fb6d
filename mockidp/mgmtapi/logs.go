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
	Client         logClient         `json:"client"`
	Outcome        map[string]any    `json:"outcome"`
	Target         []logObject       `json:"target"`
	Transaction    map[string]any    `json:"transaction"`
	DebugContext   map[string]any    `json:"debugContext"`
	AuthContext    map[string]any    `json:"authenticationContext"`
	SecurityCtx    map[string]any    `json:"securityContext"`
	Request        map[string][]any  `json:"request"`
	Links          map[string]string `json:"_links,omitempty"`
}

// logClient is LogEvent.client; every member is null for events of background jobs, as on Okta.
type logClient struct {
	UserAgent  *logUserAgent `json:"userAgent"`
	Zone       *string       `json:"zone"`
	Device     *string       `json:"device"`
	ID         *string       `json:"id"`
	IPAddress  *string       `json:"ipAddress"`
	GeoContext *struct{}     `json:"geographicalContext"`
}

// logUserAgent is LogEvent.client.userAgent. The mock does not parse the User-Agent: os and browser
// carry Okta's values for an agent it cannot classify.
type logUserAgent struct {
	Raw     string `json:"rawUserAgent"`
	OS      string `json:"os"`
	Browser string `json:"browser"`
}

func client(c syslog.Client) (logClient, []any) {
	if c == (syslog.Client{}) {
		return logClient{}, []any{}
	}
	zone, device, ip := "null", "Unknown", c.IPAddress
	return logClient{UserAgent: &logUserAgent{Raw: c.UserAgent, OS: "Unknown", Browser: "UNKNOWN"},
			Zone: &zone, Device: &device, IPAddress: &ip},
		[]any{map[string]any{"ip": ip, "version": ipVersion(ip), "source": nil, "geographicalContext": nil}}
}

func ipVersion(ip string) string {
	if strings.Contains(ip, ":") {
		return "V6"
	}
	return "V4"
}

func event(e syslog.Event) eventJSON {
	cl, chain := client(e.Client)
	j := eventJSON{UUID: e.UUID, Published: oktaTime(e.Published), EventType: e.EventType, Version: "0",
		Severity: e.Severity, DisplayMessage: e.DisplayMessage,
		Actor: logObject{ID: e.Actor.ID, Type: e.Actor.Type, AlternateID: e.Actor.AlternateID,
			DisplayName: e.Actor.DisplayName},
		Client:       cl,
		Outcome:      map[string]any{"result": e.Outcome.Result, "reason": nilIfEmpty(e.Outcome.Reason)},
		Target:       []logObject{},
		Transaction:  map[string]any{"type": e.TransactionType, "id": e.TransactionID, "detail": map[string]any{}},
		DebugContext: map[string]any{"debugData": e.Debug},
		AuthContext:  map[string]any{"authenticationStep": 0, "externalSessionId": nil},
		SecurityCtx:  map[string]any{}, Request: map[string][]any{"ipChain": chain}}
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

// logQuery is a parsed /api/v1/logs request.
type logQuery struct {
	since, until time.Time
	expr         [][]clause
	hasFilter    bool
	words        []string
	descending   bool
	limit        int
	after        uint64
}

func parseLogQuery(r *http.Request) (logQuery, error) {
	q := r.URL.Query()
	var lq logQuery
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"since", &lq.since}, {"until", &lq.until}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return lq, validation(p.name, err, p.name+": not a valid ISO 8601 timestamp")
			}
			*p.dst = t
		}
	}
	var ok bool
	lq.expr, ok = parseExpr(q.Get("filter"))
	lq.hasFilter = q.Get("filter") != ""
	if lq.hasFilter && !ok {
		return lq, validation("filter", nil, "filter: Invalid filter expression")
	}
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return lq, validation("after", err, "after: Invalid pagination cursor")
		}
		lq.after = n
	}
	lq.words = strings.Fields(strings.ToLower(q.Get("q")))
	lq.descending = strings.EqualFold(q.Get("sortOrder"), "DESCENDING")
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil || limit <= 0 || limit > 1000 {
		limit = 100
	}
	lq.limit = limit
	return lq, nil
}

// polling tells a polling query from a bounded one (Okta's System Log API, "Request types"): without
// until and in ascending order, the client is tailing the log, so every page links a next page, even an
// empty one, and following next until a page comes back empty is how clients catch up.
func (lq logQuery) polling() bool { return lq.until.IsZero() && !lq.descending }

func (lq logQuery) keep(e syslog.Event) bool {
	switch {
	case !lq.until.IsZero() && !e.Published.Before(lq.until):
	case lq.hasFilter && !match(lq.expr, eventAttr(e)):
	case !containsWords(e, lq.words):
	case lq.descending && lq.after != 0 && e.Seq >= lq.after:
	default:
		return true
	}
	return false
}

// listLogs serves the System Log: since / until (RFC 3339), filter (eventType eq "x", target.id eq "x",
// outcome.result eq "x"), q (words in the message, actor or targets), limit (default 100, at most 1000),
// sortOrder (ASCENDING, the default, or DESCENDING) and the after cursor of the next link. The cursor
// is the position of the last event returned, so events evicted from the bounded log do not break it.
func (a *API) listLogs(w http.ResponseWriter, r *http.Request) error {
	lq, err := parseLogQuery(r)
	if err != nil {
		return err
	}
	query := syslog.Query{Since: lq.since}
	if !lq.descending {
		query.AfterSeq = lq.after
	}
	var events []syslog.Event
	for _, e := range a.cfg.Log.Events(query) {
		if lq.keep(e) {
			events = append(events, e)
		}
	}
	if lq.descending {
		slices.Reverse(events)
	}
	more := len(events) > lq.limit
	if more {
		events = events[:lq.limit]
	}
	a.logLinks(w, r, lq, events, more)
	out := make([]eventJSON, 0, len(events))
	for _, e := range events {
		out = append(out, event(e))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// logLinks sets the self link and, when there is (or, polling, may later be) more, the next link.
func (a *API) logLinks(w http.ResponseWriter, r *http.Request, lq logQuery, events []syslog.Event, more bool) {
	self := a.cfg.BaseURL + r.URL.Path
	if r.URL.RawQuery != "" {
		self += "?" + r.URL.RawQuery
	}
	w.Header().Add("Link", "<"+self+`>; rel="self"`)
	if !more && !lq.polling() {
		return
	}
	next := r.URL.Query()
	if len(events) > 0 {
		next.Set("after", strconv.FormatUint(events[len(events)-1].Seq, 10))
	}
	next.Set("limit", strconv.Itoa(lq.limit))
	w.Header().Add("Link", "<"+a.cfg.BaseURL+r.URL.Path+"?"+next.Encode()+`>; rel="next"`)
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
