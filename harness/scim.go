package harness

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// SCIMFlavour is the client behaviour a SCIM target is tested for: which requests it must take.
type SCIMFlavour string

const (
	// FlavourOktaOIN is an Okta Integration Network app: profile updates by PUT; activation,
	// deactivation and group membership by PATCH (path-less `replace {active:false}`, `members` ops).
	FlavourOktaOIN SCIMFlavour = "okta-oin"
	// FlavourOktaAIW is an App Integration Wizard (custom) app: PUT for everything, activation and group
	// membership included; never PATCH.
	FlavourOktaAIW SCIMFlavour = "okta-aiw"
	// FlavourRFC is plain RFC 7643/7644: PUT for updates, PATCH when declared, stricter media types and
	// headers.
	FlavourRFC SCIMFlavour = "rfc"
)

// SCIMFlavours lists every flavour, in the order reports show them.
var SCIMFlavours = []SCIMFlavour{FlavourOktaOIN, FlavourOktaAIW, FlavourRFC}

// ParseSCIMFlavour checks a flavour name.
func ParseSCIMFlavour(s string) (SCIMFlavour, error) {
	f := SCIMFlavour(s)
	if !slices.Contains(SCIMFlavours, f) {
		return "", fmt.Errorf("unknown scim profile %q (want okta-oin, okta-aiw or rfc)", s)
	}
	return f, nil
}

// SCIMFeature is an optional capability a target declares. Specs that need an undeclared feature are
// skipped, with the reason in the report.
type SCIMFeature string

const (
	// FeatureGroups: /Groups (create, read, filter displayName eq, membership, rename, delete): Okta's
	// Push Groups.
	FeatureGroups SCIMFeature = "groups"
	// FeaturePatch: PATCH on /Users and /Groups (RFC 7644 §3.5.2). Implied by okta-oin, whose
	// deactivation and group membership are PATCH requests.
	FeaturePatch SCIMFeature = "patch"
	// FeatureFilterOps: filter operators beyond `eq` (co, sw, pr, and, or, not) and `eq` on id,
	// externalId, emails.value (RFC 7644 §3.4.2.2). Okta sends only `userName eq` / `displayName eq`.
	FeatureFilterOps SCIMFeature = "filter-ops"
	// FeatureDiscovery: /ServiceProviderConfig, /ResourceTypes, /Schemas (RFC 7644 §4).
	FeatureDiscovery SCIMFeature = "discovery"
	// FeatureUserDelete: DELETE /Users/{id} (RFC 7644 §3.6). Okta never sends it; Entra does.
	FeatureUserDelete SCIMFeature = "user-delete"
	// FeatureEntraCompat: Microsoft Entra's PATCH dialect (capitalised ops, "False" strings, pathed
	// `active`).
	FeatureEntraCompat SCIMFeature = "entra-compat"
)

// FeatureRateLimit: each credential is rate limited, and a request past the limit is answered 429 with
// an integer Retry-After (RFC 6585 §4), which Okta's provisioning honours. Needs SCIMTarget.Throttled.
const FeatureRateLimit SCIMFeature = "rate-limit"

// SCIMFeatures lists every optional feature.
var SCIMFeatures = []SCIMFeature{FeatureGroups, FeaturePatch, FeatureFilterOps, FeatureDiscovery,
	FeatureUserDelete, FeatureEntraCompat, FeatureRateLimit}

// ParseSCIMFeatures reads a comma-separated feature list; "all" declares every feature.
func ParseSCIMFeatures(s string) ([]SCIMFeature, error) {
	var out []SCIMFeature
	for name := range strings.SplitSeq(s, ",") {
		name = strings.TrimSpace(name)
		switch {
		case name == "":
		case name == "all":
			return slices.Clone(SCIMFeatures), nil
		case slices.Contains(SCIMFeatures, SCIMFeature(name)):
			out = append(out, SCIMFeature(name))
		default:
			return nil, fmt.Errorf("unknown scim feature %q (known: %v, or all)", name, SCIMFeatures)
		}
	}
	return out, nil
}

