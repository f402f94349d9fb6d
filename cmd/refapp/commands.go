package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ssoconform/ssoconform/refapp"
	"github.com/ssoconform/ssoconform/refapp/admin"
)

// cli holds the streams of one invocation.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// parse parses flags and checks that every required flag is set.
func parse(stderr io.Writer, fs *flag.FlagSet, args []string, required ...string) error {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return flag.ErrHelp
		}
		return fmt.Errorf("%s: %w", fs.Name(), errUsage)
	}
	if fs.NArg() > 0 {
		return usageErr(stderr, fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0)))
	}
	for _, name := range required {
		if fs.Lookup(name).Value.String() == "" {
			return usageErr(stderr, fmt.Sprintf("%s: --%s is required", fs.Name(), name))
		}
	}
	return nil
}

// helpOK turns a -h request into success.
func helpOK(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

// readSecret reads a secret from a file, or from stdin when path is "-".
// Trailing newlines are dropped.
func (c *cli) readSecret(what, path string) (string, error) {
	var b []byte
	var err error
	if path == "-" {
		b, err = io.ReadAll(io.LimitReader(c.stdin, 64<<10))
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return "", fmt.Errorf("read %s: %w", what, err)
	}
	s := string(bytes.TrimRight(b, "\r\n"))
	if s == "" {
		return "", fmt.Errorf("read %s: it is empty", what)
	}
	return s, nil
}

// withAdmin opens the store named by dsn and runs fn with an Admin on it.
func withAdmin(ctx context.Context, dsn string, fn func(*admin.Admin) error) error {
	st, err := refapp.OpenStore(ctx, dsn)
	if err != nil {
		return err
	}
	a, err := admin.New(admin.Config{Store: st, OnSSOSaved: inviteMembers(st)})
	if err != nil {
		st.Close()
		return err
	}
	err = fn(a)
	if cerr := st.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close database: %w", cerr)
	}
	return err
}

func (c *cli) orgCreate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("org create", flag.ContinueOnError)
	db := fs.String("db", "", "database, sqlite:PATH")
	name := fs.String("name", "", "organization name")
	plan := fs.String("plan", "", "plan: free, pro or enterprise")
	email := fs.String("admin-email", "", "email of the first admin")
	pwFile := fs.String("admin-password-file", "", `file holding the admin's password, or "-" for stdin`)
	if err := parse(c.stderr, fs, args, "db", "name", "plan", "admin-email", "admin-password-file"); err != nil {
		return helpOK(err)
	}
	pw, err := c.readSecret("admin password", *pwFile)
	if err != nil {
		return err
	}
	return withAdmin(ctx, *db, func(a *admin.Admin) error {
		org, err := a.CreateOrg(ctx, admin.OrgInput{Name: *name, Plan: *plan, AdminEmail: *email, AdminPassword: pw})
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "organization %s created on the %s plan\n", org.Name, org.Plan)
		return nil
	})
}

func (c *cli) apikeyCreate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("apikey create", flag.ContinueOnError)
	db := fs.String("db", "", "database, sqlite:PATH")
	org := fs.String("org", "", "organization name")
	scopes := fs.String("scopes", "", "comma-separated scopes: scim, org:read, org:write")
	owner := fs.String("owner", "", "email of the member who owns the key (a personal key); omit for an organization key")
	if err := parse(c.stderr, fs, args, "db", "org", "scopes"); err != nil {
		return helpOK(err)
	}
	return withAdmin(ctx, *db, func(a *admin.Admin) error {
		key, err := a.CreatePersonalAPIKey(ctx, *org, *owner, strings.Split(*scopes, ","))
		if err != nil {
			return err
		}
		fmt.Fprintln(c.stdout, key)
		return nil
	})
}

func (c *cli) ssoSet(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("sso set", flag.ContinueOnError)
	db := fs.String("db", "", "database, sqlite:PATH")
	in := admin.SSOInput{}
	fs.StringVar(&in.Org, "org", "", "organization name")
	fs.StringVar(&in.Protocol, "protocol", "", "oidc or saml")
	fs.StringVar(&in.MetadataURL, "metadata-url", "", "OIDC: OpenID Provider metadata URL (.../.well-known/openid-configuration); SAML: Identity Provider metadata URL")
	fs.StringVar(&in.ClientID, "client-id", "", "OIDC: client ID of the Okta app")
	secretFile := fs.String("client-secret-file", "", `OIDC: file holding the client secret, or "-" for stdin`)
	fs.StringVar(&in.EntityID, "entity-id", "", "SAML: the IdP entity ID the metadata must name (default: checked against an Okta metadata URL)")
	fs.StringVar(&in.DefaultRole, "default-role", "", "role of members created at SSO login: admin, member or viewer")
	fs.BoolVar(&in.Sync, "sync", false, `"Sync the group & users from your SSO provider": allow SCIM provisioning`)
	fs.BoolVar(&in.Enforce, "enforce", false, `"Require your organization members to use SSO to access"`)
	err := parse(c.stderr, fs, args, "db", "org", "protocol", "metadata-url", "default-role")
	if err != nil {
		return helpOK(err)
	}
	if in.Protocol == "oidc" {
		if in.ClientID == "" || *secretFile == "" {
			return usageErr(c.stderr, "sso set: --client-id and --client-secret-file are required for --protocol oidc")
		}
		if in.ClientSecret, err = c.readSecret("client secret", *secretFile); err != nil {
			return err
		}
	}
	return withAdmin(ctx, *db, func(a *admin.Admin) error {
		if err := a.SetSSO(ctx, in); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "SSO (%s) saved for organization %s; SCIM sync %s; SSO required %s\n", in.Protocol, in.Org,
			onOff(in.Sync), onOff(in.Enforce))
		return nil
	})
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func (c *cli) ssoShow(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("sso show", flag.ContinueOnError)
	db := fs.String("db", "", "database, sqlite:PATH")
	org := fs.String("org", "", "organization name")
	baseURL := fs.String("base-url", "", "the app's base URL, as given to serve")
	if err := parse(c.stderr, fs, args, "db", "org", "base-url"); err != nil {
		return helpOK(err)
	}
	if err := refapp.ValidateBaseURL(*baseURL); err != nil {
		return usageErr(c.stderr, "sso show: "+err.Error())
	}
	return withAdmin(ctx, *db, func(a *admin.Admin) error {
		v, err := a.ShowSSO(ctx, *org, *baseURL)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
}
