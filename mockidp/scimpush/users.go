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
	SchemaListResponse = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
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
// the server does not have the user yet.
func (c *Client) PushUser(ctx context.Context, t Target, u User, tr *Transcript) (Result, error) {
	id, found, err := c.findUser(ctx, t, u.UserName, tr)
	if err != nil {
		return Result{}, err
	}
	if found {
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
	var lr listResponse
	if err := json.Unmarshal(body, &lr); err != nil || lr.TotalResults == nil {
		if err == nil {
			err = errors.New("no totalResults in the ListResponse")
		}
		return "", false, &PushError{Method: k.method, URL: k.url, Status: status,
			Body: excerpt(string(body)), Err: fmt.Errorf("decode ListResponse: %w", err)}
	}
	if *lr.TotalResults == 0 {
		return "", false, nil
	}
	if len(lr.Resources) == 0 || lr.Resources[0].ID == "" {
		return "", false, &PushError{Method: k.method, URL: k.url, Status: status,
			Body: excerpt(string(body)), Err: errors.New("totalResults > 0 but no resource id")}
	}
	return lr.Resources[0].ID, true, nil
}

func (c *Client) createUser(ctx context.Context, t Target, u User, tr *Transcript) (string, error) {
	password, err := placeholderPassword(c.cfg.Rand)
	if err != nil {
		return "", fmt.Errorf("scim create user %q: %w", u.UserName, err)
	}
	display := u.DisplayName
	if display == "" {
		display = strings.TrimSpace(u.GivenName + " " + u.FamilyName)
	}
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
