package specs

import (
	"context"
	"crypto/rand"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ssoconform/ssoconform/harness"
)

// SCIM schema URNs (RFC 7643 §8.7, RFC 7644 §3.4.2, §3.5.2, §3.12).
const (
	schemaUser         = "urn:ietf:params:scim:schemas:core:2.0:User"
	schemaGroup        = "urn:ietf:params:scim:schemas:core:2.0:Group"
	schemaEnterprise   = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	schemaList         = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	schemaError        = "urn:ietf:params:scim:api:messages:2.0:Error"
	schemaPatchOp      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	schemaSPC          = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	schemaResourceType = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	schemaSchema       = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)

type obj = map[string]any

// because is a lazy failure description: the rule, then the exchange that broke it.
func because(rule string, r harness.SCIMResponse) func() string {
	return func() string { return rule + "\n\nthe exchange:\n" + r.Transcript() }
}

// send sends a request; a transport failure (no HTTP answer) fails the spec.
func (s *scimSpec) send(ctx context.Context, req harness.SCIMRequest) harness.SCIMResponse {
	GinkgoHelper()
	r, err := s.T.Send(ctx, req)
	Expect(err).NotTo(HaveOccurred(), because("the server must answer every request with an HTTP response", r))
	return r
}

func (s *scimSpec) get(ctx context.Context, path string) harness.SCIMResponse {
	GinkgoHelper()
	return s.send(ctx, harness.SCIMRequest{Method: http.MethodGet, Path: path})
}

func (s *scimSpec) post(ctx context.Context, path string, body any) harness.SCIMResponse {
	GinkgoHelper()
	return s.send(ctx, harness.SCIMRequest{Method: http.MethodPost, Path: path, Body: body})
}

func (s *scimSpec) put(ctx context.Context, path string, body any) harness.SCIMResponse {
	GinkgoHelper()
	return s.send(ctx, harness.SCIMRequest{Method: http.MethodPut, Path: path, Body: body})
}

func (s *scimSpec) patch(ctx context.Context, path string, ops ...obj) harness.SCIMResponse {
	GinkgoHelper()
	return s.send(ctx, harness.SCIMRequest{Method: http.MethodPatch, Path: path, Body: patchBody(ops...)})
}

func (s *scimSpec) del(ctx context.Context, path string) harness.SCIMResponse {
	GinkgoHelper()
	return s.send(ctx, harness.SCIMRequest{Method: http.MethodDelete, Path: path})
}

// patchBody is a PatchOp message (RFC 7644 §3.5.2).
func patchBody(ops ...obj) obj {
	list := make([]any, len(ops))
	for i, o := range ops {
		list[i] = o
	}
	return obj{"schemas": []any{schemaPatchOp}, "Operations": list}
}

// op is one PATCH operation; an empty path is left out (Okta's path-less form).
func op(name, path string, value any) obj {
	o := obj{"op": name}
	if path != "" {
		o["path"] = path
	}
	if value != nil {
		o["value"] = value
	}
	return o
}

// filterPath is Okta's lookup URL for a filter: /RESOURCE?filter=...&startIndex=1&count=100.
func filterPath(resource, filter string) string {
	return "/" + resource + "?" + harness.Query("filter", filter, "startIndex", "1", "count", "100")
}

// eqFilter is `ATTR eq "VALUE"` with VALUE quoted as a SCIM string literal.
func eqFilter(attr, value string) string {
	return attr + " eq " + harness.QuoteFilterValue(value)
}

