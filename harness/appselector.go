package harness

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/net/html"
)

// selector is the small CSS subset an app.yaml's signed_in.selector may use: compound steps made of a
// tag, #id, .class and [attr=value] (or [attr="value"]), separated by spaces (descendant). Nothing else
// (no child combinator, pseudo-classes or attribute operators): an app's signed-in marker rarely needs
// more, and a selector we cannot read is refused when the file is loaded rather than never matching.
type selector []selectorStep

type selectorStep struct {
	tag, id string
	classes []string
	attrs   [][2]string
}

// parseSelector reads a selector of the subset, or says what it cannot read.
func parseSelector(s string) (selector, error) {
	var out selector
	for _, part := range strings.Fields(s) {
		step, err := parseStep(part)
		if err != nil {
			return nil, fmt.Errorf("selector %q: %w", s, err)
		}
		out = append(out, step)
	}
	if len(out) == 0 {
		return nil, errors.New("selector is empty")
	}
	return out, nil
}

func parseStep(s string) (selectorStep, error) {
	var st selectorStep
	name := func() string {
		n := strings.IndexAny(s, "#.[")
		if n < 0 {
			n = len(s)
		}
		v := s[:n]
		s = s[n:]
		return v
	}
	st.tag = strings.ToLower(name())
	for s != "" {
		kind := s[0]
		s = s[1:]
		switch kind {
		case '#':
			st.id = name()
		case '.':
			st.classes = append(st.classes, name())
		case '[':
			end := strings.IndexByte(s, ']')
			if end < 0 {
				return st, errors.New("unclosed [")
			}
			k, v, ok := strings.Cut(s[:end], "=")
			if !ok || strings.ContainsAny(k, "~|^$*") {
				return st, fmt.Errorf("only [attr=value] is supported, not [%s]", s[:end])
			}
			st.attrs = append(st.attrs, [2]string{strings.TrimSpace(k), strings.Trim(strings.TrimSpace(v), `"'`)})
			s = s[end+1:]
		}
	}
	if st.tag == "" && st.id == "" && len(st.classes) == 0 && len(st.attrs) == 0 {
		return st, errors.New("empty step")
	}
	if strings.ContainsAny(st.tag, ">+~:*,") || strings.ContainsAny(st.id, ">+~:*,") {
		return st, errors.New("only tags, #id, .class, [attr=value] and spaces are supported")
	}
	for _, c := range st.classes {
		if c == "" || strings.ContainsAny(c, ">+~:*,") {
			return st, errors.New("only tags, #id, .class, [attr=value] and spaces are supported")
		}
	}
	return st, nil
}

func (st selectorStep) matches(n *html.Node) bool {
	if n.Type != html.ElementNode || (st.tag != "" && n.Data != st.tag) {
		return false
	}
	if st.id != "" && attr(n, "id") != st.id {
		return false
	}
	classes := strings.Fields(attr(n, "class"))
	for _, c := range st.classes {
		if !slices.Contains(classes, c) {
			return false
		}
	}
	for _, kv := range st.attrs {
		if !hasAttr(n, kv[0], kv[1]) {
			return false
		}
	}
	return true
}

func hasAttr(n *html.Node, key, val string) bool {
	for _, a := range n.Attr {
		if a.Key == key && a.Val == val {
			return true
		}
	}
	return false
}

// first returns the first element of doc (document order) the selector matches, or nil.
func (sel selector) first(doc *html.Node) *html.Node {
	for n := range doc.Descendants() {
		if sel[len(sel)-1].matches(n) && sel.ancestorsMatch(n.Parent, len(sel)-2) {
			return n
		}
	}
	return nil
}

// ancestorsMatch reports whether steps 0..i match ancestors of n, in order (descendant combinator).
func (sel selector) ancestorsMatch(n *html.Node, i int) bool {
	for ; i >= 0 && n != nil; n = n.Parent {
		if sel[i].matches(n) {
			i--
		}
	}
	return i < 0
}

// textOf is the element's text, its descendants' text nodes joined, spaces collapsed.
func textOf(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// identityBySelector finds the selector's element in page: its text is the Identity's Page (where the
// specs look for the user's email); no element is no session.
func identityBySelector(sel selector, page string) (Identity, bool, error) {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return Identity{}, false, fmt.Errorf("parse the signed-in page: %w", err)
	}
	n := sel.first(doc)
	if n == nil {
		return Identity{}, false, nil
	}
	return Identity{Page: textOf(n)}, true, nil
}

// TextAt returns the text of the first element of page (HTML) that css matches (the subset
// app.yaml's signed_in.selector takes: tag, #id, .class, [attr=value], descendants), spaces collapsed; ok is false when
// none does.
func TextAt(page, css string) (text string, ok bool, err error) {
	sel, err := parseSelector(css)
	if err != nil {
		return "", false, err
	}
	who, ok, err := identityBySelector(sel, page)
	return who.Page, ok, err
}
