package samlidp

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"

	"github.com/beevik/etree"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// Single logout, SP-initiated, as Okta does it for an app with "Enable Single Logout": the SP sends a
// LogoutRequest (HTTP-Redirect or HTTP-POST binding) to /app/{name}/{exk}/slo/saml; Okta ends the user's
// Okta session, which is the org's one session, so OIDC apps lose it too, and posts a signed
// LogoutResponse to the app's Single Logout URL. Okta does not send LogoutRequests to the other apps of
// the session (their own sessions stay until they check back with Okta), and neither does the mock.
//
// As on Okta, the LogoutRequest must be signed with the certificate uploaded for the app (its
// SPCertificate; slosig.go checks both bindings); an unsigned or wrongly signed request ends nothing.

var (
	errSLODisabled   = &Error{Status: http.StatusBadRequest, Title: "Bad Request", Message: "Single logout is not enabled for this app."}
	errMalformedSLO  = &Error{Status: http.StatusBadRequest, Title: "Bad Request", Message: "The SAML request could not be read: it is not a valid LogoutRequest."}
	errUnknownSLOIss = &Error{Status: http.StatusBadRequest, Title: "Bad Request", Message: "The LogoutRequest's Issuer does not match the SP Issuer of this app."}
)

// logoutRequest is the part of a LogoutRequest the IdP reads.
type logoutRequest struct {
	XMLName xml.Name
	ID      string `xml:"ID,attr"`
	Issuer  string `xml:"urn:oasis:names:tc:SAML:2.0:assertion Issuer"`
	NameID  string `xml:"urn:oasis:names:tc:SAML:2.0:assertion NameID"`
}

func parseLogoutRequest(app directory.App, raw []byte) (*logoutRequest, *Error) {
	var lr logoutRequest
	if err := xml.Unmarshal(raw, &lr); err != nil {
		return nil, errMalformedSLO.withCause(err)
	}
	if lr.XMLName.Space != nsProtocol || lr.XMLName.Local != "LogoutRequest" || lr.ID == "" {
		return nil, errMalformedSLO
	}
	want := app.SAML.SPIssuer
	if want == "" {
		want = app.SAML.Audience
	}
	if lr.Issuer != want {
		return nil, errUnknownSLOIss
	}
	return &lr, nil
}

// handleSLO ends the Okta session and answers the SP with a LogoutResponse posted to its Single Logout URL.
func (p *IdP) handleSLO(w http.ResponseWriter, r *http.Request) {
	app, e := p.appFor(r)
	if e == nil && app.SAML.SLOURL == "" {
		e = errSLODisabled
	}
	if e != nil {
		p.writeError(w, r, e)
		return
	}
	raw, relayState, err := readRequest(r)
	if err != nil {
		p.writeError(w, r, errMalformedSLO.withCause(err))
		return
	}
	lr, e := parseLogoutRequest(app, raw)
	if e == nil {
		if e = verifyLogoutSignature(app, r, raw); e != nil {
			p.cfg.SystemLog.Append(r.Context(), syslog.Event{EventType: "app.auth.slo.saml.malformed_request.invalid_signature",
				DisplayMessage: "SAML single logout request with an invalid signature", Actor: syslog.Actor{Type: "AppInstance", ID: app.ID, DisplayName: app.Label},
				Outcome: syslog.Failure("INVALID_SIGNATURE"), Targets: []syslog.Target{syslog.AppTarget(app.ID, app.Label)}})
		}
	}
	if e != nil {
		p.writeError(w, r, e)
		return
	}
	if s, ok := p.sessions.End(w, r); ok {
		actor := syslog.Actor{ID: s.UserID, Type: "User"}
		if u, found := p.cfg.Directory.User(s.UserID); found {
			actor = syslog.UserActor(u.ID, u.Login, u.DisplayName())
		}
		p.cfg.SystemLog.Append(r.Context(), syslog.Event{EventType: "user.session.end",
			DisplayMessage: "User logout from Okta", Actor: actor, Outcome: syslog.Success(),
			Targets: []syslog.Target{syslog.AppTarget(app.ID, app.Label)}, Debug: map[string]string{"protocol": "SAML2 SLO"}})
	}
	out, err := p.logoutResponse(app, lr.ID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.renderPage(w, http.StatusOK, postPage{Action: app.SAML.SLOURL, SAMLResponse: out, RelayState: relayState})
}

// logoutResponse builds the signed LogoutResponse (status Success) to the request with the given ID.
func (p *IdP) logoutResponse(app directory.App, inResponseTo string) (string, error) {
	key, err := p.keys.forApp(app.ID)
	if err != nil {
		return "", err
	}
	id, err := newID(p.cfg.Rand)
	if err != nil {
		return "", err
	}
	lr := etree.NewElement("saml2p:LogoutResponse")
	lr.CreateAttr("xmlns:saml2p", nsProtocol)
	lr.CreateAttr("Destination", app.SAML.SLOURL)
	lr.CreateAttr("ID", id)
	lr.CreateAttr("InResponseTo", inResponseTo)
	lr.CreateAttr("IssueInstant", timestamp(p.cfg.Now()))
	lr.CreateAttr("Version", "2.0")
	elem(lr, "saml2:Issuer", "xmlns:saml2", nsAssertion, "Format", formatEntity).SetText(EntityID(app.SAML.ExternalKey))
	st := elem(lr, "saml2p:Status", "xmlns:saml2p", nsProtocol)
	elem(st, "saml2p:StatusCode", "Value", statusSuccess)
	if err := sign(lr, sigOptions{key: key}); err != nil {
		return "", err
	}
	doc := etree.NewDocument()
	doc.SetRoot(lr)
	b, err := doc.WriteToBytes()
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b), nil
}
