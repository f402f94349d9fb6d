package oidcop_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/mockidp/oidcop"
)

// faultRun is everything one faulted login produced.
type faultRun struct {
	e       *env
	query   url.Values
	tok     map[string]any
	rawID   string
	header  map[string]any
	claims  map[string]any
	current *rsa.PublicKey // the published current key
	kid     string         // its kid
}

// properties of a login that are normal on a fault-free provider; a fault
// must break exactly the ones it lists.
var properties = map[string]func(r *faultRun) bool{
	"state":      func(r *faultRun) bool { return r.query.Get("state") == "st-1" && len(r.query["state"]) == 1 },
	"token_type": func(r *faultRun) bool { return r.tok["token_type"] == "Bearer" },
	"id_token":   func(r *faultRun) bool { return r.rawID != "" },
	"alg":        func(r *faultRun) bool { return r.rawID == "" || r.header["alg"] == "RS256" },
	"kid":        func(r *faultRun) bool { return r.rawID == "" || r.header["kid"] == r.kid },
	"sig":        func(r *faultRun) bool { return r.rawID == "" || verifies(r.rawID, r.current) },
	"iss":        func(r *faultRun) bool { return r.rawID == "" || r.claims["iss"] == r.e.issuer },
	"aud":        func(r *faultRun) bool { return r.rawID == "" || r.claims["aud"] == r.query.Get("client_id") },
	"sub":        func(r *faultRun) bool { return r.rawID == "" || r.claims["sub"] == r.e.alice.ID },
	"nonce":      func(r *faultRun) bool { return r.rawID == "" || r.claims["nonce"] == "n-1" },
	"iat":        func(r *faultRun) bool { return r.rawID == "" || near(r.claims["iat"], r.e.now().Unix()) },
	"exp":        func(r *faultRun) bool { return r.rawID == "" || near(r.claims["exp"], r.e.now().Unix()+3600) },
	"at_hash": func(r *faultRun) bool {
		sum := sha256.Sum256([]byte(r.tok["access_token"].(string)))
		return r.rawID == "" || r.claims["at_hash"] == base64.RawURLEncoding.EncodeToString(sum[:16])
	},
}

func near(v any, want int64) bool {
	f, ok := v.(float64)
	return ok && math.Abs(f-float64(want)) < 60
}

func verifies(raw string, pub *rsa.PublicKey) bool {
	parts := strings.Split(raw, ".")
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return false
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) == nil
}

