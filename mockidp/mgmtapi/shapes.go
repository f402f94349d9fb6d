package mgmtapi

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

// oktaTime marshals as Okta does: UTC with milliseconds, "2026-01-02T03:04:05.000Z".
type oktaTime time.Time

func (t oktaTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format("2006-01-02T15:04:05.000Z") + `"`), nil
}

// ts is a nullable time: nil (JSON null) when zero.
func ts(t time.Time) *oktaTime {
	if t.IsZero() {
		return nil
	}
	o := oktaTime(t)
	return &o
}

type link struct {
	Href   string `json:"href"`
	Method string `json:"method,omitempty"`
	Type   string `json:"type,omitempty"`
}

type userProfile struct {
	FirstName   string  `json:"firstName"`
	LastName    string  `json:"lastName"`
	MobilePhone *string `json:"mobilePhone"`
	SecondEmail *string `json:"secondEmail"`
	Login       string  `json:"login"`
	Email       string  `json:"email"`
	DisplayName string  `json:"displayName,omitempty"`
}

type userCredentials struct {
	Password *struct{}         `json:"password,omitempty"`
	Provider map[string]string `json:"provider"`
}

type userJSON struct {
	ID                    string          `json:"id"`
	Status                string          `json:"status"`
	Created               *oktaTime       `json:"created"`
	Activated             *oktaTime       `json:"activated"`
	StatusChanged         *oktaTime       `json:"statusChanged"`
	LastLogin             *oktaTime       `json:"lastLogin"`
	LastUpdated           *oktaTime       `json:"lastUpdated"`
	PasswordChanged       *oktaTime       `json:"passwordChanged"`
	TransitioningToStatus *string         `json:"transitioningToStatus"`
	Profile               userProfile     `json:"profile"`
	Credentials           userCredentials `json:"credentials"`
	Links                 map[string]link `json:"_links"`
}

// lifecycleLinks are the operations Okta links from a user in each status.
var lifecycleLinks = map[string][]string{
	directory.StatusStaged:      {directory.OpActivate, directory.OpDeactivate},
	directory.StatusActive:      {directory.OpSuspend, directory.OpDeactivate},
	directory.StatusSuspended:   {directory.OpUnsuspend, directory.OpDeactivate},
	directory.StatusDeactivated: {directory.OpActivate},
}

func (a *API) user(u directory.User) userJSON {
	self := a.cfg.BaseURL + "/api/v1/users/" + u.ID
	j := userJSON{ID: u.ID, Status: u.Status, Created: ts(u.Created), Activated: ts(u.Activated),
		StatusChanged: ts(u.StatusChanged), LastLogin: ts(u.LastLogin), LastUpdated: ts(u.LastUpdated),
		Profile: userProfile{FirstName: u.FirstName, LastName: u.LastName, Login: u.Login, Email: u.Email,
			DisplayName: u.DisplayName()},
		Credentials: userCredentials{Provider: map[string]string{"type": "OKTA", "name": "OKTA"}},
		Links:       map[string]link{"self": {Href: self}}}
	if u.Password != "" {
		j.Credentials.Password = &struct{}{}
		j.PasswordChanged = ts(u.Created)
	}
	for _, op := range lifecycleLinks[u.Status] {
		j.Links[op] = link{Href: self + "/lifecycle/" + op, Method: "POST"}
	}
	return j
}

type groupJSON struct {
	ID                    string            `json:"id"`
	Created               *oktaTime         `json:"created"`
	LastUpdated           *oktaTime         `json:"lastUpdated"`
	LastMembershipUpdated *oktaTime         `json:"lastMembershipUpdated"`
	ObjectClass           []string          `json:"objectClass"`
	Type                  string            `json:"type"`
	Profile               map[string]string `json:"profile"`
	Links                 map[string]link   `json:"_links"`
}

func (a *API) group(g directory.Group) groupJSON {
	self := a.cfg.BaseURL + "/api/v1/groups/" + g.ID
	typ := "OKTA_GROUP"
	if g.ID == a.dir.EveryoneID() {
		typ = "BUILT_IN"
	}
	return groupJSON{ID: g.ID, Created: ts(g.Created), LastUpdated: ts(g.LastUpdated),
		LastMembershipUpdated: ts(g.LastMembershipUpdated), ObjectClass: []string{"okta:user_group"},
		Type: typ, Profile: map[string]string{"name": g.Name, "description": g.Description},
		Links: map[string]link{"self": {Href: self}, "users": {Href: self + "/users"}, "apps": {Href: self + "/apps"}}}
}

// page applies Okta's limit / after cursor to items and sets the Link headers.
func page[T any](w http.ResponseWriter, r *http.Request, base string, items []T, id func(T) string, def int) []T {
	q := r.URL.Query()
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil || limit <= 0 || limit > def {
		limit = def
	}
	if after := q.Get("after"); after != "" {
		i := slices.IndexFunc(items, func(t T) bool { return id(t) == after })
		items = items[i+1:] // i == -1: from the start
	}
	self := base + r.URL.Path
	if r.URL.RawQuery != "" {
		self += "?" + r.URL.RawQuery
	}
	w.Header().Add("Link", "<"+self+`>; rel="self"`)
	if len(items) > limit {
		items = items[:limit]
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("limit", strconv.Itoa(limit))
		next.Set("after", id(items[len(items)-1]))
		w.Header().Add("Link", "<"+base+r.URL.Path+"?"+next.Encode()+`>; rel="next"`)
	}
	return items
}

// clause is one `attr op "value"` of a filter or search expression.
type clause struct{ attr, op, value string }

// parseExpr parses clauses joined by "and" / "or": the result is a disjunction of conjunctions.
func parseExpr(expr string) ([][]clause, bool) {
	var out [][]clause
	for _, or := range splitWord(expr, "or") {
		var and []clause
		for _, c := range splitWord(or, "and") {
			attr, rest, ok1 := strings.Cut(strings.TrimSpace(c), " ")
			op, val, ok2 := strings.Cut(strings.TrimSpace(rest), " ")
			val = strings.TrimSpace(val)
			unq, err := strconv.Unquote(val)
			if !ok1 || !ok2 || err != nil || (op != "eq" && op != "sw") {
				return nil, false
			}
			and = append(and, clause{attr, op, unq})
		}
		out = append(out, and)
	}
	return out, true
}

// splitWord splits s around the keyword word surrounded by spaces, outside quotes.
func splitWord(s, word string) []string {
	var parts []string
	inQuote, start := false, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '"' && (i == 0 || s[i-1] != '\\'):
			inQuote = !inQuote
		case !inQuote && i > 0 && s[i-1] == ' ' && strings.HasPrefix(strings.ToLower(s[i:]), word+" "):
			parts = append(parts, s[start:i-1])
			start = i + len(word) + 1
		}
	}
	return append(parts, s[start:])
}

// match evaluates a parsed expression with get returning an attribute's value.
func match(expr [][]clause, get func(attr string) (string, bool)) bool {
	for _, and := range expr {
		ok := true
		for _, c := range and {
			v, known := get(c.attr)
			switch {
			case !known:
				ok = false
			case c.op == "eq":
				ok = ok && strings.EqualFold(v, c.value)
			default:
				ok = ok && strings.HasPrefix(strings.ToLower(v), strings.ToLower(c.value))
			}
		}
		if ok {
			return true
		}
	}
	return false
}
