package oidcrp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
)

// DiscoverySuffix ends every OpenID Provider metadata URL.
const DiscoverySuffix = "/.well-known/openid-configuration"

// IssuerFromMetadataURL derives the issuer from an OpenID Provider metadata
// URL by stripping DiscoverySuffix. The URL may carry Okta's client-specific
// query, ?client_id=ID, and nothing else.
func IssuerFromMetadataURL(metadataURL string) (string, error) {
	u, err := url.Parse(metadataURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("metadata URL %q is not an absolute http(s) URL", metadataURL)
	}
	q := u.Query()
	if u.Fragment != "" || (u.RawQuery != "" && (len(q) != 1 || len(q["client_id"]) != 1 || q.Get("client_id") == "")) {
		return "", fmt.Errorf("metadata URL %q must not have a fragment or a query other than client_id", metadataURL)
	}
	issuer, ok := strings.CutSuffix(strings.SplitN(metadataURL, "?", 2)[0], DiscoverySuffix)
	if !ok {
		return "", fmt.Errorf("metadata URL %q must end with %s", metadataURL, DiscoverySuffix)
	}
	return issuer, nil
}

// document is the part of the discovery document refapp reads.
type document struct {
	Issuer               string   `json:"issuer"`
	AuthURL              string   `json:"authorization_endpoint"`
	TokenURL             string   `json:"token_endpoint"`
	JWKSURI              string   `json:"jwks_uri"`
	UserInfoURL          string   `json:"userinfo_endpoint"`
	Algorithms           []string `json:"id_token_signing_alg_values_supported"`
	ResponseTypes        []string `json:"response_types_supported"`
	CodeChallengeMethods []string `json:"code_challenge_methods_supported"`
}

// Discover fetches the issuer's discovery document (issuer + DiscoverySuffix); see DiscoverURL.
func Discover(ctx context.Context, client *http.Client, issuer string) (*oidc.Provider, error) {
	return DiscoverURL(ctx, client, issuer+DiscoverySuffix, issuer)
}

// DiscoverURL fetches the discovery document at metadataURL with client and
// checks that it can serve refapp: its issuer is exactly issuer (OIDC
// Discovery 4.3), authorization, token and keys endpoints present, the code
// response type and PKCE S256 supported when listed.
func DiscoverURL(ctx context.Context, client *http.Client, metadataURL, issuer string) (*oidc.Provider, error) {
	p, _, err := discover(ctx, client, metadataURL, issuer)
	return p, err
}

// discover is DiscoverURL, also returning the document.
func discover(ctx context.Context, client *http.Client, metadataURL, issuer string) (*oidc.Provider, document, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, metadataURL, nil)
	if err != nil {
		return nil, document{}, fmt.Errorf("fetch discovery document %s: %w", metadataURL, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, document{}, fmt.Errorf("fetch discovery document %s: %w", metadataURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, document{}, fmt.Errorf("fetch discovery document %s: HTTP %d", metadataURL, resp.StatusCode)
	}
	var d document
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&d); err != nil {
		return nil, document{}, fmt.Errorf("read discovery document %s: %w", metadataURL, err)
	}
	switch {
	case d.Issuer != issuer:
		return nil, document{}, fmt.Errorf("discovery document at %s names issuer %q, expected %q", metadataURL, d.Issuer, issuer)
	case d.AuthURL == "":
		return nil, document{}, errors.New("discovery document has no authorization_endpoint")
	case d.TokenURL == "":
		return nil, document{}, errors.New("discovery document has no token_endpoint")
	case d.JWKSURI == "":
		return nil, document{}, errors.New("discovery document has no jwks_uri")
	case len(d.ResponseTypes) > 0 && !slices.Contains(d.ResponseTypes, "code"):
		return nil, document{}, errors.New("discovery document does not list the code response type")
	case len(d.CodeChallengeMethods) > 0 && !slices.Contains(d.CodeChallengeMethods, "S256"):
		return nil, document{}, errors.New("discovery document does not list PKCE method S256")
	}
	pc := oidc.ProviderConfig{IssuerURL: d.Issuer, AuthURL: d.AuthURL, TokenURL: d.TokenURL, JWKSURL: d.JWKSURI,
		UserInfoURL: d.UserInfoURL, Algorithms: d.Algorithms}
	return pc.NewProvider(oidc.ClientContext(ctx, client)), d, nil
}
