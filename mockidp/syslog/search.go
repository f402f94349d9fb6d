package syslog

import "strings"

// involves reports whether the user with this id or login acted in the event or was one of its targets.
func (e Event) involves(user string) bool {
	is := func(id, login string) bool { return id == user || strings.EqualFold(login, user) }
	if e.Actor.Type == "User" && is(e.Actor.ID, e.Actor.AlternateID) {
		return true
	}
	for _, t := range e.Targets {
		if t.Type == "User" && is(t.ID, t.AlternateID) {
			return true
		}
	}
	return false
}

// mentions reports whether text occurs, ignoring case, in what the event says.
func (e Event) mentions(text string) bool {
	needle := strings.ToLower(text)
	has := func(s string) bool { return strings.Contains(strings.ToLower(s), needle) }
	fields := []string{e.EventType, e.DisplayMessage, e.Outcome.Result, e.Outcome.Reason, e.TransactionID,
		e.Actor.ID, e.Actor.AlternateID, e.Actor.DisplayName, e.Client.IPAddress}
	for _, t := range e.Targets {
		fields = append(fields, t.ID, t.AlternateID, t.DisplayName)
	}
	for _, v := range e.Debug {
		fields = append(fields, v)
	}
	for _, x := range e.Exchanges {
		fields = append(fields, x.Method+" "+x.URL, x.RequestBody, x.ResponseBody, x.Err)
	}
	for _, f := range fields {
		if has(f) {
			return true
		}
	}
	return false
}
