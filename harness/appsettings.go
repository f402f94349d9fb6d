package harness

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
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
	f, err := formHolding(got, slices.Sorted(maps.Keys(fields))...)
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
