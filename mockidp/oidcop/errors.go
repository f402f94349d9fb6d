package oidcop

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// Error is an OAuth error as Okta reports it. Code and Description are the
// public text (from Okta's published catalogue oauth2-error-codes.json, with
// its {0} placeholders filled in); Cause is private and only logged.
type Error struct {
	Status      int    // HTTP status when the error is not delivered by redirect
	Code        string // the "error" value, e.g. invalid_grant
	Description string // the "error_description" value
	// APIShape sends the error in Okta's management-API body ({errorCode, errorSummary, errorLink,
	// errorId, errorCauses}) instead of {error, error_description}: Okta answers so at /token,
	// /introspect and /revoke when the client_id names no client.
	APIShape bool
	Cause    error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Description, e.Cause)
	}
	return e.Code + ": " + e.Description
}

func (e *Error) Unwrap() error { return e.Cause }

// withCause returns a copy of e carrying a private cause.
func (e *Error) withCause(err error) *Error {
	c := *e
	c.Cause = err
	return &c
}

func oauthErr(status int, code, desc string) *Error {
	return &Error{Status: status, Code: code, Description: desc}
}

// The errors this provider emits; the internal name in Okta's catalogue is
// given where it differs from the variable name.
var (
	// /authorize, rendered on Okta's error page (never redirected).
	errInvalidClientID    = oauthErr(400, "invalid_client", "Invalid value for 'client_id' parameter.")
	errIllegalRedirectURI = oauthErr(400, "invalid_request", "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings.")

	// /authorize, redirected to the client.
	errUnsupportedResponseType = oauthErr(400, "unsupported_response_type", "The response type is not supported by the authorization server. Configured response types: [code].")
	errUnsupportedResponseMode = oauthErr(400, "unsupported_response_mode", "The response mode is not supported by the authorization server. Valid response modes: [query, fragment, form_post, okta_post_message].")
	errOpenIDScopeRequired     = oauthErr(400, "invalid_scope", "Requests for ID tokens or access tokens with OpenID scopes require the 'openid' scope.") // openid_scope_required
	errInvalidScope            = oauthErr(400, "invalid_scope", "The requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner.")
	errInvalidState            = oauthErr(400, "invalid_request", "The authentication request has an invalid 'state' parameter.")
	errPKCEMethod              = oauthErr(400, "invalid_request", "PKCE code challenge method is not supported. Valid values: [S256]") // pkce_unsupported_code_challenge_method
	errPKCEChallenge           = oauthErr(400, "invalid_request", "PKCE code challenge contains illegal characters.")                  // pkce_invalid_challenge
	errLoginRequired           = oauthErr(400, "login_required", "The client specified not to prompt, but the user is not logged in.")
	errInvalidNonce            = oauthErr(400, "invalid_request", "The 'nonce' parameter is required for authorize requests with either the 'id_token' or 'token' response types..")
	errOktaPostMessageWithCode = oauthErr(400, "unsupported_response_mode", "'okta_post_message' response mode cannot be used with the 'code' response type.")
	errInvalidPrompt           = oauthErr(400, "invalid_request", "Invalid value for 'prompt' parameter. Supported values: [none, consent, login, enroll_authenticator]")
	errInvalidMaxAge           = oauthErr(400, "invalid_request", "Invalid value for 'max_age' parameter. It should be within range 0 - 2^31-1.")
	errPromptNoneZeroMaxAge    = oauthErr(400, "invalid_request", "'prompt' parameter must not have the value 'none' for request with 'zero' as max_age.") // invalid_prompt_for_zero_max_age
	errPKCEMissingChallenge    = oauthErr(400, "invalid_request", "PKCE code challenge is required by the application.")
	errMFARequired             = oauthErr(400, "interaction_required", "The user must authenticate with the authorization server for the request to proceed.") // oauth_sts_interaction_required
	errUserNotAssigned         = oauthErr(400, "access_denied", "User is not assigned to the client application.")                                             // user_not_assigned

	// /token.
	errMissingCredentials  = oauthErr(401, "invalid_client", "No client credentials found.")
	errInvalidBasicAuth    = oauthErr(401, "invalid_client", "Found Authentication header but was not valid client credentials.")
	errClientAuthFailed    = oauthErr(401, "invalid_client", "Client authentication failed. Either the client or the client credentials are invalid.")
	errInvalidSecret       = oauthErr(401, "invalid_client", "The client secret supplied for a confidential client is invalid.") // invalid_client_secret
	errUnknownClient       = &Error{Status: 401, Code: "invalid_client", Description: "Invalid value for 'client_id' parameter.", APIShape: true}
	errMultipleCredentials = oauthErr(401, "invalid_request", "Cannot supply multiple client credentials. Use one of the following: credentials in the Authorization header, credentials in the post body, or a client_assertion in the post body.")
	errMissingGrantType    = oauthErr(400, "invalid_request", "The token request must specify a 'grant_type'. Valid values: [authorization_code]")
	errUnsupportedGrant    = oauthErr(400, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server. Configured grant types: [authorization_code].")
	errMissingCode         = oauthErr(400, "invalid_request", "The required parameter 'code' is missing.") // missing_token_request_parameter
	errInvalidCode         = oauthErr(400, "invalid_grant", "The authorization code is invalid or has expired.")
	errMismatchedClient    = oauthErr(400, "invalid_grant", "The grant was issued to another client. Please make sure the 'client_id' matches the one used at the authorize request.")
	errMismatchedRedirect  = oauthErr(400, "invalid_grant", "The 'redirect_uri' does not match the redirection URI used in the authorization request.")
	errPKCEFailed          = oauthErr(400, "invalid_grant", "PKCE verification failed.")
	errPKCEMissingVerifier = oauthErr(400, "invalid_request", "PKCE code verifier is required by the application.")
	errPKCENoChallenge     = oauthErr(400, "invalid_request", "PKCE code challenge should be specified in the authorize request for code verification.")
	errDuplicateParams     = oauthErr(400, "invalid_request", "The request contained multiple parameters with the same name.") // duplicate_oauth_params
	errCredentialsInQuery  = oauthErr(400, "invalid_request", "Client credentials cannot be supplied via query parameters.")   // client_credentials_in_query
	errAssertionType       = oauthErr(400, "invalid_request", "The client_assertion_type is invalid.")                         // client_assertion_type_invalid
	errMissingToken        = oauthErr(400, "invalid_request", "The 'token' parameter is required.")                            // request_missing_token

	// Client assertions (private_key_jwt, client_secret_jwt).
	errAssertionJWT       = oauthErr(401, "invalid_client", "The parsing of the client_assertion failed.")
	errAssertionIssuer    = oauthErr(401, "invalid_client", "The issuer claim for client_assertion is not a valid client_id.")
	errAssertionSubject   = oauthErr(401, "invalid_client", "The subject claim for client_assertion is not a valid client_id.")
	errAssertionAudience  = oauthErr(401, "invalid_client", "The audience claim for client_assertion must be the endpoint invoked for the request.")
	errAssertionNoExp     = oauthErr(401, "invalid_client", "The client_assertion must contain the 'exp' claim as seconds since epoch.")
	errAssertionExpired   = oauthErr(401, "invalid_client", "The client_assertion token is expired.")
	errAssertionTooLong   = oauthErr(401, "invalid_client", "The client_assertion token has an expiration too far into the future.")
	errAssertionIatFuture = oauthErr(401, "invalid_client", "The client_assertion token must be issued before the current time.")
	errAssertionReplayed  = oauthErr(401, "invalid_client", "The client_assertion token has already been used.")
	errAssertionSignature = oauthErr(401, "invalid_client", "The client_assertion signature is invalid.")
	errAssertionKid       = oauthErr(401, "invalid_client", "The client_assertion JWT kid is invalid.")
	errAssertionAlg       = oauthErr(401, "invalid_client", "The client_assertion JWT signature algorithm is invalid.")
	errAssertionNoJWKS    = oauthErr(401, "invalid_client", "The client does not have a JWKSet configured, but the client_assertion requires one.")
	errAssertionBadJWKS   = oauthErr(401, "invalid_client", "The client JWKSet is invalid.")
	errAssertionShortKey  = oauthErr(401, "invalid_client", "The client secret is too short to verify a JWT HMAC.")

	// /logout, rendered on the error page.
	errMissingIDTokenHint   = oauthErr(400, "invalid_request", "The required parameter 'id_token_hint' is missing.")
	errIDTokenHintParse     = oauthErr(400, "invalid_request", "The id_token_hint cannot be parsed.")
	errIDTokenHintSignature = oauthErr(400, "invalid_request", "The id_token_hint signature is invalid.")
	errIDTokenHintIssuer    = oauthErr(400, "invalid_request", "The issuer of the id_token_hint is invalid.")
	errIDTokenHintAudience  = oauthErr(400, "invalid_request", "The audience of the id_token_hint is invalid.")
	errIllegalLogoutURI     = oauthErr(400, "invalid_request", "The 'post_logout_redirect_uri' parameter must be a Logout redirect URI in the client app settings.")
	errHintSessionMismatch  = oauthErr(400, "id_token_does_not_match_session", "The ID token subject does not match the current session's user.")

	// /userinfo (bearer errors, reported in WWW-Authenticate).
	errAccessTokenInvalid = oauthErr(401, "invalid_token", "The access token is invalid.")
	errAccessTokenMissing = oauthErr(401, "invalid_request", "The access token is missing.")
	errAccessTokenInQuery = oauthErr(400, "invalid_request", "The access token cannot be presented in a query string.")
	errInsufficientScope  = oauthErr(403, "insufficient_scope", "The access token provided does not contain the required scopes.")
)

// The rest of this file is the one place that turns errors into responses.

// asOAuth converts any error into an *Error, hiding unexpected causes behind
// a generic server_error.
func asOAuth(err error) *Error {
	if e, ok := errors.AsType[*Error](err); ok {
		return e
	}
	return &Error{Status: http.StatusInternalServerError, Code: "server_error",
		Description: "The authorization server encountered an unexpected condition.", Cause: err}
}

// writeJSONError writes Okta's JSON error body ({error, error_description}).
func (p *Provider) writeJSONError(w http.ResponseWriter, r *http.Request, err error) {
	e := asOAuth(err)
	p.cfg.Logger.InfoContext(r.Context(), "oauth error", "path", r.URL.Path, "error", e.Code, "cause", e.Cause)
	w.Header().Set("Cache-Control", "no-cache, no-store")
	w.Header().Set("Pragma", "no-cache")
	if e.APIShape {
		p.writeAPIError(w, e.Status, e.Code, e.Description)
		return
	}
	writeJSON(w, e.Status, struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}{e.Code, e.Description})
}

