package scimfault

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Mutation names one broken rule.
type Mutation string

// The mutations, each named for what it does wrong.
const (
	CountsAsStrings      Mutation = "counts-as-strings"      // ListResponse counts as JSON strings (Okta needs integers)
	ItemsPerPageEcho     Mutation = "items-per-page-echo"    // itemsPerPage echoes the requested count
	CreateWithoutID      Mutation = "create-without-id"      // 201 on create without the id
	CreateWithoutMeta    Mutation = "create-without-meta"    // 201 on create without meta
	EmptyFilter404       Mutation = "empty-filter-404"       // a filter matching nothing answers 404
	EchoPassword         Mutation = "echo-password"          // the password sent on create comes back
	EchoUnknownAttrs     Mutation = "echo-unknown-attrs"     // unknown attributes sent on create come back
	CaseSensitiveFilter  Mutation = "case-sensitive-filter"  // userName eq compares case-sensitively
	FilterIgnored        Mutation = "filter-ignored"         // the filter parameter is dropped: every user matches
	InvalidFilterAs200   Mutation = "invalid-filter-200"     // 400 invalidFilter becomes an empty 200 list
	ConflictAs201        Mutation = "conflict-as-201"        // 409 on create becomes 201 (duplicates accepted)
	NoUniquenessType     Mutation = "no-uniqueness-scimtype" // 409 without scimType uniqueness
	NumericErrorStatus   Mutation = "numeric-error-status"   // error status as a JSON number
	HTMLErrors           Mutation = "html-errors"            // error bodies as an HTML page
	LeakInternals        Mutation = "leak-internals"         // error details carry SQL and a stack frame
	NoWWWAuthenticate    Mutation = "no-www-authenticate"    // 401 without WWW-Authenticate
	AcceptAnyToken       Mutation = "accept-any-token"       // any credential (or none) is accepted
	AnyContentType       Mutation = "any-content-type"       // bodies in any media type are taken
	LowercaseUserName    Mutation = "lowercase-username"     // userName comes back lower-cased
	ReversedPages        Mutation = "reversed-pages"         // each page's resources in reverse order
	PastEndError         Mutation = "past-end-error"         // a startIndex past the end answers 400
	DeactivateHides      Mutation = "deactivate-hides"       // a deactivated user answers 404
	PatchIgnored         Mutation = "patch-ignored"          // PATCH answers 204 and changes nothing
	PutIgnored           Mutation = "put-ignored"            // PUT answers 200 with the body sent and changes nothing
	GroupDeleteIgnored   Mutation = "group-delete-ignored"   // DELETE /Groups answers 204 and deletes nothing
	NoRateLimit          Mutation = "no-rate-limit"          // a throttled request answers 200 with an empty list
	RetryAfterDate       Mutation = "retry-after-date"       // a 429 carries Retry-After as an HTTP date
	GroupMembersDropped  Mutation = "group-members-dropped"  // groups are read without their members
	TenantLeak           Mutation = "tenant-leak"            // an unknown user id is looked up in another tenant
	DiscoveryNoSchemaURN Mutation = "discovery-no-schema"    // /ServiceProviderConfig without its schema URN
)

// Mutations lists every mutation.
var Mutations = []Mutation{CountsAsStrings, ItemsPerPageEcho, CreateWithoutID, CreateWithoutMeta, EmptyFilter404,
	EchoPassword, EchoUnknownAttrs, CaseSensitiveFilter, FilterIgnored, InvalidFilterAs200, ConflictAs201,
	NoUniquenessType, NumericErrorStatus, HTMLErrors, LeakInternals, NoWWWAuthenticate, AcceptAnyToken,
	AnyContentType, LowercaseUserName, ReversedPages, PastEndError, DeactivateHides, PatchIgnored, PutIgnored,
	GroupDeleteIgnored, GroupMembersDropped, TenantLeak, DiscoveryNoSchemaURN, NoRateLimit, RetryAfterDate}

var userPath = regexp.MustCompile(`/Users/([^/]+)$`)

// shortCircuit answers without the target when the mutation says so.
func (p *Proxy) shortCircuit(w http.ResponseWriter, r *http.Request, ex *exchange) bool {
	switch {
	case p.cfg.Mutation == PatchIgnored && r.Method == http.MethodPatch:
		w.WriteHeader(http.StatusNoContent)
		return true
	case p.cfg.Mutation == PutIgnored && r.Method == http.MethodPut:
		var doc map[string]any
		_ = json.Unmarshal(ex.body, &doc)
		writeJSON(w, http.StatusOK, doc)
		return true
	case p.cfg.Mutation == GroupDeleteIgnored && r.Method == http.MethodDelete && strings.Contains(r.URL.Path, "/Groups/"):
		w.WriteHeader(http.StatusNoContent)
		return true
	case p.cfg.Mutation == DeactivateHides && r.Method == http.MethodGet:
		if m := userPath.FindStringSubmatch(r.URL.Path); m != nil && p.isHidden(m[1]) {
			writeJSON(w, http.StatusNotFound, map[string]any{"schemas": []any{errorURN}, "status": "404", "detail": "user not found"})
			return true
		}
	}
	return false
}

