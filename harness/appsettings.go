package harness

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// connectBySettings connects the organization as an admin would in a browser (connect.settings_url):
// a fresh client signs in through connect.login when the file has one, then fills and submits the
// settings page's form.
func (a *YAMLApp) connectBySettings(ctx context.Context, tn AppTenant, conn connection) error {
	c := a.file.Connect
	v := conn.placeholders(tn)
	client := HeadlessClient()
	if c.Login != nil {
		if err := submitForm(ctx, client, a.vars.resolve(v.expand(c.Login.URL)), a.fill(v, c.Login.Fields), conn); err != nil {
			return fmt.Errorf("connect %s: sign the admin in: %w", tn.Org, err)
		}
	}
	if err := submitForm(ctx, client, a.vars.resolve(v.expand(c.SettingsURL)), a.fill(v, c.Fields), conn); err != nil {
		return fmt.Errorf("connect %s: save the settings: %w", tn.Org, err)
	}
	return nil
}

// fill expands the placeholders of a form's field values.
func (a *YAMLApp) fill(v expander, fields map[string]string) map[string]string {
	out := make(map[string]string, len(fields))
	for k, val := range fields {
		out[k] = a.vars.expand(v.expand(val))
	}
	return out
}

// placeholders are the connection's values for connect.login and connect.fields; the other
// protocol's are empty.
func (conn connection) placeholders(tn AppTenant) expander {
	v := expander{"org": tn.Org, "protocol": tn.Protocol, "okta.issuer": conn.issuer, "admin.password": conn.adminPassword,
		"oidc.discovery_url": "", "oidc.client_id": "", "oidc.client_secret": "", "saml.metadata_url": ""}
	if tn.Protocol == "oidc" {
		v["oidc.discovery_url"], v["oidc.client_id"], v["oidc.client_secret"] = conn.metadataURL, conn.clientID, conn.clientSecret
	} else {
		v["saml.metadata_url"] = conn.metadataURL
	}
	return v
}

// submitForm GETs page, finds the first form holding one of fields, sets fields over the form's own
// values (hidden inputs such as CSRF tokens, checked boxes, selected options) and posts it. An answer
// of 400 or more, after redirects, is an error with its status and text (the connection's secrets
// hidden).
func submitForm(ctx context.Context, client *http.Client, page string, fields map[string]string, conn connection) error {
	got, err := fetch(ctx, client, http.MethodGet, page, nil)
	if err != nil {
		return err
	}
	if got.status >= 400 {
		return conn.refusal("GET", got)
	}
	f, err := formHolding(got, fields)
	if err != nil {
		return err
	}
	for k, v := range fields {
		f.values.Set(k, v)
	}
	if got, err = fetch(ctx, client, http.MethodPost, f.action, f.values); err != nil {
		return err
	}
	if got.status >= 400 {
		return conn.refusal("POST", got)
	}
	return nil
}

// refusal describes an app's answer of 400 or more: status and the page's text.
func (conn connection) refusal(method string, p fetched) error {
	text := pageText(p.body)
	for _, secret := range []string{conn.clientSecret, conn.adminPassword} {
		if secret != "" {
			text = strings.ReplaceAll(text, secret, "[redacted]")
		}
	}
	return fmt.Errorf("%s %s answered %d: %s", method, RedactURL(p.url), p.status, excerpt(text, 600))
}

// pageText is the text of an HTML page's body (scripts and styles left out), spaces collapsed.
func pageText(body string) string {
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		return body
	}
	var b strings.Builder
	for n := range doc.Descendants() {
		if n.Type == html.TextNode && (n.Parent == nil || (n.Parent.Data != "script" && n.Parent.Data != "style" && n.Parent.Data != "title")) {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// formHolding returns the first POST form of the page with a control named in fields, with its action
// resolved and the values a browser would submit: inputs (checkboxes and radios when checked),
// selected options (or the first) and textareas.
func formHolding(page fetched, fields map[string]string) (form, error) {
	doc, err := html.Parse(strings.NewReader(page.body))
	if err != nil {
		return form{}, fmt.Errorf("parse %s: %w", RedactURL(page.url), err)
	}
	for f := range doc.Descendants() {
		if f.Type != html.ElementNode || f.Data != "form" {
			continue
		}
		values, holds := formValues(f, fields)
		if !holds {
			continue
		}
		if m := strings.ToLower(attr(f, "method")); m != "post" {
			return form{}, fmt.Errorf("the form on %s is sent with %q; only POST forms are filled", RedactURL(page.url), m)
		}
		base, err := url.Parse(page.url)
		if err != nil {
			return form{}, err
		}
		action, err := base.Parse(attr(f, "action"))
		if err != nil {
			return form{}, fmt.Errorf("form action: %w", err)
		}
		return form{action: action.String(), values: values}, nil
	}
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	return form{}, errors.New("no form on " + RedactURL(page.url) + " (status " + fmt.Sprint(page.status) + ") has a field named " +
		strings.Join(names, ", "))
}

// formValues collects the values a browser would submit from form f, and whether f holds a control
// named in fields.
func formValues(f *html.Node, fields map[string]string) (url.Values, bool) {
	values, holds := url.Values{}, false
	for n := range f.Descendants() {
		name := attr(n, "name")
		if n.Type != html.ElementNode || name == "" {
			continue
		}
		if _, ok := fields[name]; ok {
			holds = true
		}
		switch n.Data {
		case "input":
			switch typ := strings.ToLower(attr(n, "type")); typ {
			case "submit", "button", "image", "reset", "file":
			case "checkbox", "radio":
				if hasAttrKey(n, "checked") {
					values.Add(name, withDefault(attr(n, "value"), "on"))
				}
			default:
				values.Add(name, attr(n, "value"))
			}
		case "select":
			if v, ok := selected(n); ok {
				values.Add(name, v)
			}
		case "textarea":
			values.Add(name, textOf(n))
		}
	}
	return values, holds
}

// selected is the value of a select's selected option, or of its first.
func selected(sel *html.Node) (string, bool) {
	var first *html.Node
	for o := range sel.Descendants() {
		if o.Type != html.ElementNode || o.Data != "option" {
			continue
		}
		if first == nil {
			first = o
		}
		if hasAttrKey(o, "selected") {
			first = o
			break
		}
	}
	if first == nil {
		return "", false
	}
	if hasAttrKey(first, "value") {
		return attr(first, "value"), true
	}
	return textOf(first), true
}

func hasAttrKey(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}