// TestFaults proves each fault breaks exactly the properties it names, no
// other, plus its own specific check, and records whether coreos/go-oidc's
// verifier (the library most Go RPs use) rejects the ID token.
func TestFaults(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tests := []struct {
		fault  string
		breaks []string
		// goOIDC: "reject" or "accept" for go-oidc's Verify; "" when no ID token is checked.
		goOIDC string
		check  func(t *testing.T, r *faultRun)
	}{
		{oidcop.FaultSigCorrupt, []string{"sig"}, "reject", nil},
		{oidcop.FaultSigOtherKey, []string{"sig"}, "reject", nil},
		{oidcop.FaultAlgNone, []string{"alg", "kid", "sig"}, "reject", func(t *testing.T, r *faultRun) {
			if r.header["alg"] != "none" || !strings.HasSuffix(r.rawID, ".") {
				t.Errorf("header %v, token ends %q; want alg none and an empty signature", r.header, r.rawID[len(r.rawID)-3:])
			}
		}},
		{oidcop.FaultAlgHS256Secret, []string{"alg", "kid", "sig"}, "reject", func(t *testing.T, r *faultRun) {
			if r.header["alg"] != "HS256" || !hmacVerifies(r.rawID, []byte(r.e.appByClientID(r.query.Get("client_id")).ClientSecret)) {
				t.Error("want a valid HS256 MAC keyed with the client secret")
			}
		}},
		{oidcop.FaultAlgHS256PublicKey, []string{"alg", "sig"}, "reject", func(t *testing.T, r *faultRun) {
			if r.header["alg"] != "HS256" || !hmacVerifies(r.rawID, publicPEM(t, r.current)) {
				t.Error("want a valid HS256 MAC keyed with the PEM of the current public key")
			}
		}},
		{oidcop.FaultKidUnknown, []string{"kid"}, "reject", func(t *testing.T, r *faultRun) {
			if kid, _ := r.header["kid"].(string); len(kid) != 43 {
				t.Errorf("kid %q: want a 43-character kid", kid)
			}
		}},
		{oidcop.FaultKidMissing, []string{"kid"}, "accept", func(t *testing.T, r *faultRun) {
			if _, ok := r.header["kid"]; ok {
				t.Errorf("header %v has a kid", r.header)
			}
		}},
		{oidcop.FaultIssWrong, []string{"iss"}, "reject", claimIs("iss", func(r *faultRun) any { return r.e.issuer + "1" })},
		{oidcop.FaultIssMissing, []string{"iss"}, "reject", claimAbsent("iss")},
		{oidcop.FaultAudWrong, []string{"aud"}, "reject", claimIs("aud", func(r *faultRun) any { return r.query.Get("client_id") + "1" })},
		{oidcop.FaultAudMissing, []string{"aud"}, "reject", claimAbsent("aud")},
		{oidcop.FaultAudExtra, []string{"aud"}, "accept", func(t *testing.T, r *faultRun) {
			want := []any{r.query.Get("client_id"), "https://untrusted.example"}
			if diff := cmp.Diff(want, r.claims["aud"]); diff != "" || r.claims["azp"] != nil {
				t.Errorf("aud (-want +got):\n%s azp=%v", diff, r.claims["azp"])
			}
		}},
		{oidcop.FaultExpPast, []string{"exp", "iat"}, "reject", func(t *testing.T, r *faultRun) {
			if !near(r.claims["exp"], r.e.now().Unix()-360) {
				t.Errorf("exp = %v, want 6 minutes ago", r.claims["exp"])
			}
		}},
		{oidcop.FaultExpMissing, []string{"exp"}, "reject", claimAbsent("exp")},
		{oidcop.FaultIatMissing, []string{"iat"}, "accept", claimAbsent("iat")},
		{oidcop.FaultIatFuture, []string{"iat", "exp"}, "accept", func(t *testing.T, r *faultRun) {
			if !near(r.claims["iat"], r.e.now().Unix()+600) {
				t.Errorf("iat = %v, want 10 minutes ahead", r.claims["iat"])
			}
		}},
		{oidcop.FaultIatWeekOld, []string{"iat"}, "accept", func(t *testing.T, r *faultRun) {
			if !near(r.claims["iat"], r.e.now().Unix()-7*86400) {
				t.Errorf("iat = %v, want 7 days ago", r.claims["iat"])
			}
		}},
		{oidcop.FaultNonceWrong, []string{"nonce"}, "accept", claimIs("nonce", func(*faultRun) any { return "n-11" })},
		{oidcop.FaultNonceMissing, []string{"nonce"}, "accept", claimAbsent("nonce")},
		{oidcop.FaultSubMissing, []string{"sub"}, "accept", claimAbsent("sub")},
		{oidcop.FaultAtHashWrong, []string{"at_hash"}, "accept", nil},
		{oidcop.FaultStateWrong, []string{"state"}, "", func(t *testing.T, r *faultRun) {
			if r.query.Get("state") != "st-11" {
				t.Errorf("state = %q, want st-11", r.query.Get("state"))
			}
		}},
		{oidcop.FaultStateMissing, []string{"state"}, "", func(t *testing.T, r *faultRun) {
			if r.query.Has("state") {
				t.Errorf("query %v has a state", r.query)
			}
		}},
		{oidcop.FaultAuthzIssWrong, nil, "", func(t *testing.T, r *faultRun) {
			if r.query.Get("iss") != r.e.issuer+"1" {
				t.Errorf("iss parameter = %q, want %q", r.query.Get("iss"), r.e.issuer+"1")
			}
		}},
		{oidcop.FaultCodeReusable, nil, "", func(t *testing.T, r *faultRun) {
			app := r.e.appByClientID(r.query.Get("client_id"))
			again := r.e.tokens("/oauth2", app, r.query.Get("code"))
			if again["access_token"] == nil {
				t.Error("second redemption of the code failed")
			}
		}},
		{oidcop.FaultNoIDToken, []string{"id_token"}, "", nil},
		{oidcop.FaultTokenTypeNotBearer, []string{"token_type"}, "", func(t *testing.T, r *faultRun) {
			if r.tok["token_type"] != "MAC" {
				t.Errorf("token_type = %v", r.tok["token_type"])
			}
		}},
		{oidcop.FaultUserinfoSub, nil, "accept", func(t *testing.T, r *faultRun) {
			req := must(http.NewRequestWithContext(t.Context(), "GET", r.e.issuer+"/oauth2/v1/userinfo", nil))
			req.Header.Set("Authorization", "Bearer "+r.tok["access_token"].(string))
			var ui map[string]any
			if err := json.Unmarshal([]byte(r.e.do(http.DefaultClient, req).body), &ui); err != nil {
				t.Fatal(err)
			}
			if ui["sub"] == r.claims["sub"] || ui["sub"] == nil || ui["email"] != r.e.alice.Email {
				t.Errorf("userinfo %v: want alice's claims under another sub than the ID token's %v", ui, r.claims["sub"])
			}
		}},
		{oidcop.FaultDiscoveryIssWrong, nil, "", func(t *testing.T, r *faultRun) {
			var d map[string]any
			p := r.e.get(http.DefaultClient, r.e.issuer+"/.well-known/openid-configuration?client_id="+r.query.Get("client_id"))
			if err := json.Unmarshal([]byte(p.body), &d); err != nil {
				t.Fatal(err)
			}
			if d["issuer"] != r.e.issuer+"1" {
				t.Errorf("client discovery issuer = %v, want %s", d["issuer"], r.e.issuer+"1")
			}
			p = r.e.get(http.DefaultClient, r.e.issuer+"/.well-known/openid-configuration")
			if !strings.Contains(p.body, `"issuer":"`+r.e.issuer+`"`) {
				t.Error("the org discovery document changed too")
			}
		}},
	}
	var names []string
	for _, tc := range tests {
		names = append(names, tc.fault)
	}
	var all []string
	for _, f := range oidcop.Faults() {
		all = append(all, f.Name)
	}
	slices.Sort(all)
	slices.Sort(names)
	if diff := cmp.Diff(all, names); diff != "" {
		t.Errorf("faults without a test (-all +tested):\n%s", diff)
	}
	for _, tc := range tests {
		t.Run(tc.fault, func(t *testing.T) {
			t.Parallel()
			r := e.runFault(t, tc.fault)
			for name, normal := range properties {
				broken := slices.Contains(tc.breaks, name)
				if normal(r) == broken {
					t.Errorf("property %s: broken = %v, want %v", name, !broken, broken)
				}
			}
			if tc.check != nil {
				tc.check(t, r)
			}
			if tc.goOIDC != "" {
				checkGoOIDC(t, r, tc.goOIDC == "reject")
			}
		})
	}
}

