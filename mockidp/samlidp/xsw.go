package samlidp

import (
	"errors"
	"fmt"

	"github.com/beevik/etree"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

// XML Signature Wrapping, the eight permutations of SAML Raider (XSWHelpers.applyXSWn), from "On Breaking
// SAML" (Somorovsky et al., USENIX Security 2012); see conformance.md b.1. Each starts from a valid
// response signed only where the attack needs it (the Response for XSW1-2, the Assertion for XSW3-8)
// and moves or copies the signed element so that the signature still verifies while an evil element
// naming Config.EvilNameID sits where a careless SP reads. The SP must reject every one
// (SAML-NEG-XSW1...XSW8): the signature must reference the element the SP uses.

const xswRule = "XML-DSig and SAML core 5.4.1: the signature must reference the very element the SP consumes; signed content moved or copied elsewhere must not vouch for an evil element (SAML-NEG-XSW; USENIX Security 2012 'On Breaking SAML')."

func xswFault(name, description string) faultDef {
	return faultDef{Fault{name, xswRule, "XML Signature Wrapping: " + description + "; the evil element names Config.EvilNameID."},
		func(p *IdP, _ directory.App, pl *plan) error {
			responseSig := name == FaultXSW1 || name == FaultXSW2
			pl.signResponse, pl.signAssertion = responseSig, !responseSig
			newID, err := newID(p.cfg.Rand)
			if err != nil {
				return err
			}
			evil := p.cfg.EvilNameID
			pl.mutate = append(pl.mutate, func(doc *etree.Document) error {
				return applyXSW(name, doc.Root(), newID, evil)
			})
			return nil
		}}
}

// applyXSW rewrites resp in place for variant name.
func applyXSW(name string, resp *etree.Element, newID, evil string) error {
	a := child(resp, "Assertion")
	if a == nil {
		return errors.New("xsw: response has no assertion")
	}
	switch name {
	case FaultXSW1, FaultXSW2:
		sig := child(resp, "Signature")
		if sig == nil {
			return errors.New("xsw: response is not signed")
		}
		clone := resp.Copy()
		clone.RemoveChild(child(clone, "Signature"))
		if name == FaultXSW1 {
			sig.AddChild(clone)
		} else {
			resp.InsertChildAt(sig.Index(), clone)
		}
		resp.CreateAttr("ID", newID)
		return setNameID(a, evil)
	case FaultXSW3, FaultXSW4, FaultXSW7:
		id := newID
		if name == FaultXSW7 {
			id = a.SelectAttrValue("ID", "")
		}
		e, err := evilCopy(a, id, evil)
		if err != nil {
			return err
		}
		switch name {
		case FaultXSW3:
			resp.InsertChildAt(a.Index(), e)
		case FaultXSW4:
			at := a.Index()
			resp.RemoveChild(a)
			e.AddChild(a)
			resp.InsertChildAt(at, e)
		default:
			ext := etree.NewElement("saml2p:Extensions")
			ext.AddChild(e)
			resp.InsertChildAt(a.Index(), ext)
		}
		return nil
	case FaultXSW5, FaultXSW6, FaultXSW8:
		sig := child(a, "Signature")
		if sig == nil {
			return errors.New("xsw: assertion is not signed")
		}
		orig := a.Copy()
		orig.RemoveChild(child(orig, "Signature"))
		switch name {
		case FaultXSW5:
			resp.AddChild(orig)
		case FaultXSW6:
			sig.AddChild(orig)
		default:
			sig.CreateElement("ds:Object").AddChild(orig)
		}
		return setNameID(a, evil)
	}
	return fmt.Errorf("xsw: unknown variant %q", name)
}

// evilCopy returns an unsigned copy of assertion a with the given ID, naming evil.
func evilCopy(a *etree.Element, id, evil string) (*etree.Element, error) {
	if a == nil {
		return nil, errors.New("no assertion to copy")
	}
	e := a.Copy()
	if sig := child(e, "Signature"); sig != nil {
		e.RemoveChild(sig)
	}
	e.CreateAttr("ID", id)
	return e, setNameID(e, evil)
}

// setNameID replaces the text of assertion a's Subject/NameID.
func setNameID(a *etree.Element, value string) error {
	if a == nil {
		return errors.New("set NameID: no assertion")
	}
	s := child(a, "Subject")
	if s == nil {
		return errors.New("set NameID: assertion has no Subject")
	}
	n := child(s, "NameID")
	if n == nil {
		return errors.New("set NameID: subject has no NameID")
	}
	n.SetText(value)
	return nil
}
