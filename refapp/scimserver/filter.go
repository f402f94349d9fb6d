package scimserver

import (
	"net/http"
	"strings"

	filter "github.com/scim2/filter-parser/v2"
)

// userNameFilter parses a filter and returns the userName it asks for. Only
// `userName eq "value"` is supported; anything else is a 400 invalidFilter.
func userNameFilter(raw string) (string, error) {
	expr, err := filter.ParseFilter([]byte(raw))
	if err != nil {
		return "", &Error{Status: http.StatusBadRequest, ScimType: typeInvalidFilter,
			Detail: "the filter is not valid SCIM filter syntax", Cause: err}
	}
	ae, ok := expr.(*filter.AttributeExpression)
	if !ok {
		return "", scimErr(http.StatusBadRequest, typeInvalidFilter, `only filters of the form userName eq "value" are supported`)
	}
	p := ae.AttributePath
	uri := p.URI()
	if !strings.EqualFold(p.AttributeName, "userName") || p.SubAttribute != nil ||
		(uri != "" && !strings.EqualFold(uri, userSchema)) {
		return "", scimErr(http.StatusBadRequest, typeInvalidFilter, "filtering on "+p.String()+" is not supported; use userName")
	}
	if !strings.EqualFold(string(ae.Operator), string(filter.EQ)) {
		return "", scimErr(http.StatusBadRequest, typeInvalidFilter, "operator "+string(ae.Operator)+" is not supported on userName; use eq")
	}
	v, ok := ae.CompareValue.(string)
	if !ok {
		return "", scimErr(http.StatusBadRequest, typeInvalidFilter, "userName must be compared with a string")
	}
	return v, nil
}
