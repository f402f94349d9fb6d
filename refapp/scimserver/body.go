package scimserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
)

// readBody checks the content type (415) and size (413) and returns the body,
// which must be one JSON object (else 400 invalidSyntax).
func (s *Server) readBody(r *http.Request) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != mediaType && mt != "application/json") {
		return nil, scimErr(http.StatusUnsupportedMediaType, "",
			"the request body must be application/scim+json or application/json")
	}
	limit := s.cfg.MaxBodyBytes
	tooLarge := scimErr(http.StatusRequestEntityTooLarge, "",
		fmt.Sprintf("the request body is larger than the %d bytes this server accepts", limit))
	if r.ContentLength > limit {
		return nil, tooLarge
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, &Error{Status: http.StatusBadRequest, ScimType: typeInvalidSyntax,
			Detail: "the request body could not be read", Cause: err}
	}
	if int64(len(body)) > limit {
		return nil, tooLarge
	}
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) == 0 || t[0] != '{' || !json.Valid(body) {
		return nil, badRequest(typeInvalidSyntax, "the request body is not a JSON object")
	}
	return body, nil
}

// decodeInto unmarshals a checked JSON body (or document) into v: a wrong
// type is 400 invalidValue, anything else 400 invalidSyntax.
func decodeInto(body []byte, v any, what string) error {
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	var ve *valueError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = what
		}
		return &Error{Status: http.StatusBadRequest, ScimType: typeInvalidValue, Cause: err,
			Detail: fmt.Sprintf("%s: attribute %s has the wrong type (%s)", what, field, te.Value)}
	case errors.As(err, &ve):
		return &Error{Status: http.StatusBadRequest, ScimType: typeInvalidValue, Detail: what + ": " + ve.msg}
	}
	return &Error{Status: http.StatusBadRequest, ScimType: typeInvalidSyntax, Cause: err,
		Detail: "the request body is not a valid " + what}
}

// valueError is an invalid attribute value found while decoding.
type valueError struct{ msg string }

func (e *valueError) Error() string { return e.msg }

// flexBool is a SCIM boolean that also accepts the strings "true" and "false"
// in any case (Entra sends "False").
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	switch x := v.(type) {
	case bool:
		*b = flexBool(x)
		return nil
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true":
			*b = true
			return nil
		case "false":
			*b = false
			return nil
		}
	case nil:
		*b = false
		return nil
	}
	return &valueError{msg: fmt.Sprintf("%s is not a boolean", data)}
}

// hasSchema reports whether schemas lists urn (case-insensitively).
func hasSchema(schemas []string, urn string) bool {
	return slices.ContainsFunc(schemas, func(s string) bool { return strings.EqualFold(s, urn) })
}
