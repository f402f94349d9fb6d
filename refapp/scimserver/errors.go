package scimserver

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
)

// The SCIM Error schema and response media type.
const (
	errorSchema = "urn:ietf:params:scim:api:messages:2.0:Error"
	mediaType   = "application/scim+json"
)

// scimType values (RFC 7644 §3.12) used here.
const (
	typeInvalidFilter = "invalidFilter"
	typeInvalidSyntax = "invalidSyntax"
	typeInvalidValue  = "invalidValue"
	typeInvalidPath   = "invalidPath"
	typeNoTarget      = "noTarget"
	typeMutability    = "mutability"
	typeUniqueness    = "uniqueness"
)

// Error is a SCIM protocol error: Status, ScimType and Detail are what the
// client sees; Cause is for the log only. RetryAfter (seconds) is sent with 429.
type Error struct {
	Status     int
	ScimType   string
	Detail     string
	Cause      error
	RetryAfter int
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return e.Detail + ": " + e.Cause.Error()
	}
	return e.Detail
}

func (e *Error) Unwrap() error { return e.Cause }

func scimErr(status int, scimType, detail string) *Error {
	return &Error{Status: status, ScimType: scimType, Detail: detail}
}

func badRequest(scimType, detail string) *Error {
	return scimErr(http.StatusBadRequest, scimType, detail)
}

type errorBody struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail,omitempty"`
}

// writeError is the one place SCIM errors become responses. Anything that is
// not an *Error is an internal error: logged, answered 500 without detail.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var se *Error
	if !errors.As(err, &se) {
		s.cfg.Logger.ErrorContext(r.Context(), "scim request failed", slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Any("error", err))
		se = scimErr(http.StatusInternalServerError, "", "internal server error")
	} else if se.Cause != nil || se.Status == http.StatusForbidden {
		s.cfg.Logger.InfoContext(r.Context(), "scim request refused", slog.Int("status", se.Status),
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("error", se))
	}
	switch se.Status {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="refapp SCIM"`)
	case http.StatusTooManyRequests:
		w.Header().Set("Retry-After", strconv.Itoa(max(se.RetryAfter, 1)))
	}
	writeJSON(w, se.Status, errorBody{Schemas: []string{errorSchema}, Status: strconv.Itoa(se.Status),
		ScimType: se.ScimType, Detail: se.Detail})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", mediaType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request, _ principal) {
	s.writeError(w, r, scimErr(http.StatusNotFound, "", "no SCIM endpoint at "+r.URL.Path))
}

func (s *Server) notImplemented(w http.ResponseWriter, r *http.Request, _ principal) {
	s.writeError(w, r, scimErr(http.StatusNotImplemented, "", r.URL.Path+" is not supported (see /ServiceProviderConfig)"))
}

func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request, _ principal) {
	s.writeError(w, r, scimErr(http.StatusMethodNotAllowed, "", r.Method+" is not allowed on "+r.URL.Path))
}