// mutateRequest changes what the target receives.
func (p *Proxy) mutateRequest(out *http.Request) {
	switch p.cfg.Mutation {
	case AcceptAnyToken:
		out.Header.Set("Authorization", p.cfg.Authorization)
	case AnyContentType:
		if out.Header.Get("Content-Type") != "" {
			out.Header.Set("Content-Type", "application/scim+json")
		}
	case FilterIgnored:
		q := out.URL.Query()
		q.Del("filter")
		out.URL.RawQuery = q.Encode()
	}
}

const errorURN = "urn:ietf:params:scim:api:messages:2.0:Error"

// mutateResponse changes what the client receives; doc is the decoded body (nil when not JSON).
func (p *Proxy) mutateResponse(resp *http.Response, ex *exchange, doc map[string]any, raw []byte) []byte {
	isList := doc != nil && doc["Resources"] != nil || doc != nil && hasSchema(doc, "ListResponse")
	isCreate := ex.method == http.MethodPost && resp.StatusCode == http.StatusCreated
	isError := resp.StatusCode >= 400 && doc != nil
	switch m := p.cfg.Mutation; {
	case m == CountsAsStrings && isList:
		for _, k := range []string{"totalResults", "itemsPerPage", "startIndex"} {
			if v, ok := doc[k].(float64); ok {
				doc[k] = strconv.FormatFloat(v, 'f', -1, 64)
			}
		}
	case m == ItemsPerPageEcho && isList && ex.query.Get("count") != "":
		doc["itemsPerPage"] = json.Number(ex.query.Get("count"))
	case m == CreateWithoutID && isCreate:
		delete(doc, "id")
	case m == CreateWithoutMeta && isCreate:
		delete(doc, "meta")
	case m == EmptyFilter404 && isList && ex.query.Get("filter") != "" && doc["totalResults"] == float64(0):
		resp.StatusCode = http.StatusNotFound
		return encode(map[string]any{"schemas": []any{errorURN}, "status": "404", "detail": "no such user"})
	case (m == EchoPassword || m == EchoUnknownAttrs) && isCreate:
		var sent map[string]any
		_ = json.Unmarshal(ex.body, &sent)
		for k, v := range sent {
			// the password is echo-password's defect alone
			if _, ok := doc[k]; !ok && (m == EchoUnknownAttrs && k != "password" || m == EchoPassword && k == "password") {
				doc[k] = v
			}
		}
	case m == CaseSensitiveFilter && isList:
		p.caseSensitive(ex, doc)
	case m == NoRateLimit && resp.StatusCode == http.StatusTooManyRequests:
		resp.StatusCode = http.StatusOK
		resp.Header.Del("Retry-After")
		return encode(map[string]any{"schemas": []any{"urn:ietf:params:scim:api:messages:2.0:ListResponse"},
			"totalResults": 0, "startIndex": 1, "itemsPerPage": 0, "Resources": []any{}})
	case m == RetryAfterDate && resp.StatusCode == http.StatusTooManyRequests:
		resp.Header.Set("Retry-After", time.Now().Add(time.Second).UTC().Format(http.TimeFormat))
	case m == InvalidFilterAs200 && isError && doc["scimType"] == "invalidFilter":
		resp.StatusCode = http.StatusOK
		return encode(map[string]any{"schemas": []any{"urn:ietf:params:scim:api:messages:2.0:ListResponse"},
			"totalResults": 0, "startIndex": 1, "itemsPerPage": 0, "Resources": []any{}})
	case m == ConflictAs201 && ex.method == http.MethodPost && resp.StatusCode == http.StatusConflict:
		var sent map[string]any
		_ = json.Unmarshal(ex.body, &sent)
		sent["id"] = "dup-" + strings.Repeat("0", 8)
		resp.StatusCode = http.StatusCreated
		return encode(sent)
	case m == NoUniquenessType && resp.StatusCode == http.StatusConflict && doc != nil:
		delete(doc, "scimType")
	case m == NumericErrorStatus && isError:
		doc["status"] = resp.StatusCode
	case m == HTMLErrors && resp.StatusCode >= 400:
		resp.Header.Set("Content-Type", "text/html; charset=utf-8")
		return []byte("<html><body><h1>" + http.StatusText(resp.StatusCode) + "</h1></body></html>")
	case m == LeakInternals && isError:
		doc["detail"] = "sql: no rows in result set (store/members.go:42)"
	case m == NoWWWAuthenticate && resp.StatusCode == http.StatusUnauthorized:
		resp.Header.Del("WWW-Authenticate")
	case m == LowercaseUserName && doc != nil:
		lowerUserNames(doc)
	case m == ReversedPages && isList:
		if list, ok := doc["Resources"].([]any); ok {
			slices.Reverse(list)
		}
	case m == PastEndError && isList && resp.StatusCode == http.StatusOK && pastEnd(ex, doc):
		resp.StatusCode = http.StatusBadRequest
		return encode(map[string]any{"schemas": []any{errorURN}, "status": "400", "scimType": "invalidValue", "detail": "startIndex out of range"})
	case m == DeactivateHides && (resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusNoContent):
		if um := userPath.FindStringSubmatch(ex.path); um != nil && (ex.method == http.MethodPatch || ex.method == http.MethodPut) && deactivates(ex.body) {
			p.hide(um[1])
		}
	case m == GroupMembersDropped && ex.method == http.MethodGet && strings.Contains(ex.path, "/Groups/") && doc != nil:
		delete(doc, "members")
	case m == TenantLeak && resp.StatusCode == http.StatusNotFound && ex.method == http.MethodGet && userPath.MatchString(ex.path):
		if leaked := p.leak(resp.Request); leaked != nil {
			resp.StatusCode = http.StatusOK
			return leaked
		}
	case m == DiscoveryNoSchemaURN && strings.HasSuffix(ex.path, "/ServiceProviderConfig") && doc != nil:
		delete(doc, "schemas")
	default:
		return raw
	}
	if doc == nil {
		return raw
	}
	return encode(doc)
}

