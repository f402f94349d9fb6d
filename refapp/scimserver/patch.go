package scimserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	filter "github.com/scim2/filter-parser/v2"
)

// patchOp is one PATCH operation; op names are matched case-insensitively.
type patchOp struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	Value json.RawMessage `json:"value"`
}

type patchRequest struct {
	Schemas    []string  `json:"schemas"`
	Operations []patchOp `json:"Operations"`
}

// decodePatch reads a PatchOp request and normalises the op names.
func decodePatch(body []byte) ([]patchOp, error) {
	var req patchRequest
	if err := decodeInto(body, &req, "SCIM PatchOp request"); err != nil {
		return nil, err
	}
	if !hasSchema(req.Schemas, patchSchema) {
		return nil, badRequest(typeInvalidSyntax, "schemas must include "+patchSchema)
	}
	if len(req.Operations) == 0 {
		return nil, badRequest(typeInvalidSyntax, "Operations must hold at least one operation")
	}
	for i := range req.Operations {
		op := &req.Operations[i]
		op.Op = strings.ToLower(strings.TrimSpace(op.Op))
		if op.Op != "add" && op.Op != "remove" && op.Op != "replace" {
			return nil, badRequest(typeInvalidSyntax, fmt.Sprintf("operation %d: op %q is not add, remove or replace", i+1, op.Op))
		}
		if len(op.Value) == 0 || string(op.Value) == "null" {
			op.Value = nil
		}
		if op.Op != "remove" && op.Value == nil {
			return nil, badRequest(typeInvalidValue, fmt.Sprintf("operation %d: %s needs a value", i+1, op.Op))
		}
	}
	return req.Operations, nil
}

// patch applies ops, in order, to doc (a resource as JSON object with the
// canonical attribute names). It changes doc even when it fails; callers
// throw doc away on error, so a PATCH applies all its operations or none.
func (d *resourceDef) patch(doc map[string]any, ops []patchOp) error {
	for i, op := range ops {
		var value any
		if op.Value != nil {
			if err := json.Unmarshal(op.Value, &value); err != nil {
				return badRequest(typeInvalidSyntax, fmt.Sprintf("operation %d: value is not JSON", i+1))
			}
		}
		var err error
		switch {
		case op.Path == "" && op.Op == "remove":
			err = badRequest(typeNoTarget, "remove needs a path")
		case op.Path == "":
			err = d.patchObject(doc, op.Op, value)
		default:
			err = d.patchPath(doc, op.Op, op.Path, value, false)
		}
		if err != nil {
			if se, ok := errors.AsType[*Error](err); ok {
				se.Detail = fmt.Sprintf("operation %d: %s", i+1, se.Detail)
			}
			return err
		}
	}
	return nil
}

// patchObject is add/replace without a path: every key of the value object is
// a path (Entra sends dotted keys such as name.givenName). Unknown keys are
// ignored as in a POST body; id may only repeat the resource's id (Okta's
// group rename), meta and schemas are ignored.
func (d *resourceDef) patchObject(doc map[string]any, op string, value any) error {
	obj, ok := value.(map[string]any)
	if !ok {
		return badRequest(typeInvalidValue, op+" without a path needs an object value")
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := obj[k]
		switch {
		case strings.EqualFold(k, "schemas"), strings.EqualFold(k, "meta"):
			continue
		case strings.EqualFold(k, "id"):
			if v != doc["id"] {
				return badRequest(typeMutability, "id is readOnly and cannot be changed")
			}
			continue
		case strings.EqualFold(k, d.Schema):
			if err := d.patchObject(doc, op, v); err != nil {
				return err
			}
			continue
		}
		if err := d.patchPath(doc, op, k, v, true); err != nil {
			return err
		}
	}
	return nil
}

// patchPath applies one operation at path. lenient (keys of a path-less
// value) ignores what it cannot resolve instead of answering invalidPath.
func (d *resourceDef) patchPath(doc map[string]any, op, raw string, value any, lenient bool) error {
	p, err := filter.ParsePath([]byte(raw))
	if err != nil {
		if lenient {
			return nil
		}
		return &Error{Status: 400, ScimType: typeInvalidPath, Detail: fmt.Sprintf("path %q is not a valid SCIM path", raw), Cause: err}
	}
	ap := p.AttributePath
	if uri := ap.URI(); uri != "" && !strings.EqualFold(uri, d.Schema) {
		return nil // extension schemas are accepted and ignored
	}
	def := d.attr(ap.AttributeName)
	if def == nil {
		if lenient || d.ignored[strings.ToLower(ap.AttributeName)] {
			return nil
		}
		return badRequest(typeInvalidPath, fmt.Sprintf("%s has no attribute %q", d.Name, ap.AttributeName))
	}
	if def.Mutability == "readOnly" {
		return badRequest(typeMutability, def.Name+" is readOnly")
	}
	if p.ValueExpression != nil {
		return d.patchFiltered(doc, op, def, p.ValueExpression, p.SubAttributeName(), value)
	}
	if sub := ap.SubAttributeName(); sub != "" {
		return patchSub(doc, op, def, sub, value)
	}
	return patchAttr(doc, op, def, value)
}

