package mgmtapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

// apiError is an error with Okta's public shape; the cause stays private (logged, never sent).
type apiError struct {
	Status  int
	Code    string
	Summary string
	Causes  []string
	cause   error
}

func (e *apiError) Error() string {
	if e.cause != nil {
		return fmt.Sprintf("%s %s: %v", e.Code, e.Summary, e.cause)
	}
	return e.Code + " " + e.Summary
}

func (e *apiError) Unwrap() error { return e.cause }

var (
	errInvalidToken   = &apiError{Status: http.StatusUnauthorized, Code: "E0000011", Summary: "Invalid token provided"}
	errInvalidSession = &apiError{Status: http.StatusForbidden, Code: "E0000005", Summary: "Invalid session"}
)

func notFound(id, kind string) error {
	return &apiError{Status: http.StatusNotFound, Code: "E0000007",
		Summary: fmt.Sprintf("Not found: Resource not found: %s (%s)", id, kind)}
}

func notFoundPath(path string) error {
	return &apiError{Status: http.StatusNotFound, Code: "E0000007",
		Summary: fmt.Sprintf("Not found: Resource not found: %s (Void)", path)}
}

// validation is Okta's E0000001 with one cause per invalid field ("field: message").
func validation(field string, cause error, causes ...string) error {
	return &apiError{Status: http.StatusBadRequest, Code: "E0000001",
		Summary: "Api validation failed: " + field, Causes: causes, cause: cause}
}

func malformed(cause error) error {
	return &apiError{Status: http.StatusBadRequest, Code: "E0000003",
		Summary: "The request body was not well-formed.", cause: cause}
}

// fromDirectory maps a directory error on an object of the given kind and id; refused settings
// (directory.FieldErrors) become one cause per field, in the directory's words.
func fromDirectory(err error, id, kind, field string) error {
	var fe directory.FieldErrors
	switch {
	case errors.As(err, &fe) && len(fe) > 0:
		causes := make([]string, len(fe))
		for i, f := range fe {
			causes[i] = f.String()
		}
		return validation(fe[0].Field, err, causes...)
	case errors.Is(err, directory.ErrNotFound):
		return notFound(id, kind)
	case errors.Is(err, directory.ErrConflict):
		return validation(field, err, field+": An object with this field already exists in the current organization")
	case errors.Is(err, directory.ErrInvalid), errors.Is(err, directory.ErrLifecycle):
		return validation(field, err, field+": "+err.Error())
	}
	return err
}

type errorCause struct {
	ErrorSummary string `json:"errorSummary"`
}

type errorBody struct {
	ErrorCode    string       `json:"errorCode"`
	ErrorSummary string       `json:"errorSummary"`
	ErrorLink    string       `json:"errorLink"`
	ErrorID      string       `json:"errorId"`
	ErrorCauses  []errorCause `json:"errorCauses"`
}

// writeError is the one place that turns errors into responses.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		a.cfg.Logger.ErrorContext(r.Context(), "management api", "method", r.Method, "path", r.URL.Path, "err", err.Error())
		ae = &apiError{Status: http.StatusInternalServerError, Code: "E0000009", Summary: "Internal Server Error"}
	} else if ae != errInvalidToken && ae != errInvalidSession {
		a.cfg.Logger.InfoContext(r.Context(), "management api refused", "method", r.Method, "path", r.URL.Path, "err", err.Error())
	}
	id, _ := directory.NewSecret(a.cfg.Rand, 22)
	body := errorBody{ErrorCode: ae.Code, ErrorSummary: ae.Summary, ErrorLink: ae.Code, ErrorID: "oae" + id,
		ErrorCauses: []errorCause{}}
	for _, c := range ae.Causes {
		body.ErrorCauses = append(body.ErrorCauses, errorCause{ErrorSummary: c})
	}
	if ae.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `SSWS realm="Okta"`)
	}
	writeJSON(w, ae.Status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decode reads a JSON body (at most 1 MiB).
func decode(r *http.Request, v any) error {
	if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20)).Decode(v); err != nil {
		return malformed(err)
	}
	return nil
}
