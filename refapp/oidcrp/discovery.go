package oidcrp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
)

// DiscoverySuffix ends every OpenID Provider metadata URL.
const DiscoverySuffix = "/.well-known/openid-configuration"

// IssuerFromMetadataURL derives the issuer from an OpenID Provider metadata
// URL by stripping DiscoverySuffix.
func IssuerFromMetadataURL(metadataURL string) (string, error) {
	u, err := url.Parse(metadataURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("metadata URL %q is not an absolute http(s) URL", metadataURL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("metadata URL %q must not have a query or fragment", metadataURL)
	}
	issuer, ok := strings.CutSuffix(metadataURL, DiscoverySuffix)
	if !ok {
		return "", fmt.Errorf("metadata URL %q must end with %s", metadataURL, DiscoverySuffix)
	}
	return issuer, nil
}

type discoveryExtras struct {
	JWKSURI              string   `json:"jwks_uri"`
	ResponseTypes        []string `json:"response_types_supported"`
	CodeChallengeMethods []string `json:"code_challenge_methods_supported"`
}

// Discover fetches the issuer's discovery document with client and checks that
// it can serve refapp: issuer matches, authorization, token and keys endpoints
// present, the code response type and PKCE S256 supported when listed.
func Discover(ctx context.Context, client *http.Client, issuer string) (*oidc.Provider, error) {
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, client), issuer)
	if err != nil {
		var mismatch *oidc.IssuerMismatchError
		if errors.As(err, &mismatch) {
			return nil, fmt.Errorf("discovery document at %s names issuer %q, expected %q",
				issuer+DiscoverySuffix, mismatch.Discovered, mismatch.Provided)
		}
		return nil, fmt.Errorf("fetch discovery document %s: %w", issuer+DiscoverySuffix, err)
	}
	var ex discoveryExtras
	if err := p.Claims(&ex); err != nil {
		return nil, fmt.Errorf("read discovery document %s: %w", issuer+DiscoverySuffix, err)
	}
	ep := p.Endpoint()
	switch {
	case ep.AuthURL == "":
		return nil, errors.New("discovery document has no authorization_endpoint")
	case ep.TokenURL == "":
		return nil, errors.New("discovery document has no token_endpoint")
	case ex.JWKSURI == "":
		return nil, errors.New("discovery document has no jwks_uri")
	case len(ex.ResponseTypes) > 0 && !slices.Contains(ex.ResponseTypes, "code"):
		return nil, errors.New("discovery document does not list the code response type")
	case len(ex.CodeChallengeMethods) > 0 && !slices.Contains(ex.CodeChallengeMethods, "S256"):
		return nil, errors.New("discovery document does not list PKCE method S256")
	}
	return p, nil
}