// SCIMTarget is a SCIM 2.0 server under test, reached over HTTP only: nothing here knows which app it is.
type SCIMTarget struct {
	// BaseURL is the SCIM base, e.g. http://127.0.0.1:8081/scim/v2 (no trailing slash). Required.
	BaseURL string
	// Authorization is the whole Authorization header value, e.g. "Bearer rk_...". Never logged nor
	// recorded.
	Authorization string
	// Flavour is the client behaviour the target is tested for. Default: okta-oin.
	Flavour SCIMFlavour
	// Features are the optional capabilities the target declares. Default: none (the flavour's implied
	// ones still count, see Has).
	Features []SCIMFeature
	// Second is another tenant (organization) of the same server with its own credential, for the
	// tenant-isolation specs. Default: nil, and those specs are skipped.
	Second *SCIMTarget
	// Throttled is a credential of the same server that the rate-limit spec may exhaust; no other spec
	// uses it. Default: nil, and that spec is skipped.
	Throttled *SCIMTarget
	// Client sends the requests. Default: a client with a 30 s timeout.
	Client *http.Client
	// Recorder, when set, receives every exchange (credentials redacted). Default: nil.
	Recorder *Recorder
}

// Validate reports a target that cannot be used.
func (t SCIMTarget) Validate() error {
	u, err := url.Parse(t.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("scim target: base URL %q must be an absolute http(s) URL", t.BaseURL)
	}
	if t.Flavour != "" {
		if _, err := ParseSCIMFlavour(string(t.Flavour)); err != nil {
			return fmt.Errorf("scim target: %w", err)
		}
	}
	if t.Second != nil {
		if err := t.Second.Validate(); err != nil {
			return fmt.Errorf("second %w", err)
		}
	}
	return nil
}

// Profile is the flavour, okta-oin when unset.
func (t SCIMTarget) Profile() SCIMFlavour {
	if t.Flavour == "" {
		return FlavourOktaOIN
	}
	return t.Flavour
}

// Has reports whether the target declares f, or its flavour implies it (okta-oin implies patch).
func (t SCIMTarget) Has(f SCIMFeature) bool {
	if f == FeaturePatch && t.Profile() == FlavourOktaOIN {
		return true
	}
	return slices.Contains(t.Features, f)
}

// With returns a copy of the target for flavour f whose exchanges (and its second tenant's) go to rec.
func (t SCIMTarget) With(f SCIMFlavour, rec *Recorder) SCIMTarget {
	t.Flavour, t.Recorder = f, rec
	if t.Second != nil {
		second := *t.Second
		second.Flavour, second.Recorder = f, rec
		t.Second = &second
	}
	return t
}

// SCIMRequest is one request to send. Unless overridden, it carries Okta's real headers: Accept
// application/scim+json, Accept-Charset utf-8, User-Agent "Okta SCIM Client 1.0.0", and for a body
// Content-Type application/scim+json; charset=utf-8.
type SCIMRequest struct {
	Method string
	// Path is relative to the base URL, query included and already encoded (see Query).
	Path string
	// Body is marshalled as JSON; nil sends no body. Ignored when RawBody is set.
	Body any
	// RawBody is sent as is (malformed JSON, other media types).
	RawBody []byte
	// Header adds or overrides headers; an empty value removes a default header.
	Header map[string]string
	// Authorization, when non-nil, replaces the target's credential; "" sends no Authorization header.
	Authorization *string
	// Close asks for Connection: close, as Okta does.
	Close bool
}

// OktaUserAgent is what Okta's provisioning client sends.
const OktaUserAgent = "Okta SCIM Client 1.0.0"

// Query encodes query parameters the way Okta does: spaces as %20, quotes as %22, pairs in the given
// order (filter first, then startIndex and count).
func Query(kv ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(kv[i]))
		b.WriteByte('=')
		b.WriteString(strings.ReplaceAll(url.QueryEscape(kv[i+1]), "+", "%20"))
	}
	return b.String()
}

// SCIMResponse is a decoded SCIM answer: the exchange, the headers and, when the body is a JSON
// object, that object.
type SCIMResponse struct {
	Exchange
	Header http.Header
	JSON   map[string]any
}

// Do sends method to path (relative to BaseURL) with body marshalled as JSON (nil for none).
func (t SCIMTarget) Do(ctx context.Context, method, path string, body any) (SCIMResponse, error) {
	return t.Send(ctx, SCIMRequest{Method: method, Path: path, Body: body})
}

