package harness

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/html"
)

// The HTML forms the headless client fills, as a browser would submit them: the mock Okta's sign-in
// form and SAML post form, and an app's settings page (connect.settings_url).

type form struct {
	action string
	values url.Values
}

// formHolding returns the first POST form of the page holding a control whose name or id is one of
// controls, with its action resolved and the values a browser would submit: inputs (checkboxes and
// radios when checked), selected options (or the first) and textareas.
func formHolding(page fetched, controls ...string) (form, error) {
	doc, err := html.Parse(strings.NewReader(page.body))
	if err != nil {
		return form{}, fmt.Errorf("parse %s: %w", RedactURL(page.url), err)
	}
	for f := range doc.Descendants() {
		if f.Type != html.ElementNode || f.Data != "form" {
			continue
		}
		values, holds := formValues(f, controls)
		if !holds {
			continue
		}
		if m := strings.ToLower(attr(f, "method")); m != "post" {
			return form{}, fmt.Errorf("the form on %s is sent with %q; only POST forms are filled", RedactURL(page.url), m)
		}
		action, err := page.resolve(attr(f, "action"))
		if err != nil {
			return form{}, fmt.Errorf("form action: %w", err)
		}
		return form{action: action, values: values}, nil
	}
	return form{}, errors.New("no form on " + RedactURL(page.url) + " (status " + fmt.Sprint(page.status) + ") has a field named " +
		strings.Join(controls, ", "))
}

// resolve is ref (a link or a form's action) resolved against the page's URL.
func (p fetched) resolve(ref string) (string, error) {
	base, err := url.Parse(p.url)
	if err != nil {
		return "", err
	}
	u, err := base.Parse(ref)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// formValues collects the values a browser would submit from form f, and whether f holds a control
// whose name or id is one of controls.
func formValues(f *html.Node, controls []string) (url.Values, bool) {
	values, holds := url.Values{}, false
	for n := range f.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		name := attr(n, "name")
		if slices.Contains(controls, name) || slices.Contains(controls, attr(n, "id")) {
			holds = true
		}
		if name == "" {
			continue
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

// postSAMLForm submits the IdP's auto-posting SAML form (SAMLResponse) when page holds one, as a
// browser's script does, and returns the page it lands on; any other page is returned as it is.
func postSAMLForm(ctx context.Context, client *http.Client, page fetched) (fetched, error) {
	if post, err := formHolding(page, "SAMLResponse"); err == nil {
		return fetch(ctx, client, http.MethodPost, post.action, post.values)
	}
	return page, nil // no SAML form: the page is where the browser stays
}