// runFault logs alice in to a fresh app carrying only the fault.
func (e *env) runFault(t *testing.T, fault string) *faultRun {
	app := e.newApp("app-"+fault, fault)
	q := e.login(browser(), "/oauth2", app, nil)
	q.Set("client_id", app.ClientID)
	r := &faultRun{e: e, query: q, tok: e.tokens("/oauth2", app, q.Get("code"))}
	if raw, ok := r.tok["id_token"].(string); ok {
		r.rawID = raw
		r.header, r.claims = decodeJWT(t, raw)
	}
	var jwks struct {
		Keys []struct{ Kid, N, E string } `json:"keys"`
	}
	if err := json.Unmarshal([]byte(e.get(http.DefaultClient, e.issuer+"/oauth2/v1/keys").body), &jwks); err != nil {
		t.Fatal(err)
	}
	k := jwks.Keys[0]
	n, _ := base64.RawURLEncoding.DecodeString(k.N)
	r.current, r.kid = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: 65537}, k.Kid
	return r
}

func (e *env) appByClientID(id string) oidcopApp {
	a, _ := e.dir.AppByClientID(id)
	return a
}

func checkGoOIDC(t *testing.T, r *faultRun, wantReject bool) {
	t.Helper()
	ctx := t.Context()
	keys := oidc.NewRemoteKeySet(ctx, r.e.issuer+"/oauth2/v1/keys")
	v := oidc.NewVerifier(r.e.issuer, keys, &oidc.Config{ClientID: r.query.Get("client_id")})
	_, err := v.Verify(ctx, r.rawID)
	if wantReject && err == nil {
		t.Error("go-oidc accepted the ID token; the fault should make it reject")
	}
	if !wantReject && err != nil {
		t.Errorf("go-oidc rejected the ID token (%v); it is documented to accept this fault", err)
	}
}

func claimIs(name string, want func(*faultRun) any) func(*testing.T, *faultRun) {
	return func(t *testing.T, r *faultRun) {
		if got := r.claims[name]; got != want(r) {
			t.Errorf("claim %s = %v, want %v", name, got, want(r))
		}
	}
}

func claimAbsent(name string) func(*testing.T, *faultRun) {
	return func(t *testing.T, r *faultRun) {
		if v, ok := r.claims[name]; ok {
			t.Errorf("claim %s = %v, want it absent", name, v)
		}
	}
}