// Send sends one request and records the exchange. An error means no HTTP answer was read (transport
// failure); any status is a response.
func (t SCIMTarget) Send(ctx context.Context, r SCIMRequest) (SCIMResponse, error) {
	req, reqBody, err := t.newRequest(ctx, r)
	if err != nil {
		return SCIMResponse{}, err
	}
	client := t.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	ex := Exchange{Method: r.Method, URL: req.URL.String(), RequestHeader: redactedHeader(req.Header),
		RequestBody: excerpt(string(reqBody), 4000)}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		ex.Duration, ex.Err = time.Since(start), err.Error()
		t.Recorder.Add(ex)
		return SCIMResponse{Exchange: ex}, fmt.Errorf("scim %s %s: %w", r.Method, ex.URL, err)
	}
	defer resp.Body.Close()
	raw, err := readBody(resp)
	ex.Duration = time.Since(start)
	ex.Status, ex.ResponseHeader, ex.ResponseBody = resp.StatusCode, resp.Header.Clone(), excerpt(string(raw), 8000)
	if err != nil {
		ex.Err = err.Error()
		t.Recorder.Add(ex)
		return SCIMResponse{Exchange: ex, Header: resp.Header}, fmt.Errorf("scim %s %s: read body: %w", r.Method, ex.URL, err)
	}
	t.Recorder.Add(ex)
	out := SCIMResponse{Exchange: ex, Header: resp.Header}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &out.JSON) // non-JSON bodies stay in ResponseBody for the report
	}
	return out, nil
}

func (t SCIMTarget) newRequest(ctx context.Context, r SCIMRequest) (*http.Request, []byte, error) {
	body := r.RawBody
	if body == nil && r.Body != nil {
		var err error
		if body, err = json.Marshal(r.Body); err != nil {
			return nil, nil, fmt.Errorf("scim %s %s: encode body: %w", r.Method, r.Path, err)
		}
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, strings.TrimSuffix(t.BaseURL, "/")+r.Path, rd)
	if err != nil {
		return nil, nil, fmt.Errorf("scim %s %s: %w", r.Method, r.Path, err)
	}
	req.Header.Set("Accept", "application/scim+json")
	req.Header.Set("Accept-Charset", "utf-8")
	req.Header.Set("User-Agent", OktaUserAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
	}
	auth := t.Authorization
	if r.Authorization != nil {
		auth = *r.Authorization
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for k, v := range r.Header {
		if v == "" && !strings.EqualFold(k, "User-Agent") {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v) // an empty User-Agent makes net/http send none
	}
	req.Close = r.Close
	return req, body, nil
}

// readBody reads at most 8 MiB, undoing a gzip or deflate Content-Encoding (net/http only does that
// itself when it chose Accept-Encoding).
func readBody(resp *http.Response) ([]byte, error) {
	var rd io.Reader = resp.Body
	switch strings.ToLower(resp.Header.Get("Content-Encoding")) {
	case "gzip":
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("gzip body: %w", err)
		}
		defer zr.Close()
		rd = zr
	case "deflate":
		fr := flate.NewReader(resp.Body)
		defer fr.Close()
		rd = fr
	}
	return io.ReadAll(io.LimitReader(rd, 8<<20))
}

// FindUsers runs Okta's lookup, GET /Users?filter=userName eq "NAME"&startIndex=1&count=100, and returns
// the resources found. A non-200 answer is an error carrying the exchange.
func (t SCIMTarget) FindUsers(ctx context.Context, userName string) ([]map[string]any, error) {
	q := Query("filter", fmt.Sprintf("userName eq %s", QuoteFilterValue(userName)), "startIndex", "1", "count", "100")
	resp, err := t.Do(ctx, http.MethodGet, "/Users?"+q, nil)
	if err != nil {
		return nil, err
	}
	if resp.Status != http.StatusOK {
		return nil, fmt.Errorf("find user %q: %s", userName, resp.Exchange)
	}
	return resp.Resources(), nil
}

// QuoteFilterValue writes s as a SCIM filter string literal (RFC 7644 §3.4.2.2: JSON string syntax).
func QuoteFilterValue(s string) string {
	b, _ := json.Marshal(s)
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(b))
}

// Resources is the response's Resources array, its objects only.
func (r SCIMResponse) Resources() []map[string]any {
	list, _ := r.JSON["Resources"].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, v := range list {
		if m, ok := v.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}