// writeBearerError answers a protected-resource request the way Okta does:
// status, a WWW-Authenticate challenge and an empty body.
func (p *Provider) writeBearerError(w http.ResponseWriter, r *http.Request, as *authServer, err error) {
	e := asOAuth(err)
	p.cfg.Logger.InfoContext(r.Context(), "bearer error", "path", r.URL.Path, "error", e.Code, "cause", e.Cause)
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(
		`Bearer authorization_uri="%s", realm="%s", scope="openid", error="%s", error_description="%s", resource="%s"`,
		p.endpoint(as, "/authorize"), as.issuer, e.Code, e.Description, as.prefix+"/v1/userinfo"))
	w.Header().Set("Access-Control-Expose-Headers", "WWW-Authenticate")
	w.WriteHeader(e.Status)
}

// writeErrorPage renders Okta's error page for /authorize errors that must
// not be redirected (unknown client, unregistered redirect URI).
func (p *Provider) writeErrorPage(w http.ResponseWriter, r *http.Request, err error) {
	e := asOAuth(err)
	p.cfg.Logger.InfoContext(r.Context(), "authorize error page", "error", e.Code, "cause", e.Cause)
	p.renderPage(w, e.Status, errorPage{
		OrgName: p.cfg.OrgName, Status: e.Status, StatusText: http.StatusText(e.Status),
		Code: e.Code, Description: e.Description,
	})
}

