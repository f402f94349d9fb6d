package samlidp

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

// respond builds the SAMLResponse form value for user and req, applying the app's faults.
func (p *IdP) respond(app directory.App, user directory.User, asg directory.Assignment, req *authnRequest, authTime time.Time) (string, error) {
	pl, err := p.basePlan(app, user, asg, req, authTime)
	if err != nil {
		return "", err
	}
	for _, name := range app.Faults {
		f, ok := faultByName[name]
		if !ok {
			continue // another protocol's fault, or an unknown name
		}
		if err := f.apply(p, app, pl); err != nil {
			return "", fmt.Errorf("apply fault %s: %w", name, err)
		}
	}
	xml, assertion, err := pl.build()
	if err != nil {
		return "", err
	}
	p.mu.Lock()
	p.last[app.ID] = assertion
	p.mu.Unlock()
	return pl.encoded(xml), nil
}

// basePlan is Okta's response to req (mock-idp.md 1.10).
func (p *IdP) basePlan(app directory.App, user directory.User, asg directory.Assignment, req *authnRequest, authTime time.Time) (*plan, error) {
	key, err := p.keys.forApp(app.ID)
	if err != nil {
		return nil, err
	}
	responseID, err := newID(p.cfg.Rand)
	if err != nil {
		return nil, err
	}
	assertionID, err := newID(p.cfg.Rand)
	if err != nil {
		return nil, err
	}
	s := app.SAML
	recipient, destination := s.Recipient, s.Destination
	if req.ACS != s.SSOURL || recipient == "" || destination == "" {
		recipient, destination = req.ACS, req.ACS
	}
	signResponse, signAssertion := s.ResponseSigned, s.AssertionSigned
	if !signResponse && !signAssertion { // Okta requires one; an app made outside CreateSAMLApp gets both
		signResponse, signAssertion = true, true
	}
	format := s.NameIDFormat
	if format == "" {
		format = directory.NameIDUnspecified
	}
	now := p.cfg.Now()
	return &plan{
		issueInstant: now, authnInstant: authTime,
		notBefore: now.Add(-Window), notOnOrAfter: now.Add(Window), scdNotOnOrAfter: now.Add(Window),
		responseID: responseID, assertionID: assertionID, issuer: EntityID(s.ExternalKey),
		destination: destination, recipient: recipient, audience: s.Audience,
		inResponseTo: req.ID, sessionIndex: req.ID, statusCode: statusSuccess,
		nameIDFormat: format, nameID: appUsername(app, user, asg),
		attributes:   p.attributes(s, user, asg),
		signResponse: signResponse, signAssertion: signAssertion, sig: sigOptions{key: key},
	}, nil
}

// appUsername is the app username: the assignment's, else from the app's username format.
func appUsername(app directory.App, user directory.User, asg directory.Assignment) string {
	if asg.UserName != "" {
		return asg.UserName
	}
	switch app.UsernameFormat {
	case "login":
		return user.Login
	case "prefix":
		login, _, _ := strings.Cut(user.Login, "@")
		return login
	default:
		return user.Email
	}
}

// attributes evaluates the app's attribute statements and group attribute statement for user.
func (p *IdP) attributes(s *directory.SAMLSettings, user directory.User, asg directory.Assignment) []attribute {
	var out []attribute
	for _, a := range s.Attributes {
		var v string
		switch a.Value {
		case "email":
			v = user.Email
		case "firstName":
			v = user.FirstName
		case "lastName":
			v = user.LastName
		case "displayName":
			v = user.DisplayName()
		case "login":
			v = user.Login
		case "userName":
			v = asg.UserName
		}
		out = append(out, attribute{name: a.Name, nameFormat: attrNameFormat(a.NameFormat), values: []string{v}})
	}
	if g := s.GroupAttribute; g != nil {
		if names := filterGroups(g.Filter, g.Value, p.cfg.Groups(user.ID)); len(names) > 0 {
			out = append(out, attribute{name: g.Name, nameFormat: attrNameFormat(g.NameFormat), values: names})
		}
	}
	return out
}

// attrNameFormat maps Okta's short NameFormat names to URIs; "" is unspecified.
func attrNameFormat(f string) string {
	switch strings.ToLower(f) {
	case "", "unspecified":
		return attrUnspecified
	case "uri":
		return attrURI
	case "basic":
		return attrBasic
	}
	return f
}

// filterGroups keeps the group names passing Okta's group attribute filter. REGEX must match the whole
// name (Okta uses Java's String.matches); an invalid expression matches nothing.
func filterGroups(filter, value string, names []string) []string {
	var match func(string) bool
	switch strings.ToUpper(filter) {
	case "STARTS_WITH":
		match = func(n string) bool { return strings.HasPrefix(n, value) }
	case "EQUALS":
		match = func(n string) bool { return n == value }
	case "CONTAINS":
		match = func(n string) bool { return strings.Contains(n, value) }
	case "REGEX":
		re, err := regexp.Compile(`^(?:` + value + `)$`)
		if err != nil {
			return nil
		}
		match = re.MatchString
	default:
		return nil
	}
	var out []string
	for _, n := range names {
		if match(n) {
			out = append(out, n)
		}
	}
	return out
}
