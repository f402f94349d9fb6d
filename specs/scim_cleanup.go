package specs

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ssoconform/ssoconform/harness"
)

// pfx starts (or is part of) the name of every user and group the SCIM specs create, so a run's
// leftovers can be told apart from the organization's real users: the run's prefix (SCIMRun.Prefix).
func (su *Suite) pfx() string { return su.prefix }

// newRunPrefix is a random run prefix, e.g. "ssoc-k3x9q".
func newRunPrefix() string { return "ssoc-" + randToken(5) }

// Leftover is a resource the run created and could not remove: a user (deactivated, as Okta leaves
// users it unassigns, when the server does not declare user-delete) or a group.
type Leftover struct {
	Kind, ID, Name string
	Active         bool
}

func (l Leftover) String() string {
	if l.Kind == "User" {
		return fmt.Sprintf("user %s (id %s, active:%v)", l.Name, l.ID, l.Active)
	}
	return fmt.Sprintf("group %s (id %s)", l.Name, l.ID)
}

// leftovers pages through the target's users (and groups when declared), up to maxWalk of each, and
// returns those whose name holds the run's prefix.
func leftovers(ctx context.Context, t harness.SCIMTarget, prefix string) []Leftover {
	var out []Leftover
	kinds := []string{"Users"}
	if t.Has(harness.FeatureGroups) {
		kinds = append(kinds, "Groups")
	}
	for _, kind := range kinds {
		for start := 1; start <= maxWalk; start += 100 {
			r, err := t.Do(ctx, http.MethodGet, "/"+kind+"?"+harness.Query("startIndex", strconv.Itoa(start), "count", "100"), nil)
			if err != nil || r.Status != http.StatusOK || len(r.Resources()) == 0 {
				break
			}
			for _, res := range r.Resources() {
				if l, ok := leftover(kind, res, prefix); ok {
					out = append(out, l)
				}
			}
		}
	}
	return out
}

func leftover(kind string, res map[string]any, prefix string) (Leftover, bool) {
	id, _ := res["id"].(string)
	if kind == "Groups" {
		name, _ := res["displayName"].(string)
		return Leftover{Kind: "Group", ID: id, Name: name}, strings.Contains(name, prefix)
	}
	name, _ := res["userName"].(string)
	active, _ := res["active"].(bool)
	return Leftover{Kind: "User", ID: id, Name: name, Active: active}, strings.Contains(strings.ToLower(name), strings.ToLower(prefix))
}
