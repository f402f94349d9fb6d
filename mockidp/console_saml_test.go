package mockidp_test

import (
	"encoding/base64"
	"encoding/xml"
	"errors"
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"testing"

	"github.com/crewjam/saml"

	"github.com/ssoconform/ssoconform/mockidp"
)

// TestConsoleSAMLSettingsEditReachesTheResponse edits a SAML app's ACS URL, audience, NameID format and
// attribute statements in the admin console, then signs in through an SP that uses the new values: the
// response goes to the new ACS, is for the new audience (crewjam checks both), and carries the new NameID
// format and attribute.
func TestConsoleSAMLSettingsEditReachesTheResponse(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	app, err := e.org.CreateSAMLApp(ctx, mockidp.SAMLAppInput{Label: "Test SP", SSOURL: "http://sp.test:8081/old/acs",
		Audience: "http://sp.test:8081/old/sp", NameIDFormat: mockidp.NameIDEmail,
		Attributes: []mockidp.SAMLAttribute{{Name: "email", Value: "email"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.org.AssignUser(ctx, app.ID, e.alice.ID); err != nil {
		t.Fatal(err)
	}
	const acs, audience = "https://sp.test:9443/new/acs", "urn:sp.test:new"
	admin := browser(t)
	postForm(t, admin, e.org.ConsoleURL()+"/login", url.Values{"secret": {e.org.ConsolePassword()}})
	p := postForm(t, admin, e.org.ConsoleURL()+"/apps/"+app.ID+"/settings", url.Values{"ssoUrl": {acs}, "audience": {audience},
		"nameIdFormat": {mockidp.NameIDPersistent}, "attributes": {"mail = user.email (basic)"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("save settings: %d\n%.500s", p.status, p.body)
	}

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	var md saml.EntityDescriptor
	if err := xml.Unmarshal(samlFetch(t, c, http.MethodGet, app.MetadataURL, nil), &md); err != nil {
		t.Fatal(err)
	}
	acsURL, _ := url.Parse(acs)
	sp := &saml.ServiceProvider{EntityID: audience, AcsURL: *acsURL, IDPMetadata: &md}
	req, err := sp.MakeAuthenticationRequest(app.SSOURL, saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		t.Fatal(err)
	}
	redirect, err := req.Redirect("", sp)
	if err != nil {
		t.Fatal(err)
	}
	loginPage := samlFetch(t, c, http.MethodGet, redirect.String(), nil)
	login := samlFields(loginPage)
	login.Set("username", e.alice.Login)
	login.Set("password", alicePassword)
	action := regexp.MustCompile(`action="([^"]+)"`).FindSubmatch(loginPage)
	if action == nil {
		t.Fatalf("no login form:\n%s", loginPage)
	}
	base, _ := url.Parse(e.org.BaseURL())
	target, _ := base.Parse(html.UnescapeString(string(action[1])))
	posted := samlFetch(t, c, http.MethodPost, target.String(), login)
	if form := regexp.MustCompile(`<form[^>]*action="([^"]+)"`).FindSubmatch(posted); form == nil || html.UnescapeString(string(form[1])) != acs {
		t.Errorf("the response form does not post to the new ACS %s", acs)
	}
	raw, err := base64.StdEncoding.DecodeString(samlFields(posted).Get("SAMLResponse"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := sp.ParseXMLResponse(raw, []string{req.ID}, *acsURL)
	if err != nil {
		if ivr, ok := errors.AsType[*saml.InvalidResponseError](err); ok {
			err = ivr.PrivateErr
		}
		t.Fatalf("an SP on the new ACS and audience rejects the response: %v", err)
	}
	if a.Subject.NameID.Format != mockidp.NameIDPersistent {
		t.Errorf("NameID format %q, want %q", a.Subject.NameID.Format, mockidp.NameIDPersistent)
	}
	if e.alice.Email == "" {
		t.Fatal("the fixture user has no email")
	}
	var mail bool
	for _, st := range a.AttributeStatements {
		for _, at := range st.Attributes {
			mail = mail || at.Name == "mail" && len(at.Values) == 1 && at.Values[0].Value == e.alice.Email
		}
	}
	if !mail {
		t.Errorf("no mail attribute with the user's email in %+v", a.AttributeStatements)
	}
}
