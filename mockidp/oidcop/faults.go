package oidcop

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"slices"
	"time"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

// Fault is a deliberate defect the provider puts in its answers to one app
// integration, so a spec can check that the app REJECTS a bad OpenID
// provider. Name is what App.Faults holds; Rule is the rule the fault breaks;
// Description says exactly what changes.
type Fault struct {
	Name, Rule, Description string
}

// Fault names. Each changes one thing in what the provider sends to the app
// carrying it; everything else stays as Okta would send it.
const (
	FaultSigCorrupt          = "oidc-sig-corrupt"
	FaultSigOtherKey         = "oidc-sig-other-key"
	FaultAlgNone             = "oidc-alg-none"
	FaultAlgHS256Secret      = "oidc-alg-hs256-secret"
	FaultAlgHS256PublicKey   = "oidc-alg-hs256-public-key"
	FaultKidUnknown          = "oidc-kid-unknown"
	FaultKidMissing          = "oidc-kid-missing"
	FaultIssWrong            = "oidc-iss-wrong"
	FaultIssMissing          = "oidc-iss-missing"
	FaultAudWrong            = "oidc-aud-wrong"
	FaultAudMissing          = "oidc-aud-missing"
	FaultAudExtra            = "oidc-aud-extra"
	FaultExpPast             = "oidc-exp-past"
	FaultExpMissing          = "oidc-exp-missing"
	FaultIatMissing          = "oidc-iat-missing"
	FaultIatFuture           = "oidc-iat-future"
	FaultIatWeekOld          = "oidc-iat-week-old"
	FaultNonceWrong          = "oidc-nonce-wrong"
	FaultNonceMissing        = "oidc-nonce-missing"
	FaultSubMissing          = "oidc-sub-missing"
	FaultUserinfoSub         = "oidc-userinfo-sub"
	FaultAtHashWrong         = "oidc-at-hash-wrong"
	FaultStateWrong          = "oidc-state-wrong"
	FaultStateMissing        = "oidc-state-missing"
	FaultAuthzIssWrong       = "oidc-authz-iss-wrong"
	FaultCodeReusable        = "oidc-code-reusable"
	FaultNoIDToken           = "oidc-no-id-token"
	FaultTokenTypeNotBearer  = "oidc-token-type-not-bearer"
	FaultDiscoveryIssWrong   = "oidc-discovery-issuer-wrong"
	untrustedAudience        = "https://untrusted.example"
	faultIatFutureBy         = 10 * time.Minute
	faultExpPastBy           = 6 * time.Minute
	faultIatWeekOld          = 7 * 24 * time.Hour
	faultUserinfoSubOtherUID = "00uFaultOtherUser001"
	unknownKid               = "mockidp-fault-kid-that-no-jwks-ever-publish" // 43 characters, like Okta kids
)

const core3137 = "OIDC Core 3.1.3.7"

var faults = []Fault{
	{FaultSigCorrupt, core3137 + " #6: the ID token's signature must be validated with the issuer's key",
		"ID token signed normally (RS256, published kid), then every signature byte XORed with 0x5A."},
	{FaultSigOtherKey, core3137 + " #6: the signature must verify with a key of the issuer's JWKS",
		"ID token signed with an RSA key that /keys never publishes; the header names the published current kid."},
	{FaultAlgNone, core3137 + " #7: alg must be the registered RS256; an unsigned (alg none) ID token must be rejected",
		`ID token with header {"alg":"none"} and an empty signature.`},
	{FaultAlgHS256Secret, core3137 + " #7: alg must be the registered id_token_signed_response_alg (RS256); HS256 was never registered",
		"ID token signed HS256 with the client secret as the key (a valid MAC)."},
	{FaultAlgHS256PublicKey, "RFC 8725 2.1 and 3.1 (algorithm confusion); " + core3137 + " #7",
		"ID token signed HS256 keyed with the PEM of the current published RSA public key, header naming its kid."},
	{FaultKidUnknown, "RFC 7515 4.1.4 and OIDC Core 10.1.1: the kid must name a key of the issuer's JWKS, even after a refetch",
		"ID token signed by the current key, but the header's kid is one /keys never publishes."},
	{FaultKidMissing, "OIDC Core 10.1: when the JWKS holds several keys the JOSE header must carry a kid",
		"ID token correctly signed by the current key with no kid, while /keys publishes two keys. An RP may reject it or try every key (OIDF kid-absent-multiple-jwks)."},
	{FaultIssWrong, core3137 + " #2: iss must exactly match the issuer",
		`ID token iss with "1" appended.`},
	{FaultIssMissing, "OIDC Core 2 (iss REQUIRED) and " + core3137 + " #2",
		"ID token without iss."},
	{FaultAudWrong, core3137 + " #3: aud must contain the client_id",
		`ID token aud with "1" appended.`},
	{FaultAudMissing, "OIDC Core 2 (aud REQUIRED) and " + core3137 + " #3",
		"ID token without aud."},
	{FaultAudExtra, core3137 + " #3 and #4: an ID token with an untrusted extra audience must be rejected (and azp should be present)",
		`ID token aud is [client_id, "` + untrustedAudience + `"] and there is no azp.`},
	{FaultExpPast, core3137 + " #9: the current time must be before exp",
		"ID token exp 6 minutes ago (iat one hour before it)."},
	{FaultExpMissing, "OIDC Core 2 (exp REQUIRED) and " + core3137 + " #9",
		"ID token without exp."},
	{FaultIatMissing, "OIDC Core 2 (iat REQUIRED)",
		"ID token without iat."},
	{FaultIatFuture, core3137 + " #10: an RP may reject tokens issued too far from now; 10 minutes ahead is beyond any sane clock skew",
		"ID token iat and exp 10 minutes later than they should be."},
	{FaultIatWeekOld, core3137 + " #10 (a warning, not a failure: FAPI iat-is-week-in-past)",
		"ID token iat 7 days ago; exp still one hour ahead."},
	{FaultNonceWrong, core3137 + " #11: nonce must equal the value sent in the authentication request",
		`ID token nonce with "1" appended.`},
	{FaultNonceMissing, core3137 + " #11: the ID token must carry the nonce the request sent",
		"ID token without nonce although the request sent one."},
	{FaultSubMissing, "OIDC Core 2 (sub REQUIRED)",
		"ID token without sub."},
	{FaultUserinfoSub, "OIDC Core 5.3.2: the UserInfo sub must exactly match the ID token's, else the response must not be used",
		"/userinfo answers with sub " + faultUserinfoSubOtherUID + " instead of the user's id."},
	{FaultAtHashWrong, "OIDC Core 3.1.3.8 and 3.2.2.9: at_hash, when present, must match the access token",
		"ID token at_hash computed over a different string."},
	{FaultStateWrong, "RFC 6749 10.12 and OIDC Core 3.1.2.7: the client must check that state is the value it sent",
		`Successful authorization responses carry state with "1" appended.`},
	{FaultStateMissing, "RFC 6749 4.1.2 and 10.12: state is REQUIRED in the response when the request had one",
		"Successful authorization responses carry no state."},
	{FaultAuthzIssWrong, "RFC 9207 2.4: an iss parameter in the authorization response must equal the issuer",
		`Successful authorization responses carry iss = issuer + "1".`},
	{FaultCodeReusable, "RFC 6749 4.1.2 and 10.5: an authorization code must be used only once",
		"The provider accepts this app's codes more than once (until they expire)."},
	{FaultNoIDToken, "OIDC Core 3.1.3.3: a successful token response to an openid request contains an id_token",
		"The token response has no id_token."},
	{FaultTokenTypeNotBearer, "OIDC Core 3.1.3.3: token_type must be Bearer (RFC 6750)",
		`The token response says "token_type":"MAC".`},
	{FaultDiscoveryIssWrong, "OIDC Discovery 4.3: the issuer in the document must be identical to the issuer URL used to retrieve it",
		`The client-specific discovery document (?client_id=<this app>) names the issuer with "1" appended. ` +
			"Discovery requests carry no other client identity, so this fault reaches only RPs configured with the app's own discovery URL."},
}

