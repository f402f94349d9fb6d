package samlsp

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/crewjam/saml"
)

// maxMetadataBytes caps an IdP metadata document.
const maxMetadataBytes = 1 << 20

// IdPMetadata is a checked IdP metadata document.
type IdPMetadata struct {
	EntityID string
	SSOURL   string // the HTTP-Redirect SingleSignOnService
	SLOURL   string // the HTTP-Redirect SingleLogoutService; empty when single logout is not enabled
	XML      string // the document as fetched
	entity   *saml.EntityDescriptor
}

// oktaMetadataPath is Okta's IdP metadata path; its key is the end of the entity ID (http://www.okta.com/{key}).
var oktaMetadataPath = regexp.MustCompile(`/app/([A-Za-z0-9]+)/sso/saml/metadata$`)

// FetchIdPMetadata fetches the IdP metadata at metadataURL and checks it (see ParseIdPMetadata). When
// wantEntityID is set the entity ID must equal it; otherwise, for an Okta-style URL
// (.../app/{key}/sso/saml/metadata) the entity ID must end with "/{key}". Errors say what is wrong in
// words an administrator can act on.
func FetchIdPMetadata(ctx context.Context, client *http.Client, metadataURL, wantEntityID string) (IdPMetadata, error) {
	u, err := url.Parse(metadataURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return IdPMetadata{}, fmt.Errorf("metadata URL %q is not an absolute http(s) URL", metadataURL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, metadataURL, nil)
	if err != nil {
		return IdPMetadata{}, fmt.Errorf("metadata URL %q: %w", metadataURL, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return IdPMetadata{}, fmt.Errorf("could not reach the IdP metadata URL %s: %w", metadataURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return IdPMetadata{}, fmt.Errorf("the IdP metadata URL %s answered HTTP %d", metadataURL, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadataBytes+1))
	if err != nil {
		return IdPMetadata{}, fmt.Errorf("read the IdP metadata from %s: %w", metadataURL, err)
	}
	if len(body) > maxMetadataBytes {
		return IdPMetadata{}, fmt.Errorf("the IdP metadata at %s is larger than %d bytes", metadataURL, maxMetadataBytes)
	}
	md, err := ParseIdPMetadata(body)
	if err != nil {
		return IdPMetadata{}, fmt.Errorf("the IdP metadata at %s cannot be used: %w", metadataURL, err)
	}
	switch m := oktaMetadataPath.FindStringSubmatch(u.Path); {
	case wantEntityID != "" && md.EntityID != wantEntityID:
		return IdPMetadata{}, fmt.Errorf("the IdP metadata at %s names entity ID %q, expected %q", metadataURL, md.EntityID, wantEntityID)
	case wantEntityID == "" && m != nil && !strings.HasSuffix(md.EntityID, "/"+m[1]):
		return IdPMetadata{}, fmt.Errorf("the IdP metadata at %s names entity ID %q, which is not the app %s of that URL",
			metadataURL, md.EntityID, m[1])
	}
	return md, nil
}

// ParseIdPMetadata checks an IdP metadata document: well-formed XML without DOCTYPE, one
// EntityDescriptor with an entity ID, an IDPSSODescriptor with an HTTP-Redirect SingleSignOnService, and
// at least one usable signing certificate.
func ParseIdPMetadata(doc []byte) (IdPMetadata, error) {
	if err := refuseMarkupDeclarations(doc); err != nil {
		return IdPMetadata{}, err
	}
	var ed saml.EntityDescriptor
	if err := xml.Unmarshal(doc, &ed); err != nil {
		return IdPMetadata{}, fmt.Errorf("it is not a SAML EntityDescriptor (%w)", err)
	}
	if ed.EntityID == "" {
		return IdPMetadata{}, errors.New("it has no entityID")
	}
	if len(ed.IDPSSODescriptors) == 0 {
		return IdPMetadata{}, errors.New("it has no IDPSSODescriptor (is this an IdP's metadata?)")
	}
	md := IdPMetadata{EntityID: ed.EntityID, XML: string(doc), entity: &ed}
	for _, d := range ed.IDPSSODescriptors {
		for _, s := range d.SingleSignOnServices {
			if s.Binding == saml.HTTPRedirectBinding && md.SSOURL == "" {
				md.SSOURL = s.Location
			}
		}
		for _, s := range d.SingleLogoutServices {
			if s.Binding == saml.HTTPRedirectBinding && md.SLOURL == "" {
				md.SLOURL = s.Location
			}
		}
	}
	if md.SSOURL == "" {
		return IdPMetadata{}, errors.New("it has no HTTP-Redirect SingleSignOnService")
	}
	if n, err := signingCerts(&ed); err != nil || n == 0 {
		return IdPMetadata{}, fmt.Errorf("it has no usable signing certificate%s", errSuffix(err))
	}
	return md, nil
}

func errSuffix(err error) string {
	if err == nil {
		return ""
	}
	return " (" + err.Error() + ")"
}

// signingCerts counts the parseable certificates of signing (or unspecified-use) keys.
func signingCerts(ed *saml.EntityDescriptor) (int, error) {
	n := 0
	var lastErr error
	for _, d := range ed.IDPSSODescriptors {
		for _, kd := range d.KeyDescriptors {
			if kd.Use != "" && kd.Use != "signing" {
				continue
			}
			for _, c := range kd.KeyInfo.X509Data.X509Certificates {
				der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(c.Data), ""))
				if err == nil {
					_, err = x509.ParseCertificate(der)
				}
				if err != nil {
					lastErr = err
					continue
				}
				n++
			}
		}
	}
	return n, lastErr
}

// refuseMarkupDeclarations refuses XML holding "<!" other than a comment or CDATA section: DOCTYPE,
// ENTITY and the like are never parsed, so no entity is expanded or fetched.
func refuseMarkupDeclarations(doc []byte) error {
	rest := doc
	for {
		i := bytes.Index(rest, []byte("<!"))
		if i < 0 {
			return nil
		}
		rest = rest[i+2:]
		if !bytes.HasPrefix(rest, []byte("--")) && !bytes.HasPrefix(rest, []byte("[CDATA[")) {
			return errors.New("it contains a DOCTYPE or other markup declaration, which is refused")
		}
	}
}
