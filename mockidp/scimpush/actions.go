package scimpush

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
)

// TestCredentials is "Test API Credentials" (A1): GET /Users?startIndex=1&count=2. The answer must be a
// 200 ListResponse; its users are not used.
func (c *Client) TestCredentials(ctx context.Context, t Target, tr *Transcript) error {
	u := t.base() + "/Users?startIndex=1&count=2"
	status, body, err := c.do(ctx, t, call{method: "GET", url: u}, tr)
	if err != nil {
		return err
	}
	_, _, err = listID(body, "GET", u, status)
	return err
}

// ReplaceMembers is a linked group's "Push Now" (A15). OIN: one PATCH replacing members with the full
// list ({op: replace, path: members, value: [...]}), after a path-less rename PATCH when the name
// changed; AIW: GET /Groups/{id}, then PUT with the name and the full list.
func (c *Client) ReplaceMembers(ctx context.Context, t Target, id, oldName string, g Group, tr *Transcript) error {
	if t.aiw() {
		return c.getPutGroup(ctx, t, id, g, tr)
	}
	if oldName != g.DisplayName {
		op := operation{Op: "replace", Value: map[string]any{"id": id, "displayName": g.DisplayName}}
		if err := c.patchGroup(ctx, t, id, []operation{op}, tr); err != nil {
			return err
		}
	}
	members := g.Members
	if members == nil {
		members = []Member{}
	}
	return c.patchGroup(ctx, t, id, []operation{{Op: "replace", Path: "members", Value: members}}, tr)
}

// SetPassword is Sync Password (A9). OIN: PATCH /Users/{id} with a path-less replace of {password};
// AIW: GET /Users/{id}, then PUT with the profile, active true and the password. The password is
// redacted in the transcript and in errors.
func (c *Client) SetPassword(ctx context.Context, t Target, id string, u User, password string, tr *Transcript) error {
	uu := t.base() + "/Users/" + url.PathEscape(id)
	if t.aiw() {
		res, err := c.getResource(ctx, t, uu, tr)
		if err != nil {
			return err
		}
		mergeProfile(res, u, true)
		res["password"] = password
		body, err := json.Marshal(res)
		if err != nil {
			return fmt.Errorf("scim set password: encode: %w", err)
		}
		_, _, err = c.do(ctx, t, call{method: "PUT", url: uu, body: body, secrets: []string{password}}, tr)
		return err
	}
	body, err := json.Marshal(patchOp{Schemas: []string{SchemaPatchOp},
		Operations: []operation{{Op: "replace", Value: map[string]any{"password": password}}}})
	if err != nil {
		return fmt.Errorf("scim set password: encode: %w", err)
	}
	_, _, err = c.do(ctx, t, call{method: "PATCH", url: uu, body: body, secrets: []string{password}}, tr)
	return err
}

// Imported is a user or group read by an import: the server's id, and userName, first email and active
// for users or displayName and member ids for groups.
type Imported struct {
	ID, UserName, Email, DisplayName string
	GivenName, FamilyName            string
	Active                           bool
	Members                          []string
}

// ImportPageSize is Okta's page size in imports.
const ImportPageSize = 100

// ImportUsers is "Import Now" for users (A10): GET /Users?startIndex=1&count=100, then 101, 201, ...
// while startIndex <= totalResults (and a page was not empty). Users with active false are skipped, as
// Okta does.
func (c *Client) ImportUsers(ctx context.Context, t Target, tr *Transcript) ([]Imported, error) {
	all, err := c.importAll(ctx, t, "/Users", tr)
	var out []Imported
	for _, r := range all {
		if r.Active {
			out = append(out, r)
		}
	}
	return out, err
}

// ImportGroups is the group import (A11): GET /Groups?startIndex=1&count=100 and the next pages.
func (c *Client) ImportGroups(ctx context.Context, t Target, tr *Transcript) ([]Imported, error) {
	return c.importAll(ctx, t, "/Groups", tr)
}

// importPage is the part of a ListResponse page an import reads.
type importPage struct {
	TotalResults *int             `json:"totalResults"`
	Resources    []importResource `json:"Resources"`
}

func (c *Client) importAll(ctx context.Context, t Target, path string, tr *Transcript) ([]Imported, error) {
	var out []Imported
	for start := 1; ; start += ImportPageSize {
		u := t.base() + path + "?startIndex=" + strconv.Itoa(start) + "&count=" + strconv.Itoa(ImportPageSize)
		status, body, err := c.do(ctx, t, call{method: "GET", url: u}, tr)
		if err != nil {
			return out, err
		}
		var p importPage
		if err := json.Unmarshal(body, &p); err != nil || p.TotalResults == nil {
			if err == nil {
				err = errors.New("no totalResults in the ListResponse")
			}
			return out, &PushError{Method: "GET", URL: u, Status: status, Body: excerpt(string(body)),
				Err: fmt.Errorf("decode ListResponse: %w", err)}
		}
		for _, r := range p.Resources {
			out = append(out, imported(r))
		}
		if len(p.Resources) == 0 || start+ImportPageSize > *p.TotalResults {
			return out, nil
		}
	}
}

// importResource is a user or group of an import page.
type importResource struct {
	ID          string `json:"id"`
	UserName    string `json:"userName"`
	DisplayName string `json:"displayName"`
	Active      *bool  `json:"active"`
	Name        struct {
		GivenName  string `json:"givenName"`
		FamilyName string `json:"familyName"`
	} `json:"name"`
	Emails []struct {
		Value   string `json:"value"`
		Primary bool   `json:"primary"`
	} `json:"emails"`
	Members []struct {
		Value string `json:"value"`
	} `json:"members"`
}

func imported(r importResource) Imported {
	im := Imported{ID: r.ID, UserName: r.UserName, DisplayName: r.DisplayName, Active: r.Active == nil || *r.Active,
		GivenName: r.Name.GivenName, FamilyName: r.Name.FamilyName}
	for _, e := range r.Emails {
		if im.Email == "" || e.Primary {
			im.Email = e.Value
		}
	}
	for _, m := range r.Members {
		im.Members = append(im.Members, m.Value)
	}
	return im
}