// patchAttr is an operation on a whole attribute.
func patchAttr(doc map[string]any, op string, def *attrDef, value any) error {
	switch {
	case op == "remove" && def.Multi && value != nil:
		// Entra: remove members by a value array instead of a filter.
		drop := map[string]bool{}
		for _, it := range items(value) {
			if m, ok := it.(map[string]any); ok {
				if v, ok := canon(m, def)["value"].(string); ok {
					drop[v] = true
				}
			}
		}
		doc[def.Name] = slices.DeleteFunc(elems(doc[def.Name]), func(e any) bool {
			m, _ := e.(map[string]any)
			v, ok := m["value"].(string)
			return ok && drop[v]
		})
	case op == "remove":
		delete(doc, def.Name)
	case def.Multi:
		var arr []any
		if op == "add" {
			arr = elems(doc[def.Name])
		}
		for _, it := range items(value) {
			if m, ok := it.(map[string]any); ok {
				it = canon(m, def)
				if v, ok := it.(map[string]any)["value"].(string); ok && op == "add" && slices.ContainsFunc(arr, func(e any) bool {
					em, _ := e.(map[string]any)
					ev, ok := em["value"].(string)
					return ok && ev == v
				}) {
					continue // adding a member or email again changes nothing
				}
			}
			arr = append(arr, it)
		}
		doc[def.Name] = arr
	case def.Type == "complex":
		m, ok := value.(map[string]any)
		if !ok {
			doc[def.Name] = value // the final decoding reports the wrong type
			return nil
		}
		cur, _ := doc[def.Name].(map[string]any)
		if cur == nil {
			cur = map[string]any{}
		}
		for k, v := range canon(m, def) {
			cur[k] = v
		}
		doc[def.Name] = cur
	default:
		doc[def.Name] = value
	}
	return nil
}

