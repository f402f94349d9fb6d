package scimpush

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// SCIM schema URNs.
const (
	SchemaUser         = "urn:ietf:params:scim:schemas:core:2.0:User"
	SchemaGroup        = "urn:ietf:params:scim:schemas:core:2.0:Group"
	SchemaListResponse = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	SchemaPatchOp      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
)

// User is the Okta user being pushed: ID is Okta's id (sent as externalId),
// UserName the app username (the email by default).
type User struct {
	ID, UserName, GivenName, FamilyName, Email, DisplayName string
}

// Result says what a push did: the server's id for the user, and whether it
// was created (POST) or found by the userName filter and linked.
type Result struct {
	ID      string
	Created bool
}

func (u User) displayName() string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return strings.TrimSpace(u.GivenName + " " + u.FamilyName)
}

// createUser is Okta's POST /Users body, members in Okta's order (a.4).
type createUser struct {
	Schemas     []string `json:"schemas"`
	UserName    string   `json:"userName"`
	Name        name     `json:"name"`
	Emails      []email  `json:"emails"`
	DisplayName string   `json:"displayName"`
	Locale      string   `json:"locale"`
	ExternalID  string   `json:"externalId"`
	Groups      []string `json:"groups"`
	Password    string   `json:"password"`
	Active      bool     `json:"active"`
}

type name struct {
	GivenName  string `json:"givenName"`
	FamilyName string `json:"familyName"`
}

type email struct {
	Primary bool   `json:"primary"`
	Value   string `json:"value"`
	Type    string `json:"type"`
}

// listResponse is the part of a ListResponse the client reads.
type listResponse struct {
	TotalResults *int `json:"totalResults"`
	Resources    []struct {
		ID string `json:"id"`
	} `json:"Resources"`
}

// PushUser provisions u to t: a userName filter lookup, then a create when
// the server does not have the user yet (A2). When it does, Okta links the
// account and sends its app profile: GET /Users/{id}, then PUT with the
// profile merged in and active true (A3).
func (c *Client) PushUser(ctx context.Context, t Target, u User, tr *Transcript) (Result, error) {
	id, found, err := c.findUser(ctx, t, u.UserName, tr)
	if err != nil {
		return Result{}, err
	}
	if found {
		if err := c.putUser(ctx, t, id, u, true, tr); err != nil {
			return Result{}, err
		}
		return Result{ID: id}, nil
	}
	id, err = c.createUser(ctx, t, u, tr)
	if err != nil {
		return Result{}, err
	}
	return Result{ID: id, Created: true}, nil
}

// FilterURL is Okta's lookup: GET {base}/Users?filter=userName eq "<v>"
// &startIndex=1&count=100, with spaces as %20 and quotes in v escaped.
func FilterURL(base, userName string) string {
	v := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(userName)
	f := strings.ReplaceAll(url.QueryEscape(`userName eq "`+v+`"`), "+", "%20")
	return strings.TrimSuffix(base, "/") + "/Users?filter=" + f + "&startIndex=1&count=100"
}

func (c *Client) findUser(ctx context.Context, t Target, userName string, tr *Transcript) (string, bool, error) {
	k := call{method: "GET", url: FilterURL(t.base(), userName)}
	status, body, err := c.do(ctx, t, k, tr)
	if err != nil {
		return "", false, err
	}
	return listID(body, k.method, k.url, status)
}

func (c *Client) createUser(ctx context.Context, t Target, u User, tr *Transcript) (string, error) {
	password, err := placeholderPassword(c.cfg.Rand)
	if err != nil {
		return "", fmt.Errorf("scim create user %q: %w", u.UserName, err)
	}
	display := u.displayName()
	body, err := json.Marshal(createUser{
		Schemas: []string{SchemaUser}, UserName: u.UserName,
		Name:        name{GivenName: u.GivenName, FamilyName: u.FamilyName},
		Emails:      []email{{Primary: true, Value: u.Email, Type: "work"}},
		DisplayName: display, Locale: "en-US", ExternalID: u.ID, Groups: []string{},
		Password: password, Active: true,
	})
	if err != nil {
		return "", fmt.Errorf("scim create user %q: encode: %w", u.UserName, err)
	}
	k := call{method: "POST", url: t.base() + "/Users", body: body, secrets: []string{password}}
	status, resp, err := c.do(ctx, t, k, tr)
	if err != nil {
		return "", err
	}
	var created struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(resp, &created); err != nil || created.ID == "" {
		if err == nil {
			err = errors.New("create new user returned no id")
		}
		return "", &PushError{Method: k.method, URL: k.url, Status: status,
			Body: excerpt(redact(string(resp), []string{password})), Err: err}
	}
	return created.ID, nil
}