// redirectError sends an /authorize error back to the client's redirect URI.
func (p *Provider) redirectError(w http.ResponseWriter, r *http.Request, req *authRequest, err error) {
	e := asOAuth(err)
	p.cfg.Logger.InfoContext(r.Context(), "authorize error", "client_id", req.ClientID, "error", e.Code, "cause", e.Cause)
	v := url.Values{"error": {e.Code}, "error_description": {e.Description}}
	if req.State != "" {
		v.Set("state", req.State)
	}
	p.deliver(w, req, v)
}

// writeNotFound answers a request for an unknown authorization server with
// Okta's management-API 404 body (E0000007).
func (p *Provider) writeNotFound(w http.ResponseWriter, r *http.Request, id string) {
	p.cfg.Logger.InfoContext(r.Context(), "unknown authorization server", "id", id)
	p.writeAPIError(w, http.StatusNotFound, "E0000007", "Not found: Resource not found: "+id+" (AuthorizationServer)")
}

// writeAPIError writes Okta's management-API error body; errorLink repeats the code, as on Okta.
func (p *Provider) writeAPIError(w http.ResponseWriter, status int, code, summary string) {
	errID, err := p.randomToken(16)
	if err != nil {
		errID = "unavailable"
	}
	writeJSON(w, status, struct {
		ErrorCode    string   `json:"errorCode"`
		ErrorSummary string   `json:"errorSummary"`
		ErrorLink    string   `json:"errorLink"`
		ErrorID      string   `json:"errorId"`
		ErrorCauses  []string `json:"errorCauses"`
	}{code, summary, code, "oae" + errID[:min(len(errID), 22)], []string{}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client went away: nothing to do
}
