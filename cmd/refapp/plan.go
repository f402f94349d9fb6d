package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/ssoconform/ssoconform/refapp/admin"
)

// orgPlan is `refapp org plan`: support moves an organization to another plan.
func (c *cli) orgPlan(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("org plan", flag.ContinueOnError)
	db := fs.String("db", "", "database, sqlite:PATH")
	org := fs.String("org", "", "organization name")
	plan := fs.String("plan", "", "plan: free, pro or enterprise")
	if err := parse(c.stderr, fs, args, "db", "org", "plan"); err != nil {
		return helpOK(err)
	}
	return withAdmin(ctx, *db, func(a *admin.Admin) error {
		o, err := a.SetPlan(ctx, *org, *plan)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "organization %s is now on the %s plan\n", o.Name, o.Plan)
		return nil
	})
}
