package samlidp

import (
	"crypto"
	"crypto/rsa"
	_ "crypto/sha1" // SHA-1 signatures exist only for the saml-sha1 fault
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// XML-DSig algorithm identifiers.
const (
	nsDS         = "http://www.w3.org/2000/09/xmldsig#"
	algExcC14N   = "http://www.w3.org/2001/10/xml-exc-c14n#"
	algEnveloped = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
	algRSASHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
	algRSASHA1   = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
	algSHA256    = "http://www.w3.org/2001/04/xmlenc#sha256"
	algSHA1      = "http://www.w3.org/2000/09/xmldsig#sha1"
	algXSLT      = "http://www.w3.org/TR/1999/REC-xslt-19991116"
)

// inclusivePrefixes is the InclusiveNamespaces PrefixList of Okta's reference transform.
const inclusivePrefixes = "xs"

// sigOptions say how to sign: with which key, and with which deliberate defects.
type sigOptions struct {
	key  signingKey
	sha1 bool // rsa-sha1 + sha1 digest instead of rsa-sha256 + sha256
	xslt bool // an XSLT transform before the others (which no verifier may run)
}

// sign adds an enveloped signature to el, which must have an ID and no Signature yet. The signature goes
// directly after el's Issuer (first when there is none), as Okta places it. The digest covers el in its
// namespace context, canonicalised with exc-c14n and PrefixList "xs".
func sign(el *etree.Element, o sigOptions) error {
	hash, sigAlg, digAlg := crypto.SHA256, algRSASHA256, algSHA256
	if o.sha1 {
		hash, sigAlg, digAlg = crypto.SHA1, algRSASHA1, algSHA1
	}
	canon, err := canonicalize(el, inclusivePrefixes)
	if err != nil {
		return fmt.Errorf("sign: canonicalize element: %w", err)
	}
	digest := hashOf(hash, canon)

	sig := etree.NewElement("ds:Signature")
	sig.CreateAttr("xmlns:ds", nsDS)
	si := sig.CreateElement("ds:SignedInfo")
	elem(si, "ds:CanonicalizationMethod", "Algorithm", algExcC14N)
	elem(si, "ds:SignatureMethod", "Algorithm", sigAlg)
	ref := elem(si, "ds:Reference", "URI", "#"+el.SelectAttrValue("ID", ""))
	transforms := ref.CreateElement("ds:Transforms")
	if o.xslt {
		x := elem(transforms, "ds:Transform", "Algorithm", algXSLT)
		ss := elem(x, "xsl:stylesheet", "xmlns:xsl", "http://www.w3.org/1999/XSL/Transform", "version", "1.0")
		elem(ss, "xsl:template", "match", "/").CreateElement("xsl:copy-of").CreateAttr("select", "document('http://127.0.0.1:1/xslt')")
	}
	elem(transforms, "ds:Transform", "Algorithm", algEnveloped)
	c14n := elem(transforms, "ds:Transform", "Algorithm", algExcC14N)
	elem(c14n, "ec:InclusiveNamespaces", "xmlns:ec", algExcC14N, "PrefixList", inclusivePrefixes)
	elem(ref, "ds:DigestMethod", "Algorithm", digAlg)
	ref.CreateElement("ds:DigestValue").SetText(base64.StdEncoding.EncodeToString(digest))

	canonSI, err := canonicalize(si, "")
	if err != nil {
		return fmt.Errorf("sign: canonicalize SignedInfo: %w", err)
	}
	value, err := rsa.SignPKCS1v15(nil, o.key.key, hash, hashOf(hash, canonSI))
	if err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	sig.CreateElement("ds:SignatureValue").SetText(base64.StdEncoding.EncodeToString(value))
	sig.CreateElement("ds:KeyInfo").CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").
		SetText(wrap76(base64.StdEncoding.EncodeToString(o.key.cert)))

	at := 0
	if iss := child(el, "Issuer"); iss != nil {
		at = iss.Index() + 1
	}
	el.InsertChildAt(at, sig)
	return nil
}

// canonicalize returns the exclusive canonical form of el detached with its in-scope namespaces. el is
// not modified.
func canonicalize(el *etree.Element, prefixList string) ([]byte, error) {
	ctx, err := etreeutils.NSBuildParentContext(el)
	if err != nil {
		return nil, err
	}
	detached, err := etreeutils.NSDetatch(ctx, el)
	if err != nil {
		return nil, err
	}
	return dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList(prefixList).Canonicalize(detached)
}

func hashOf(h crypto.Hash, b []byte) []byte {
	if h == crypto.SHA256 {
		sum := sha256.Sum256(b)
		return sum[:]
	}
	w := h.New()
	w.Write(b)
	return w.Sum(nil)
}

// elem adds a child element with attributes given as name, value pairs.
func elem(parent *etree.Element, tag string, attrs ...string) *etree.Element {
	e := parent.CreateElement(tag)
	for i := 0; i+1 < len(attrs); i += 2 {
		e.CreateAttr(attrs[i], attrs[i+1])
	}
	return e
}

// child returns the first child element of el with the given local name.
func child(el *etree.Element, tag string) *etree.Element {
	for _, c := range el.ChildElements() {
		if c.Tag == tag {
			return c
		}
	}
	return nil
}

// wrap76 breaks base64 text into lines of 76 characters, as Okta writes certificates.
func wrap76(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76])
		b.WriteByte('\n')
		s = s[76:]
	}
	b.WriteString(s)
	return b.String()
}