// placeholderPassword is the random password Okta always sends on create.
func placeholderPassword(r io.Reader) (string, error) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 24)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("password placeholder: %w", err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b), nil
}

// UpdateUser pushes a profile update (A4), for both flavours: GET
// /Users/{id}, then PUT /Users/{id} with the server's own representation and
// Okta's attributes overwritten (active stays true).
func (c *Client) UpdateUser(ctx context.Context, t Target, id string, u User, tr *Transcript) error {
	return c.putUser(ctx, t, id, u, true, tr)
}

// SetActive deactivates (A5) or reactivates (A8) the user the server knows
// as id. OIN: PATCH /Users/{id} with one path-less replace of {active};
// AIW: GET /Users/{id}, then PUT with the profile and active.
func (c *Client) SetActive(ctx context.Context, t Target, id string, u User, active bool, tr *Transcript) error {
	if t.aiw() {
		return c.putUser(ctx, t, id, u, active, tr)
	}
	body, err := json.Marshal(patchOp{Schemas: []string{SchemaPatchOp},
		Operations: []operation{{Op: "replace", Value: map[string]any{"active": active}}}})
	if err != nil {
		return fmt.Errorf("scim set active: encode: %w", err)
	}
	_, _, err = c.do(ctx, t, call{method: "PATCH", url: t.base() + "/Users/" + url.PathEscape(id), body: body}, tr)
	return err
}

// patchOp is a SCIM PatchOp request (RFC 7644 3.5.2).
type patchOp struct {
	Schemas    []string    `json:"schemas"`
	Operations []operation `json:"Operations"`
}

type operation struct {
	Op    string `json:"op"`
	Path  string `json:"path,omitempty"`
	Value any    `json:"value,omitempty"`
}

// putUser is Okta's GET then PUT of a user: the PUT body is the server's GET
// body with Okta's app profile and active written over it (a.4).
func (c *Client) putUser(ctx context.Context, t Target, id string, u User, active bool, tr *Transcript) error {
	u2 := t.base() + "/Users/" + url.PathEscape(id)
	res, err := c.getResource(ctx, t, u2, tr)
	if err != nil {
		return err
	}
	mergeProfile(res, u, active)
	body, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("scim put user %q: encode: %w", u.UserName, err)
	}
	_, _, err = c.do(ctx, t, call{method: "PUT", url: u2, body: body}, tr)
	return err
}

// getResource GETs one SCIM resource and decodes it as a JSON object.
func (c *Client) getResource(ctx context.Context, t Target, u string, tr *Transcript) (map[string]any, error) {
	status, body, err := c.do(ctx, t, call{method: "GET", url: u}, tr)
	if err != nil {
		return nil, err
	}
	var res map[string]any
	if err := json.Unmarshal(body, &res); err != nil || res == nil {
		if err == nil {
			err = errors.New("not a JSON object")
		}
		return nil, &PushError{Method: "GET", URL: u, Status: status, Body: excerpt(string(body)),
			Err: fmt.Errorf("decode resource: %w", err)}
	}
	return res, nil
}

// mergeProfile writes Okta's mapped attributes over a server representation,
// keeping everything else (id, meta, groups, vendor fields, other name parts).
func mergeProfile(res map[string]any, u User, active bool) {
	if _, ok := res["schemas"]; !ok {
		res["schemas"] = []string{SchemaUser}
	}
	res["userName"] = u.UserName
	nm, _ := res["name"].(map[string]any)
	if nm == nil {
		nm = map[string]any{}
	}
	nm["givenName"], nm["familyName"] = u.GivenName, u.FamilyName
	res["name"] = nm
	res["emails"] = []email{{Primary: true, Value: u.Email, Type: "work"}}
	res["displayName"] = u.displayName()
	if _, ok := res["externalId"]; !ok && u.ID != "" {
		res["externalId"] = u.ID
	}
	res["active"] = active
}
