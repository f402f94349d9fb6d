package main

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/ssoconform/ssoconform/refapp"
	"github.com/ssoconform/ssoconform/refapp/admin"
	"github.com/ssoconform/ssoconform/refapp/linking"
	"github.com/ssoconform/ssoconform/refapp/store"
)

// inviteMembers is admin.Config.OnSSOSaved for the CLI: saving SSO queues the account-linking emails in
// the outbox; the serving refapp (with --smtp-url) sends them, with its own base URL.
func inviteMembers(st store.Store) func(ctx context.Context, orgID string) error {
	return func(ctx context.Context, orgID string) error {
		inv, err := linking.New(linking.Config{Store: st})
		if err != nil {
			return err
		}
		_, err = inv.Invite(ctx, orgID)
		return err
	}
}

func (c *cli) memberAdd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("member add", flag.ContinueOnError)
	db := fs.String("db", "", "database, sqlite:PATH")
	in := admin.MemberInput{}
	fs.StringVar(&in.Org, "org", "", "organization name")
	fs.StringVar(&in.Email, "email", "", "the member's email")
	fs.StringVar(&in.Name, "name", "", "the member's name")
	fs.StringVar(&in.Role, "role", "member", "admin, member or viewer")
	pwFile := fs.String("password-file", "", `file holding an initial password, or "-" for stdin (omit: SSO only)`)
	invite := fs.Bool("invite", false, "queue an email asking the member to link their Okta profile (needs SSO set)")
	if err := parse(c.stderr, fs, args, "db", "org", "email"); err != nil {
		return helpOK(err)
	}
	if *pwFile != "" {
		var err error
		if in.Password, err = c.readSecret("initial password", *pwFile); err != nil {
			return err
		}
	}
	st, err := refapp.OpenStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	a, err := admin.New(admin.Config{Store: st})
	if err != nil {
		return err
	}
	m, err := a.AddMember(ctx, in)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%s added to %s as %s\n", m.Email, in.Org, m.Role)
	if !*invite {
		return nil
	}
	inv, err := linking.New(linking.Config{Store: st})
	if err != nil {
		return err
	}
	n, err := inv.Invite(ctx, m.OrgID, m.ID)
	if err != nil {
		return fmt.Errorf("invite %s: %w", m.Email, err)
	}
	fmt.Fprintf(c.stdout, "%d linking email(s) queued\n", n)
	return nil
}

func (c *cli) memberRemove(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("member remove", flag.ContinueOnError)
	db := fs.String("db", "", "database, sqlite:PATH")
	org := fs.String("org", "", "organization name")
	email := fs.String("email", "", "the member's email")
	if err := parse(c.stderr, fs, args, "db", "org", "email"); err != nil {
		return helpOK(err)
	}
	return withAdmin(ctx, *db, func(a *admin.Admin) error {
		if err := a.RemoveMember(ctx, *org, *email); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%s removed from %s\n", *email, *org)
		return nil
	})
}

func (c *cli) memberRole(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("member role", flag.ContinueOnError)
	db := fs.String("db", "", "database, sqlite:PATH")
	org := fs.String("org", "", "organization name")
	email := fs.String("email", "", "the member's email")
	role := fs.String("role", "", "admin, member or viewer")
	if err := parse(c.stderr, fs, args, "db", "org", "email", "role"); err != nil {
		return helpOK(err)
	}
	return withAdmin(ctx, *db, func(a *admin.Admin) error {
		m, err := a.SetRole(ctx, *org, *email, *role)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%s is now %s in %s\n", m.Email, m.Role, *org)
		return nil
	})
}

func (c *cli) memberList(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("member list", flag.ContinueOnError)
	db := fs.String("db", "", "database, sqlite:PATH")
	org := fs.String("org", "", "organization name")
	if err := parse(c.stderr, fs, args, "db", "org"); err != nil {
		return helpOK(err)
	}
	return withAdmin(ctx, *db, func(a *admin.Admin) error {
		ms, err := a.ListMembers(ctx, *org)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "EMAIL\tNAME\tROLE\tSTATUS")
		for _, m := range ms {
			status := "active"
			if !m.Active {
				status = "deactivated"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.Email, m.DisplayName, m.Role, status)
		}
		return tw.Flush()
	})
}

func (c *cli) ssoReset(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("sso reset", flag.ContinueOnError)
	db := fs.String("db", "", "database, sqlite:PATH")
	org := fs.String("org", "", "organization name")
	disconnect := fs.Bool("disconnect", false, "also remove the SSO connection")
	if err := parse(c.stderr, fs, args, "db", "org"); err != nil {
		return helpOK(err)
	}
	return withAdmin(ctx, *db, func(a *admin.Admin) error {
		if err := a.ResetSSO(ctx, *org, *disconnect); err != nil {
			return err
		}
		msg := "SSO enforcement lifted"
		if *disconnect {
			msg += " and SSO connection removed"
		}
		fmt.Fprintf(c.stdout, "%s for organization %s; members may sign in with their passwords\n", msg, *org)
		return nil
	})
}
