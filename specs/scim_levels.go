package specs

import (
	"fmt"
	"regexp"
	"strings"

	. "github.com/onsi/ginkgo/v2"
)

// Level says how much a SCIM spec's rule weighs in the verdict.
type Level string

const (
	// LevelOkta: Okta's provisioning, or its SPEC test, breaks without the rule. Every profile's verdict
	// counts it.
	LevelOkta Level = "okta"
	// LevelMust: an RFC 7643/7644 MUST that Okta does not depend on. The rfc profile's verdict counts it;
	// the okta profiles list its failures as warnings.
	LevelMust Level = "must"
	// LevelShould: a SHOULD or a best practice. Its failures are warnings in every profile.
	LevelShould Level = "should"
)

// Levels lists the levels, heaviest first.
var Levels = []Level{LevelOkta, LevelMust, LevelShould}

// levelLabelPrefix starts a spec's level label, e.g. Level:okta.
const levelLabelPrefix = "Level:"

// scimRule is what the catalogue knows of a SCIM spec beyond its text: its level and, when the text
// does not end with one, its reference.
type scimRule struct {
	level Level
	ref   string
}

// scimRules is the one table of SCIM spec levels. A SCIM spec registered without an entry here panics
// at registration, so a new spec cannot ship without a level.
var scimRules = map[string]scimRule{
	// transport and authentication
	"SCIM-AUTH-BAD":              {level: LevelOkta},
	"SCIM-AUTH-NONE":             {level: LevelMust},
	"SCIM-AUTH-CHALLENGE":        {level: LevelMust},
	"SCIM-AUTH-QUERY":            {level: LevelShould},
	"SCIM-HDR-OKTA":              {level: LevelOkta},
	"SCIM-CT-JSON":               {level: LevelOkta},
	"SCIM-CT-415":                {level: LevelShould},
	"SCIM-CT-RESPONSE":           {level: LevelMust},
	"SCIM-ERR-UNKNOWN-ENDPOINT":  {level: LevelShould},
	"SCIM-ERR-MALFORMED":         {level: LevelMust},
	"SCIM-ERR-USERNAME":          {level: LevelMust},
	"SCIM-ERR-TYPES":             {level: LevelMust},
	"SCIM-ERR-413":               {level: LevelShould},
	"SCIM-ERR-429":               {level: LevelShould},
	"SCIM-LIST-CONNECTOR":        {level: LevelOkta},
	"SCIM-LIST-SHAPE":            {level: LevelOkta},
	"SCIM-LIST-PAGES":            {level: LevelOkta},
	"SCIM-LIST-PAST-END":         {level: LevelOkta},
	"SCIM-LIST-BOUNDS":           {level: LevelShould},
	"SCIM-LIST-GROUPS":           {level: LevelOkta},
	"SCIM-FLT-EQ":                {level: LevelOkta},
	"SCIM-FLT-NOMATCH":           {level: LevelOkta},
	"SCIM-FLT-CASE":              {level: LevelOkta},
	"SCIM-FLT-ENCODING":          {level: LevelOkta},
	"SCIM-FLT-SPECIAL":           {level: LevelOkta},
	"SCIM-FLT-KEYWORD-CASE":      {level: LevelMust},
	"SCIM-FLT-INJECT":            {level: LevelMust},
	"SCIM-FLT-INVALID":           {level: LevelMust},
	"SCIM-FLT-OPS":               {level: LevelMust},
	"SCIM-GRP-CREATE":            {level: LevelOkta},
	"SCIM-GRP-FILTER":            {level: LevelOkta},
	"SCIM-GRP-DELETE":            {level: LevelOkta},
	"SCIM-GRP-PUT-MEMBERS":       {level: LevelOkta},
	"SCIM-GRP-PUT-RENAME":        {level: LevelOkta},
	"SCIM-GRP-PATCH-ADD":         {level: LevelOkta},
	"SCIM-GRP-PATCH-REMOVE-ADD":  {level: LevelOkta},
	"SCIM-GRP-PATCH-REPLACE":     {level: LevelOkta},
	"SCIM-GRP-PATCH-REMOVE":      {level: LevelOkta},
	"SCIM-GRP-PATCH-RENAME":      {level: LevelOkta},
	"SCIM-GRP-PATCH-IDEMPOTENT":  {level: LevelShould},
	"SCIM-GRP-GET-404":           {level: LevelMust},
	"SCIM-GRP-MEMBER-INVALID":    {level: LevelShould},
	"SCIM-TEN-GET":               {level: LevelMust},
	"SCIM-TEN-MUTATE":            {level: LevelMust},
	"SCIM-TEN-LIST":              {level: LevelMust},
	"SCIM-TEN-UNIQUE":            {level: LevelMust},
	"SCIM-TEN-GROUP-REF":         {level: LevelMust},
	"SCIM-CC-CREATE":             {level: LevelMust},
	"SCIM-CC-CREATE-CASE":        {level: LevelMust},
	"SCIM-USR-CREATE-201":        {level: LevelOkta},
	"SCIM-USR-EXTRA-ATTRS":       {level: LevelOkta},
	"SCIM-USR-CREATE-409":        {level: LevelOkta},
	"SCIM-USR-USERNAME-EXACT":    {level: LevelOkta},
	"SCIM-USR-GET":               {level: LevelOkta},
	"SCIM-USR-GET-404":           {level: LevelOkta},
	"SCIM-USR-PUT":               {level: LevelOkta},
	"SCIM-USR-PUT-EMPTY":         {level: LevelOkta},
	"SCIM-USR-LIFECYCLE":         {level: LevelOkta},
	"SCIM-USR-LINK-EXISTING":     {level: LevelOkta},
	"SCIM-USR-DEACTIVATE":        {level: LevelOkta},
	"SCIM-USR-REACTIVATE":        {level: LevelOkta},
	"SCIM-USR-PATCH-PROFILE":     {level: LevelOkta},
	"SCIM-USR-PASSWORD-NEVER":    {level: LevelMust},
	"SCIM-USR-CREATE-409-CASE":   {level: LevelMust},
	"SCIM-USR-PUT-404":           {level: LevelMust},
	"SCIM-USR-PUT-409":           {level: LevelMust},
	"SCIM-USR-READONLY":          {level: LevelMust},
	"SCIM-USR-DELETE":            {level: LevelMust},
	"SCIM-USR-PATCH-PATHS":       {level: LevelMust},
	"SCIM-USR-PATCH-ATOMIC":      {level: LevelMust},
	"SCIM-USR-PATCH-ERRORS":      {level: LevelMust},
	"SCIM-USR-PATCH-ACTIVE-PATH": {level: LevelShould},
	"SCIM-USR-PATCH-ENTRA":       {level: LevelShould},
	"SCIM-DISC-SPC":              {level: LevelMust},
	"SCIM-DISC-RESOURCETYPES":    {level: LevelMust},
	"SCIM-DISC-SCHEMAS":          {level: LevelMust},
	// Okta's own SPEC test: every step is a step Okta's review runs
	"SCIM-OKTA-SPEC-01": {LevelOkta, oktaSPECRef + ", step 1"},
	"SCIM-OKTA-SPEC-02": {LevelOkta, oktaSPECRef + ", step 2"},
	"SCIM-OKTA-SPEC-03": {LevelOkta, oktaSPECRef + ", step 3"},
	"SCIM-OKTA-SPEC-04": {LevelOkta, oktaSPECRef + ", step 4"},
	"SCIM-OKTA-SPEC-05": {LevelOkta, oktaSPECRef + ", step 5"},
	"SCIM-OKTA-SPEC-06": {LevelOkta, oktaSPECRef + ", step 6"},
	"SCIM-OKTA-SPEC-07": {LevelOkta, oktaSPECRef + ", step 7"},
	"SCIM-OKTA-SPEC-08": {LevelOkta, oktaSPECRef + ", step 8"},
	"SCIM-OKTA-SPEC-09": {LevelOkta, oktaSPECRef + ", step 9"},
	"SCIM-OKTA-SPEC-10": {LevelOkta, oktaSPECRef + ", step 10"},
	"SCIM-OKTA-SPEC-11": {LevelOkta, oktaSPECRef + ", step 11"},
	"SCIM-OKTA-SPEC-12": {LevelOkta, oktaSPECRef + ", step 12"},
}