// Faults returns the OIDC faults an app integration may carry, in a stable order.
func Faults() []Fault { return slices.Clone(faults) }

// IsFault reports whether name is one of this package's faults.
func IsFault(name string) bool {
	return slices.ContainsFunc(faults, func(f Fault) bool { return f.Name == name })
}

// applyClaimFaults changes the ID token's claims as the app's faults say.
func applyClaimFaults(app directory.App, c *claims, now time.Time) {
	has := app.HasFault
	if has(FaultIssWrong) {
		c.set("iss", c.str("iss")+"1")
	}
	if has(FaultAudWrong) {
		c.set("aud", c.str("aud")+"1")
	}
	if has(FaultAudExtra) {
		c.set("aud", []string{c.str("aud"), untrustedAudience})
	}
	switch {
	case has(FaultExpPast):
		c.set("iat", now.Add(-faultExpPastBy-TokenLifetime).Unix())
		c.set("exp", now.Add(-faultExpPastBy).Unix())
	case has(FaultIatFuture):
		c.set("iat", now.Add(faultIatFutureBy).Unix())
		c.set("exp", now.Add(faultIatFutureBy+TokenLifetime).Unix())
	case has(FaultIatWeekOld):
		c.set("iat", now.Add(-faultIatWeekOld).Unix())
	}
	if has(FaultNonceWrong) && c.str("nonce") != "" {
		c.set("nonce", c.str("nonce")+"1")
	}
	if has(FaultAtHashWrong) {
		c.set("at_hash", atHash("not the access token"))
	}
	for name, claim := range map[string]string{FaultIssMissing: "iss", FaultAudMissing: "aud",
		FaultExpMissing: "exp", FaultIatMissing: "iat", FaultNonceMissing: "nonce", FaultSubMissing: "sub"} {
		if has(name) {
			c.del(claim)
		}
	}
}

// idTokenSignSpec returns how to sign the app's ID tokens: normally with the
// server's current key, or as the app's signature faults say.
func idTokenSignSpec(as *authServer, app directory.App) (signSpec, error) {
	current, _, _, err := as.keys.keys()
	if err != nil {
		return signSpec{}, err
	}
	spec := signSpec{Key: current}
	switch {
	case app.HasFault(FaultAlgNone):
		spec.Alg = "none"
	case app.HasFault(FaultAlgHS256Secret):
		spec.Alg, spec.HMACKey = "HS256", []byte(app.ClientSecret)
	case app.HasFault(FaultAlgHS256PublicKey):
		der, err := x509.MarshalPKIXPublicKey(&current.priv.PublicKey)
		if err != nil {
			return signSpec{}, fmt.Errorf("marshal public key: %w", err)
		}
		spec.Alg, spec.Kid = "HS256", current.kid
		spec.HMACKey = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	case app.HasFault(FaultSigOtherKey):
		rogue, err := as.keys.rogueKey()
		if err != nil {
			return signSpec{}, err
		}
		spec.Key, spec.Kid = rogue, current.kid
	}
	if app.HasFault(FaultKidUnknown) {
		spec.Kid = unknownKid
	}
	spec.NoKid = app.HasFault(FaultKidMissing)
	spec.Corrupt = app.HasFault(FaultSigCorrupt)
	return spec, nil
}
