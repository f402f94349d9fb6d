package samlidp

import (
	"encoding/base64"
	"net/http"

	"github.com/beevik/etree"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

const (
	nsMetadata      = "urn:oasis:names:tc:SAML:2.0:metadata"
	bindingPOST     = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
	bindingRedirect = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
)

// Metadata returns the IdP metadata of a SAML app as Okta serves it (mock-idp.md 1.9): md: prefix,
// entityID http://www.okta.com/{exk}, WantAuthnRequestsSigned="false", one signing KeyDescriptor, two
// NameIDFormats (the app's format first; emailAddress first for persistent and transient apps, as
// observed), SingleSignOnService for HTTP-POST then HTTP-Redirect, and, when the app has single logout
// enabled (a Single Logout URL), SingleLogoutService for HTTP-POST then HTTP-Redirect. It generates the app's key on first use.
func (p *IdP) Metadata(app directory.App) ([]byte, error) {
	key, err := p.keys.forApp(app.ID)
	if app.HasFault(FaultCertExpired) {
		key, err = p.keys.expiredForApp(app.ID)
	}
	if err != nil {
		return nil, err
	}
	s := app.SAML
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	ed := elem(&doc.Element, "md:EntityDescriptor", "xmlns:md", nsMetadata, "entityID", EntityID(s.ExternalKey))
	sso := elem(ed, "md:IDPSSODescriptor", "WantAuthnRequestsSigned", "false",
		"protocolSupportEnumeration", nsProtocol)
	ki := elem(elem(sso, "md:KeyDescriptor", "use", "signing"), "ds:KeyInfo", "xmlns:ds", nsDS)
	ki.CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").
		SetText(wrap76(base64.StdEncoding.EncodeToString(key.cert)))
	if s.SLOURL != "" { // only apps with single logout enabled; the schema puts it before NameIDFormat
		slo := p.SLOURL(s.AppName, s.ExternalKey)
		elem(sso, "md:SingleLogoutService", "Binding", bindingPOST, "Location", slo)
		elem(sso, "md:SingleLogoutService", "Binding", bindingRedirect, "Location", slo)
	}
	for _, f := range nameIDFormats(s.NameIDFormat) {
		sso.CreateElement("md:NameIDFormat").SetText(f)
	}
	loc := p.SSOURL(s.AppName, s.ExternalKey)
	elem(sso, "md:SingleSignOnService", "Binding", bindingPOST, "Location", loc)
	elem(sso, "md:SingleSignOnService", "Binding", bindingRedirect, "Location", loc)
	return doc.WriteToBytes()
}

func nameIDFormats(appFormat string) []string {
	switch appFormat {
	case directory.NameIDEmail:
		return []string{directory.NameIDEmail, directory.NameIDUnspecified}
	case directory.NameIDPersistent, directory.NameIDTransient:
		return []string{directory.NameIDEmail, appFormat}
	default:
		return []string{directory.NameIDUnspecified, directory.NameIDEmail}
	}
}

func (p *IdP) handleMetadata(w http.ResponseWriter, r *http.Request) {
	app, ok := p.cfg.Directory.AppByExternalKey(r.PathValue("exk"))
	if !ok || app.SAML == nil {
		p.writeError(w, r, errAppNotFound)
		return
	}
	md, err := p.Metadata(app)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	_, _ = w.Write(md)
}
