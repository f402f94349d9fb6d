package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/ssoconform/ssoconform/mockidp"
	"github.com/ssoconform/ssoconform/mockidp/fixture"
)

// summary is what serve prints (as text, or as JSON with --print-json).
type summary struct {
	Orgs []orgSummary `json:"orgs"`
}

type orgSummary struct {
	Name                string        `json:"name"`
	BaseURL             string        `json:"baseUrl"`
	DiscoveryURL        string        `json:"discoveryUrl"`
	DefaultDiscoveryURL string        `json:"defaultDiscoveryUrl"`
	ConsoleURL          string        `json:"consoleUrl"`
	ConsolePassword     string        `json:"consolePassword"`
	APIToken            string        `json:"apiToken"`
	Apps                []appSummary  `json:"apps"`
	Users               []userSummary `json:"users"`
}

type appSummary struct {
	ID           string   `json:"id"`
	Label        string   `json:"label"`
	SignOnMode   string   `json:"signOnMode"`
	ClientID     string   `json:"clientId,omitempty"`
	ClientSecret string   `json:"clientSecret,omitempty"`
	RedirectURIs []string `json:"redirectUris,omitempty"`
	MetadataURL  string   `json:"samlMetadataUrl,omitempty"`
	SSOURL       string   `json:"samlSsoUrl,omitempty"`
	EntityID     string   `json:"samlEntityId,omitempty"`
}

type userSummary struct {
	Login    string `json:"login"`
	Status   string `json:"status"`
	Password string `json:"password,omitempty"`
}

func summarise(idp *mockidp.Server, f *fixture.File) summary {
	passwords := map[string]string{} // org/login -> password
	for _, fo := range f.Orgs {
		for _, u := range fo.Users {
			passwords[fo.Name+"/"+u.Login] = u.Password
		}
	}
	var s summary
	for _, org := range idp.Orgs() {
		o := orgSummary{Name: org.Name(), BaseURL: org.BaseURL(), DiscoveryURL: org.DiscoveryURL(),
			DefaultDiscoveryURL: org.DefaultIssuer() + "/.well-known/openid-configuration",
			ConsoleURL:          org.ConsoleURL(), ConsolePassword: org.ConsolePassword(), APIToken: org.APIToken()}
		saml := map[string]mockidp.SAMLApp{}
		for _, a := range org.SAMLApps() {
			saml[a.ID] = a
		}
		for _, a := range org.Apps() {
			as := appSummary{ID: a.ID, Label: a.Label, SignOnMode: a.SignOnMode, ClientID: a.ClientID,
				ClientSecret: a.ClientSecret, RedirectURIs: a.RedirectURIs}
			if sa, ok := saml[a.ID]; ok {
				as.MetadataURL, as.SSOURL, as.EntityID = sa.MetadataURL, sa.SSOURL, sa.EntityID
			}
			o.Apps = append(o.Apps, as)
		}
		for _, u := range org.Users() {
			o.Users = append(o.Users, userSummary{Login: u.Login, Status: u.Status,
				Password: passwords[org.Name()+"/"+u.Login]})
		}
		s.Orgs = append(s.Orgs, o)
	}
	return s
}

// printOrgs tells a developer how to point an app at each org.
func printOrgs(w io.Writer, idp *mockidp.Server, f *fixture.File, asJSON bool) error {
	s := summarise(idp, f)
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	for _, o := range s.Orgs {
		fmt.Fprintf(w, "org %s\n  base URL (issuer): %s\n  discovery:         %s\n  default AS:        %s\n",
			o.Name, o.BaseURL, o.DiscoveryURL, o.DefaultDiscoveryURL)
		fmt.Fprintf(w, "  console:           %s (password %s, or the API token)\n  API token:         SSWS %s\n",
			o.ConsoleURL, o.ConsolePassword, o.APIToken)
		for _, a := range o.Apps {
			printApp(w, a)
		}
		fmt.Fprintf(w, "  users:\n")
		for _, u := range o.Users {
			pw := u.Password
			if pw == "" {
				pw = "(not from the fixture)"
			}
			fmt.Fprintf(w, "    %-30s %-14s password: %s\n", u.Login, u.Status, pw)
		}
	}
	return nil
}

func printApp(w io.Writer, a appSummary) {
	fmt.Fprintf(w, "  app %q (%s)\n", a.Label, a.SignOnMode)
	if a.MetadataURL != "" {
		fmt.Fprintf(w, "    IdP metadata:  %s\n    IdP SSO URL:   %s\n    IdP issuer:    %s\n",
			a.MetadataURL, a.SSOURL, a.EntityID)
		return
	}
	fmt.Fprintf(w, "    client id:     %s\n    client secret: %s\n", a.ClientID, a.ClientSecret)
	for _, r := range a.RedirectURIs {
		fmt.Fprintf(w, "    redirect URI:  %s\n", r)
	}
}
