package scimpush

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Member is a group member as Okta sends it: Value is the server's id for
// the user, Display the app username.
type Member struct {
	Value   string `json:"value"`
	Display string `json:"display"`
}

// Group is an Okta group as pushed: its name and members (server user ids).
type Group struct {
	DisplayName string
	Members     []Member
}

// groupBody is Okta's POST and PUT /Groups body (a.4).
type groupBody struct {
	Schemas     []string `json:"schemas"`
	DisplayName string   `json:"displayName"`
	Members     []Member `json:"members"`
}

// GroupFilterURL is Okta's group lookup: GET {base}/Groups?filter=
// displayName eq "<name>"&startIndex=1&count=100.
func GroupFilterURL(base, displayName string) string {
	v := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(displayName)
	f := strings.ReplaceAll(url.QueryEscape(`displayName eq "`+v+`"`), "+", "%20")
	return strings.TrimSuffix(base, "/") + "/Groups?filter=" + f + "&startIndex=1&count=100"
}

// PushGroup creates the group on the server (Push Groups, A12) and returns
// the server's id. OIN: POST /Groups with no members, then one PATCH adding
// the members (none when the group has none). AIW: a displayName lookup,
// POST /Groups unless a group of that name exists (then it is linked), GET
// /Groups/{id}, PUT /Groups/{id} with the full member list.
func (c *Client) PushGroup(ctx context.Context, t Target, g Group, tr *Transcript) (string, error) {
	if t.aiw() {
		id, found, err := c.findGroup(ctx, t, g.DisplayName, tr)
		if err != nil {
			return "", err
		}
		if !found {
			if id, err = c.createGroup(ctx, t, g.DisplayName, tr); err != nil {
				return "", err
			}
		}
		return id, c.getPutGroup(ctx, t, id, g, tr)
	}
	id, err := c.createGroup(ctx, t, g.DisplayName, tr)
	if err != nil {
		return "", err
	}
	if len(g.Members) == 0 {
		return id, nil
	}
	return id, c.patchGroup(ctx, t, id, []operation{{Op: "add", Path: "members", Value: g.Members}}, tr)
}

// UpdateGroup brings the server's group id from old to new (A14, A16). OIN:
// a path-less replace of {id, displayName} when the name changed, then one
// PATCH removing (members[value eq "id"]) and adding members when the
// membership changed. AIW: GET /Groups/{id}, then PUT with the name and the
// full member list. Nothing is sent when nothing changed.
func (c *Client) UpdateGroup(ctx context.Context, t Target, id string, old, new Group, tr *Transcript) error {
	added, removed := diffMembers(old.Members, new.Members)
	renamed := old.DisplayName != new.DisplayName
	if !renamed && len(added) == 0 && len(removed) == 0 {
		return nil
	}
	if t.aiw() {
		return c.getPutGroup(ctx, t, id, new, tr)
	}
	if renamed {
		op := operation{Op: "replace", Value: map[string]any{"id": id, "displayName": new.DisplayName}}
		if err := c.patchGroup(ctx, t, id, []operation{op}, tr); err != nil {
			return err
		}
	}
	var ops []operation
	for _, m := range removed {
		ops = append(ops, operation{Op: "remove", Path: `members[value eq "` + m.Value + `"]`})
	}
	if len(added) > 0 {
		ops = append(ops, operation{Op: "add", Path: "members", Value: added})
	}
	if len(ops) == 0 {
		return nil
	}
	return c.patchGroup(ctx, t, id, ops, tr)
}

// DeleteGroup deletes the server's group (unlink with "Delete the group in
// the target app", A18).
func (c *Client) DeleteGroup(ctx context.Context, t Target, id string, tr *Transcript) error {
	_, _, err := c.do(ctx, t, call{method: "DELETE", url: groupURL(t, id)}, tr)
	return err
}

func groupURL(t Target, id string) string { return t.base() + "/Groups/" + url.PathEscape(id) }