const oktaSPECRef = "Okta SCIM 2.0 SPEC Test (okta-scim.md b.1)"

// scimIt registers a SCIM spec like It, with its level label from scimRules.
func scimIt(text string, args ...any) bool {
	id := specIDPattern.FindString(text)
	r, ok := scimRules[id]
	if !ok {
		panic(fmt.Sprintf("specs: SCIM spec %q has no level in scimRules", text))
	}
	return It(text, append([]any{Label(levelLabelPrefix + string(r.level))}, args...)...)
}

// trailingRef is the reference in parentheses that ends a spec's text, e.g. "(RFC 7644 §3.3)".
var trailingRef = regexp.MustCompile(`\(([^()]*)\)\s*$`)

// specReference is where a spec's rule comes from: the catalogue's reference, or the one its text ends
// with. Empty when neither says.
func specReference(id, text string) string {
	if r := scimRules[id]; r.ref != "" {
		return r.ref
	}
	if m := trailingRef.FindStringSubmatch(text); m != nil {
		return strings.TrimSpace(m[1])
	}
	return ""
}

// specLevel reads a spec's level from its labels; empty for specs without one (the SSO specs).
func specLevel(labels []string) Level {
	for _, l := range labels {
		if v, ok := strings.CutPrefix(l, levelLabelPrefix); ok {
			return Level(v)
		}
	}
	return ""
}

// blocks says whether a failure at this level fails the verdict of a spec in this profile: okta
// failures always do, must failures in the rfc profile, should failures never. A spec without a level
// (the SSO specs, set-up nodes) always blocks.
func (l Level) blocks(profile string) bool {
	switch l {
	case LevelOkta, "":
		return true
	case LevelMust:
		return profile == "rfc"
	default:
		return false
	}
}

// blockedBy is the skip reason of a spec whose set-up needs a rule another spec owns and found broken:
// the failure is that spec's, reported once, and this one is blocked by it.
func blockedBy(id, why string) string {
	return "blocked by " + id + ": " + why
}

// The specs that own a set-up step other specs need.
const (
	ownerCreate      = "SCIM-USR-CREATE-201"
	ownerGroupCreate = "SCIM-GRP-CREATE"
	ownerGet         = "SCIM-USR-GET"
	ownerListShape   = "SCIM-LIST-SHAPE"
	ownerFilter      = "SCIM-FLT-EQ"
	ownerDeactivate  = "SCIM-USR-DEACTIVATE"
	ownerAuth        = "SCIM-AUTH-NONE"
)

// owned checks a step whose rule the spec owner asserts: in owner itself a broken step fails the spec;
// in any other spec it skips it as blocked by owner, so one defect fails one spec.
func owned(owner string, ok bool, msg func() string) {
	GinkgoHelper()
	if ok {
		return
	}
	if specID() == owner {
		Fail(msg())
	}
	first, _, _ := strings.Cut(msg(), "\n")
	Skip(blockedBy(owner, first))
}