// patchSub is an operation on a sub-attribute (name.givenName); on a
// multi-valued attribute it applies to every value.
func patchSub(doc map[string]any, op string, def *attrDef, sub string, value any) error {
	sd := findAttr(def.Sub, sub)
	if sd == nil {
		return badRequest(typeInvalidPath, fmt.Sprintf("%s has no sub-attribute %q", def.Name, sub))
	}
	if sd.Mutability == "readOnly" {
		return badRequest(typeMutability, def.Name+"."+sd.Name+" is readOnly")
	}
	set := func(m map[string]any) {
		if op == "remove" {
			delete(m, sd.Name)
		} else {
			m[sd.Name] = value
		}
	}
	if def.Multi {
		arr := elems(doc[def.Name])
		if len(arr) == 0 && op != "remove" {
			arr = []any{map[string]any{}}
		}
		for _, e := range arr {
			if m, ok := e.(map[string]any); ok {
				set(m)
			}
		}
		doc[def.Name] = arr
		return nil
	}
	m, _ := doc[def.Name].(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	set(m)
	doc[def.Name] = m
	return nil
}

// patchFiltered is an operation on the values of a multi-valued attribute
// that match a value filter (members[value eq "x"], emails[type eq "work"].value).
// add of a filter that matches nothing creates the value its eq terms
// describe; replace of one that matches nothing is noTarget; remove of one is
// a no-op.
func (d *resourceDef) patchFiltered(doc map[string]any, op string, def *attrDef, expr filter.Expression, sub string, value any) error {
	if !def.Multi {
		return badRequest(typeInvalidPath, def.Name+" is not multi-valued; a value filter cannot apply")
	}
	var sd *attrDef
	if sub != "" {
		if sd = findAttr(def.Sub, sub); sd == nil {
			return badRequest(typeInvalidPath, fmt.Sprintf("%s has no sub-attribute %q", def.Name, sub))
		}
		if sd.Mutability == "readOnly" {
			return badRequest(typeMutability, def.Name+"."+sd.Name+" is readOnly")
		}
	}
	arr := elems(doc[def.Name])
	var hit []int
	for i, e := range arr {
		m, _ := e.(map[string]any)
		ok, err := matches(m, expr, def)
		if err != nil {
			return err
		}
		if ok {
			hit = append(hit, i)
		}
	}
	update := func(m map[string]any) error {
		if sd != nil {
			m[sd.Name] = value
			return nil
		}
		v, ok := value.(map[string]any)
		if !ok {
			return badRequest(typeInvalidValue, "the value for "+def.Name+"[...] must be an object")
		}
		for k, x := range canon(v, def) {
			m[k] = x
		}
		return nil
	}
	switch {
	case op == "remove" && sd == nil:
		arr = slices.DeleteFunc(arr, func(e any) bool {
			m, _ := e.(map[string]any)
			ok, _ := matches(m, expr, def)
			return ok
		})
	case op == "remove":
		for _, i := range hit {
			delete(arr[i].(map[string]any), sd.Name)
		}
	case len(hit) == 0 && op == "replace":
		return badRequest(typeNoTarget, fmt.Sprintf("no value of %s matches the filter", def.Name))
	case len(hit) == 0:
		seed, ok := eqSeed(expr, def)
		if !ok {
			return badRequest(typeNoTarget, fmt.Sprintf("no value of %s matches the filter", def.Name))
		}
		if err := update(seed); err != nil {
			return err
		}
		arr = append(arr, seed)
	default:
		for _, i := range hit {
			if err := update(arr[i].(map[string]any)); err != nil {
				return err
			}
		}
	}
	doc[def.Name] = arr
	return nil
}

// matches evaluates a value filter on one value of a multi-valued attribute.
func matches(m map[string]any, expr filter.Expression, def *attrDef) (bool, error) {
	switch e := expr.(type) {
	case *filter.LogicalExpression:
		l, err := matches(m, e.Left, def)
		if err != nil {
			return false, err
		}
		r, err := matches(m, e.Right, def)
		if strings.EqualFold(string(e.Operator), "or") {
			return l || r, err
		}
		return l && r, err
	case *filter.NotExpression:
		ok, err := matches(m, e.Expression, def)
		return !ok, err
	case *filter.AttributeExpression:
		return compareSub(m, *e, def)
	}
	return false, badRequest(typeInvalidPath, "unsupported value filter in path")
}

func compareSub(m map[string]any, e filter.AttributeExpression, def *attrDef) (bool, error) {
	sd := findAttr(def.Sub, e.AttributePath.AttributeName)
	if sd == nil || e.AttributePath.SubAttribute != nil {
		return false, badRequest(typeInvalidPath, fmt.Sprintf("%s has no sub-attribute %q", def.Name, e.AttributePath))
	}
	got, present := m[sd.Name]
	op := strings.ToLower(string(e.Operator))
	if op == "pr" {
		return present && got != nil && got != "", nil
	}
	want := e.CompareValue
	if s, ok := want.(string); ok {
		u, err := unquote(s)
		if err != nil {
			return false, badRequest(typeInvalidPath, "a string in the path's filter is not valid")
		}
		want = u
	}
	if sd.Type == "boolean" {
		gb, _ := got.(bool)
		if s, ok := got.(string); ok {
			gb = strings.EqualFold(s, "true")
		}
		wb, ok := want.(bool)
		if !ok || (op != "eq" && op != "ne") {
			return false, badRequest(typeInvalidPath, sd.Name+" is a boolean: use eq or ne with true or false")
		}
		return (gb == wb) == (op == "eq"), nil
	}
	gs, _ := got.(string)
	ws, ok := want.(string)
	if !ok {
		return false, badRequest(typeInvalidPath, sd.Name+" must be compared with a string")
	}
	if !sd.CaseExact {
		gs, ws = strings.ToLower(gs), strings.ToLower(ws)
	}
	switch op {
	case "eq":
		return gs == ws, nil
	case "ne":
		return gs != ws, nil
	case "co":
		return strings.Contains(gs, ws), nil
	case "sw":
		return strings.HasPrefix(gs, ws), nil
	case "ew":
		return strings.HasSuffix(gs, ws), nil
	}
	return false, badRequest(typeInvalidPath, "operator "+op+" is not supported in a path filter")
}

// eqSeed turns a filter made of eq terms joined by and into the value it describes.
func eqSeed(expr filter.Expression, def *attrDef) (map[string]any, bool) {
	switch e := expr.(type) {
	case *filter.AttributeExpression:
		sd := findAttr(def.Sub, e.AttributePath.AttributeName)
		if sd == nil || !strings.EqualFold(string(e.Operator), "eq") {
			return nil, false
		}
		v := e.CompareValue
		if s, ok := v.(string); ok {
			u, err := unquote(s)
			if err != nil {
				return nil, false
			}
			v = u
		}
		return map[string]any{sd.Name: v}, true
	case *filter.LogicalExpression:
		if !strings.EqualFold(string(e.Operator), "and") {
			return nil, false
		}
		l, ok1 := eqSeed(e.Left, def)
		r, ok2 := eqSeed(e.Right, def)
		for k, v := range r {
			l[k] = v
		}
		return l, ok1 && ok2
	}
	return nil, false
}

// canon renames m's keys to the sub-attribute names they match case-insensitively.
func canon(m map[string]any, def *attrDef) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if sd := findAttr(def.Sub, k); sd != nil {
			k = sd.Name
		}
		out[k] = v
	}
	return out
}

func elems(v any) []any {
	arr, _ := v.([]any)
	return arr
}

func items(v any) []any {
	if arr, ok := v.([]any); ok {
		return arr
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

// toDoc turns a resource into the JSON object PATCH works on.
func toDoc(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode resource: %w", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("decode resource: %w", err)
	}
	return doc, nil
}