// randToken is n random lowercase letters and digits.
func randToken(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// testUser is a user a spec creates; ID is the server's id once created.
type testUser struct {
	UserName, Given, Family, Email, ExternalID string
	ID                                         string
}

// newTestUser is a uniquely named user whose userName is an e-mail address, as Okta's default is.
func (su *Suite) newTestUser(tag string) testUser {
	r := randToken(8)
	name := su.prefix + "-" + tag + "-" + r + "@ssoconform.test"
	return testUser{UserName: name, Email: name, Given: "Given" + r, Family: "Family" + r,
		ExternalID: "00u" + randToken(17)}
}

// oktaCreateBody is what Okta POSTs to /Users (okta-scim.md a.4): core schema, userName, name, one
// primary work e-mail, displayName, locale, Okta's own id as externalId, an empty groups array, a
// random placeholder password and active:true.
func oktaCreateBody(u testUser) obj {
	return obj{
		"schemas":     []any{schemaUser},
		"userName":    u.UserName,
		"name":        obj{"givenName": u.Given, "familyName": u.Family},
		"emails":      []any{obj{"primary": true, "value": u.Email, "type": "work"}},
		"displayName": u.Given + " " + u.Family,
		"locale":      "en-US",
		"externalId":  u.ExternalID,
		"groups":      []any{},
		"password":    "Pw-" + randToken(16),
		"active":      true,
	}
}

// createUser POSTs Okta's create body, expects 201 with an id, and cleans the user up after the spec.
func (s *scimSpec) createUser(ctx context.Context, u *testUser) harness.SCIMResponse {
	GinkgoHelper()
	return s.createUserOkta(ctx, u)
}

// createUser's checks are owned by SCIM-USR-CREATE-201: elsewhere a failed create blocks the spec. A
// custom body (createUserWith) is the calling spec's own rule, so its 201 is asserted there.
func (s *scimSpec) createUserWith(ctx context.Context, u *testUser, body obj) harness.SCIMResponse {
	GinkgoHelper()
	r := s.post(ctx, "/Users", body)
	Expect(r.Status).To(Equal(http.StatusCreated), because("RFC 7644 §3.3 and Okta (create user): POST /Users answers 201 Created", r))
	return s.keepCreated(u, r)
}

// createUserOkta posts Okta's own create body; a refusal blocks the spec (SCIM-USR-CREATE-201 owns it).
func (s *scimSpec) createUserOkta(ctx context.Context, u *testUser) harness.SCIMResponse {
	GinkgoHelper()
	r := s.post(ctx, "/Users", oktaCreateBody(*u))
	owned(ownerCreate, r.Status == http.StatusCreated, because("RFC 7644 §3.3 and Okta (create user): POST /Users answers 201 Created", r))
	return s.keepCreated(u, r)
}

// keepCreated reads the new user's id (SCIM-USR-CREATE-201 owns its presence) and removes the user
// after the spec.
func (s *scimSpec) keepCreated(u *testUser, r harness.SCIMResponse) harness.SCIMResponse {
	GinkgoHelper()
	id, _ := r.JSON["id"].(string)
	owned(ownerCreate, id != "", because("RFC 7643 §3.1 and Okta: the created resource carries its server-assigned id", r))
	u.ID = id
	t := s.T
	DeferCleanup(func(ctx SpecContext) { removeUser(ctx, t, id) })
	return r
}

// removeUser deletes a spec's user when the target supports DELETE, and otherwise deactivates it the
// flavour's way. Failures are only recorded: cleanup never fails a spec.
func removeUser(ctx context.Context, t harness.SCIMTarget, id string) {
	if t.Has(harness.FeatureUserDelete) {
		_, _ = t.Do(ctx, http.MethodDelete, "/Users/"+id, nil)
		return
	}
	if t.Profile() == harness.FlavourOktaOIN {
		_, _ = t.Do(ctx, http.MethodPatch, "/Users/"+id, patchBody(op("replace", "", obj{"active": false})))
		return
	}
	cur, err := t.Do(ctx, http.MethodGet, "/Users/"+id, nil)
	if err != nil || cur.Status != http.StatusOK || cur.JSON == nil {
		return
	}
	cur.JSON["active"] = false
	_, _ = t.Do(ctx, http.MethodPut, "/Users/"+id, cur.JSON)
}

// createGroup POSTs Okta's group body (okta-scim.md a.4: schemas, displayName, members []), expects 201
// with an id, and deletes the group after the spec.
func (s *scimSpec) createGroup(ctx context.Context, name string) (string, harness.SCIMResponse) {
	GinkgoHelper()
	r := s.post(ctx, "/Groups", obj{"schemas": []any{schemaGroup}, "displayName": name, "members": []any{}})
	owned(ownerGroupCreate, r.Status == http.StatusCreated, because("RFC 7644 §3.3 and Okta (Push Groups): POST /Groups answers 201 Created", r))
	id, _ := r.JSON["id"].(string)
	owned(ownerGroupCreate, id != "", because("RFC 7643 §3.1: the created group carries its server-assigned id", r))
	t := s.T
	DeferCleanup(func(ctx SpecContext) { _, _ = t.Do(ctx, http.MethodDelete, "/Groups/"+id, nil) })
	return id, r
}

// setActive activates or deactivates a user the way the profile's client does: okta-oin sends the
// path-less PATCH `replace {active}` (okta-scim.md a.3 A5/A8); okta-aiw and rfc GET the user and PUT it
// back with active changed.
func (s *scimSpec) setActive(ctx context.Context, id string, active bool) harness.SCIMResponse {
	GinkgoHelper()
	if s.profile == harness.FlavourOktaOIN {
		return s.patch(ctx, "/Users/"+id, op("replace", "", obj{"active": active}))
	}
	body := s.expectUser(ctx, id).JSON
	body["active"] = active
	return s.put(ctx, "/Users/"+id, body)
}

// requireActive changes active as a set-up step whose rule owner asserts (SCIM-USR-DEACTIVATE or
// SCIM-USR-REACTIVATE): a wrong answer blocks the calling spec.
func (s *scimSpec) requireActive(ctx context.Context, id string, active bool, owner string) {
	GinkgoHelper()
	r := s.setActive(ctx, id, active)
	ok := r.Status == http.StatusOK && r.JSON["active"] == active ||
		s.profile == harness.FlavourOktaOIN && r.Status == http.StatusNoContent
	owned(owner, ok, because(fmt.Sprintf("the update answers 200 with active:%v (PATCH may answer 204)", active), r))
}

// expectActiveAnswer checks the answer to setActive: 200 with the resource showing active, or (PATCH
// only) 204 No Content.
func (s *scimSpec) expectActiveAnswer(r harness.SCIMResponse, active bool) {
	GinkgoHelper()
	if s.profile == harness.FlavourOktaOIN && r.Status == http.StatusNoContent {
		return
	}
	Expect(r.Status).To(Equal(http.StatusOK), because("RFC 7644 §3.5.1/§3.5.2 and Okta: the update answers 200 with the resource (PATCH may answer 204)", r))
	Expect(r.JSON["active"]).To(Equal(active), because(fmt.Sprintf("the answer shows the resource as updated: active:%v", active), r))
}

// expectUser checks GET /Users/{id}: 200, a single User resource (not a ListResponse) with that id.
func (s *scimSpec) expectUser(ctx context.Context, id string) harness.SCIMResponse {
	GinkgoHelper()
	r := s.get(ctx, "/Users/"+id)
	owned(ownerGet, r.Status == http.StatusOK, because("RFC 7644 §3.4.1 and Okta's CRUD test: GET /Users/{id} answers 200 for every user it holds", r))
	owned(ownerGet, r.JSON["id"] == id, because("RFC 7644 §3.4.1: GET /Users/{id} answers the single resource with that id, not a ListResponse", r))
	return r
}

// getUser is GET /Users/{id} where answering 200 is the calling spec's own rule (a deactivated user
// stays readable): the status is asserted, not owned.
func (s *scimSpec) getUser(ctx context.Context, id, rule string) harness.SCIMResponse {
	GinkgoHelper()
	r := s.get(ctx, "/Users/"+id)
	Expect(r.Status).To(Equal(http.StatusOK), because(rule, r))
	return r
}

// requireFound looks u up by userName, Okta's way, as a set-up step owned by SCIM-FLT-EQ: a lookup that
// does not find exactly u blocks the calling spec.
func (s *scimSpec) requireFound(ctx context.Context, u testUser) {
	GinkgoHelper()
	r := s.get(ctx, filterPath("Users", eqFilter("userName", u.UserName)))
	owned(ownerFilter, r.Status == http.StatusOK && slices.Equal(ids(r.Resources()), []string{u.ID}),
		because("Okta's lookup userName eq finds exactly the user", r))
}

// findUsers is Okta's userName lookup as a step of another spec's check: an answer other than 200 blocks
// the spec (SCIM-FLT-NOMATCH owns a 200 for no match, SCIM-FLT-EQ the rest).
func (s *scimSpec) findUsers(ctx context.Context, userName string) []obj {
	GinkgoHelper()
	r := s.get(ctx, filterPath("Users", eqFilter("userName", userName)))
	owner := ownerFilter
	if r.Status == http.StatusNotFound {
		owner = "SCIM-FLT-NOMATCH"
	}
	owned(owner, r.Status == http.StatusOK, because("Okta's lookup userName eq answers 200", r))
	for _, res := range r.Resources() {
		name, _ := res["userName"].(string)
		owned(ownerFilter, strings.EqualFold(name, userName), because("Okta's lookup userName eq returns only users with that userName", r))
	}
	return r.Resources()
}

// requireFilterHonoured checks, before a spec that relies on filtering, that a lookup matching nothing
// finds nothing (SCIM-FLT-NOMATCH owns it): a server ignoring the filter would fail every filter spec.
func (s *scimSpec) requireFilterHonoured(ctx context.Context) {
	GinkgoHelper()
	r := s.get(ctx, filterPath("Users", eqFilter("userName", "nobody-"+randToken(10)+"@ssoconform.test")))
	owned("SCIM-FLT-NOMATCH", r.Status == http.StatusOK && len(r.Resources()) == 0,
		because("a lookup matching nothing answers 200 with no resources", r))
}

// listResponse is a checked ListResponse.
type listResponse struct {
	Total, StartIndex, ItemsPerPage int
	Resources                       []obj
}

// readList reads a query's answer: 200 is the calling spec's rule; the ListResponse's shape (schema URN,
// integer counts, itemsPerPage) belongs to SCIM-LIST-SHAPE and is read leniently here (a count sent as
// a string still counts), so one shape defect fails one spec.
func readList(r harness.SCIMResponse, rule string) listResponse {
	GinkgoHelper()
	Expect(r.Status).To(Equal(http.StatusOK), because(rule, r))
	owned(ownerListShape, r.JSON != nil, because("RFC 7644 §3.4.2: a query answers a JSON ListResponse", r))
	return listResponse{Total: looseInt(r.JSON["totalResults"]), StartIndex: looseInt(r.JSON["startIndex"]),
		ItemsPerPage: looseInt(r.JSON["itemsPerPage"]), Resources: r.Resources()}
}

// looseInt reads a JSON number or a numeric string; -1 when it is neither.
func looseInt(v any) int {
	switch n := v.(type) {
	case float64:
		return int(n)
	case string:
		if i, err := strconv.Atoi(n); err == nil {
			return i
		}
	}
	return -1
}

// expectList checks a 200 ListResponse strictly (RFC 7644 §3.4.2; Okta: the three counts are JSON
// integers and itemsPerPage is the number of resources returned). Only SCIM-LIST-SHAPE asserts it;
// other specs readList.
func expectList(r harness.SCIMResponse, rule string) listResponse {
	GinkgoHelper()
	Expect(r.Status).To(Equal(http.StatusOK), because(rule, r))
	Expect(r.JSON).NotTo(BeNil(), because("RFC 7644 §3.4.2: a query answers a JSON ListResponse", r))
	Expect(r.JSON["schemas"]).To(ContainElement(schemaList), because("RFC 7644 §3.4.2: the ListResponse carries the ListResponse schema URN", r))
	var l listResponse
	l.Total = expectInteger(r, "totalResults")
	l.StartIndex = expectInteger(r, "startIndex")
	l.ItemsPerPage = expectInteger(r, "itemsPerPage")
	if raw, ok := r.JSON["Resources"]; ok && raw != nil {
		Expect(raw).To(BeAssignableToTypeOf([]any{}), because("RFC 7644 §3.4.2: Resources is a JSON array", r))
	}
	l.Resources = r.Resources()
	Expect(l.ItemsPerPage).To(Equal(len(l.Resources)), because("RFC 7644 §3.4.2 and Okta QA: itemsPerPage is the number of resources in this response, not the count asked for", r))
	Expect(l.Total).To(BeNumerically(">=", len(l.Resources)), because("RFC 7644 §3.4.2: totalResults counts every match, at least those returned", r))
	return l
}

// expectInteger checks that the JSON attribute is a number without a fraction (not a string).
func expectInteger(r harness.SCIMResponse, key string) int {
	GinkgoHelper()
	v, ok := r.JSON[key].(float64)
	Expect(ok).To(BeTrue(), because(fmt.Sprintf("RFC 7644 §3.4.2 and Okta: %s is a JSON integer, got %#v", key, r.JSON[key]), r))
	Expect(v).To(Equal(math.Trunc(v)), because(key+" is an integer", r))
	return int(v)
}

// leakPattern matches internals that must never reach a SCIM client (conformance.md SCIM-IN-ERRLEAK).
var leakPattern = regexp.MustCompile(`(?i)(\bsql\b|sqlite|postgres|pq: |\bpanic\b|goroutine \d|runtime error|\.go:\d+|stack ?trace|exception in|nil pointer)`)

// expectRefusal checks a refusal: the status and, when given, the scimType, which are the calling
// spec's rule. The error body's shape is SCIM-USR-GET-404's (expectSCIMError).
func expectRefusal(r harness.SCIMResponse, status int, scimType, rule string) {
	GinkgoHelper()
	Expect(r.Status).To(Equal(status), because(rule, r))
	if scimType != "" {
		owned("SCIM-USR-GET-404", r.JSON != nil, because("RFC 7644 §3.12: an error answers a JSON body", r))
		Expect(r.JSON["scimType"]).To(Equal(scimType), because(rule+" (scimType "+scimType+")", r))
	}
}

// expectNoLeak checks that an error's detail leaks no internals (conformance.md SCIM-IN-ERRLEAK).
func expectNoLeak(r harness.SCIMResponse) {
	GinkgoHelper()
	detail, _ := r.JSON["detail"].(string)
	Expect(detail).NotTo(MatchRegexp(leakPattern.String()), because("error details never leak SQL, stack traces or internals", r))
}

// expectSCIMError checks an error answer in full: the status, the Error schema URN, status as a JSON
// string, a human-readable detail, and scimType when one is given (RFC 7644 §3.12). SCIM-USR-GET-404
// owns the shape; other specs expectRefusal.
func expectSCIMError(r harness.SCIMResponse, status int, scimType, rule string) {
	GinkgoHelper()
	Expect(r.Status).To(Equal(status), because(rule, r))
	Expect(r.JSON).NotTo(BeNil(), because("RFC 7644 §3.12: an error answers a JSON body (never an HTML page: Okta fails on it)", r))
	Expect(r.JSON["schemas"]).To(ContainElement(schemaError), because("RFC 7644 §3.12: the error body carries the Error schema URN", r))
	Expect(r.JSON["status"]).To(Equal(strconv.Itoa(status)), because("RFC 7644 §3.12: status is the HTTP status code as a JSON string", r))
	detail, _ := r.JSON["detail"].(string)
	Expect(strings.TrimSpace(detail)).NotTo(BeEmpty(), because("Okta's SPEC test and Tasks page: detail is a non-empty human-readable message", r))
	if scimType != "" {
		Expect(r.JSON["scimType"]).To(Equal(scimType), because(rule+" (scimType "+scimType+")", r))
	}
}

// jpath reads a dotted path with optional [i] indexes, e.g. "emails[0].value", from a JSON object.
func jpath(m obj, path string) any {
	var cur any = m
	for part := range strings.SplitSeq(path, ".") {
		name, idx, hasIdx := strings.Cut(part, "[")
		o, ok := cur.(obj)
		if !ok {
			return nil
		}
		cur = o[name]
		if hasIdx {
			i, err := strconv.Atoi(strings.TrimSuffix(idx, "]"))
			list, ok := cur.([]any)
			if err != nil || !ok || i >= len(list) {
				return nil
			}
			cur = list[i]
		}
	}
	return cur
}

// memberIDs is the set of member values of a Group resource.
func memberIDs(g obj) []string {
	list, _ := g["members"].([]any)
	ids := []string{}
	for _, m := range list {
		if mo, ok := m.(obj); ok {
			if v, ok := mo["value"].(string); ok {
				ids = append(ids, v)
			}
		}
	}
	return ids
}

// ids is the id attribute of each resource.
func ids(list []obj) []string {
	out := make([]string, len(list))
	for i, r := range list {
		out[i], _ = r["id"].(string)
	}
	return out
}