func diffMembers(old, new []Member) (added, removed []Member) {
	has := func(list []Member, v string) bool {
		return slices.ContainsFunc(list, func(m Member) bool { return m.Value == v })
	}
	for _, m := range new {
		if !has(old, m.Value) {
			added = append(added, m)
		}
	}
	for _, m := range old {
		if !has(new, m.Value) {
			removed = append(removed, m)
		}
	}
	return added, removed
}

func (c *Client) findGroup(ctx context.Context, t Target, name string, tr *Transcript) (string, bool, error) {
	u := GroupFilterURL(t.base(), name)
	status, body, err := c.do(ctx, t, call{method: "GET", url: u}, tr)
	if err != nil {
		return "", false, err
	}
	return listID(body, "GET", u, status)
}

// listID reads the first resource id of a ListResponse; found is false when
// totalResults is 0.
func listID(body []byte, method, u string, status int) (string, bool, error) {
	var lr listResponse
	if err := json.Unmarshal(body, &lr); err != nil || lr.TotalResults == nil {
		if err == nil {
			err = errors.New("no totalResults in the ListResponse")
		}
		return "", false, &PushError{Method: method, URL: u, Status: status,
			Body: excerpt(string(body)), Err: fmt.Errorf("decode ListResponse: %w", err)}
	}
	if *lr.TotalResults == 0 {
		return "", false, nil
	}
	if len(lr.Resources) == 0 || lr.Resources[0].ID == "" {
		return "", false, &PushError{Method: method, URL: u, Status: status,
			Body: excerpt(string(body)), Err: errors.New("totalResults > 0 but no resource id")}
	}
	return lr.Resources[0].ID, true, nil
}

func (c *Client) createGroup(ctx context.Context, t Target, name string, tr *Transcript) (string, error) {
	body, err := json.Marshal(groupBody{Schemas: []string{SchemaGroup}, DisplayName: name, Members: []Member{}})
	if err != nil {
		return "", fmt.Errorf("scim create group %q: encode: %w", name, err)
	}
	k := call{method: "POST", url: t.base() + "/Groups", body: body}
	status, resp, err := c.do(ctx, t, k, tr)
	if err != nil {
		return "", err
	}
	var created struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(resp, &created); err != nil || created.ID == "" {
		if err == nil {
			err = errors.New("create group returned no id")
		}
		return "", &PushError{Method: k.method, URL: k.url, Status: status, Body: excerpt(string(resp)), Err: err}
	}
	return created.ID, nil
}

// getPutGroup is the AIW group update: GET /Groups/{id}, then PUT with the
// name and full member list (Okta does not merge the GET body into a group PUT).
func (c *Client) getPutGroup(ctx context.Context, t Target, id string, g Group, tr *Transcript) error {
	if _, err := c.getResource(ctx, t, groupURL(t, id), tr); err != nil {
		return err
	}
	return c.putGroup(ctx, t, id, g, tr)
}

func (c *Client) putGroup(ctx context.Context, t Target, id string, g Group, tr *Transcript) error {
	members := g.Members
	if members == nil {
		members = []Member{}
	}
	body, err := json.Marshal(groupBody{Schemas: []string{SchemaGroup}, DisplayName: g.DisplayName, Members: members})
	if err != nil {
		return fmt.Errorf("scim put group %q: encode: %w", g.DisplayName, err)
	}
	_, _, err = c.do(ctx, t, call{method: "PUT", url: groupURL(t, id), body: body}, tr)
	return err
}

func (c *Client) patchGroup(ctx context.Context, t Target, id string, ops []operation, tr *Transcript) error {
	body, err := json.Marshal(patchOp{Schemas: []string{SchemaPatchOp}, Operations: ops})
	if err != nil {
		return fmt.Errorf("scim patch group: encode: %w", err)
	}
	_, _, err = c.do(ctx, t, call{method: "PATCH", url: groupURL(t, id), body: body}, tr)
	return err
}