// pastEnd reports a list page whose startIndex lies past totalResults.
func pastEnd(ex *exchange, doc map[string]any) bool {
	start, err := strconv.Atoi(ex.query.Get("startIndex"))
	total, ok := doc["totalResults"].(float64)
	return err == nil && ok && start > 1 && start > int(total) // an empty result's first page is no overflow
}

func hasSchema(doc map[string]any, suffix string) bool {
	for _, s := range asList(doc["schemas"]) {
		if str, ok := s.(string); ok && strings.HasSuffix(str, suffix) {
			return true
		}
	}
	return false
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

var userNameEq = regexp.MustCompile(`(?i)^\s*userName\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$`)

// caseSensitive drops the resources whose userName differs in case from the eq filter's value.
func (p *Proxy) caseSensitive(ex *exchange, doc map[string]any) {
	m := userNameEq.FindStringSubmatch(ex.query.Get("filter"))
	if m == nil {
		return
	}
	var want string
	if json.Unmarshal([]byte(`"`+m[1]+`"`), &want) != nil {
		return
	}
	var kept []any
	for _, r := range asList(doc["Resources"]) {
		if ro, ok := r.(map[string]any); ok && ro["userName"] == want {
			kept = append(kept, r)
		}
	}
	doc["Resources"] = kept
	doc["totalResults"], doc["itemsPerPage"] = len(kept), len(kept)
}

func lowerUserNames(doc map[string]any) {
	if u, ok := doc["userName"].(string); ok {
		doc["userName"] = strings.ToLower(u)
	}
	for _, r := range asList(doc["Resources"]) {
		if ro, ok := r.(map[string]any); ok {
			lowerUserNames(ro)
		}
	}
}

// deactivates reports whether a PATCH or PUT body sets active to false.
func deactivates(body []byte) bool {
	compact := bytes.ReplaceAll(bytes.ReplaceAll(body, []byte(" "), nil), []byte("\n"), nil)
	return bytes.Contains(compact, []byte(`"active":false`)) ||
		bytes.Contains(compact, []byte(`"path":"active"`)) && bytes.Contains(compact, []byte(`"value":false`))
}

func (p *Proxy) hide(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hidden[id] = true
}

func (p *Proxy) isHidden(id string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hidden[id]
}

// leak repeats a GET with the other tenant's credential and returns its body when it finds the user.
func (p *Proxy) leak(orig *http.Request) []byte {
	req, err := http.NewRequestWithContext(orig.Context(), http.MethodGet, orig.URL.String(), nil)
	if err != nil {
		return nil
	}
	req.Header.Set("Authorization", p.cfg.LeakAuthorization)
	req.Header.Set("Accept", "application/scim+json")
	resp, err := p.cfg.Transport.RoundTrip(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil || resp.StatusCode != http.StatusOK {
		return nil
	}
	return buf.Bytes()
}
