package specs

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ssoconform/ssoconform/harness"
)

// postgresDSNVar names the PostgreSQL database the shared-database specs use (.ci/run sets it).
const postgresDSNVar = "REFAPP_TEST_POSTGRES_DSN"

func (su *Suite) describeSsoSharedDb() {
	Describe("Two refapp instances on one PostgreSQL database", FeaturePostgres, func() {
		It("SSO-SHARED-DB-TWO-INSTANCES: signs in on instance B after the OIDC flow started on instance A",
			ProtocolOIDC, KindRobustness, func(ctx SpecContext) { su.signInAcrossInstances(ctx, "oidc") })
		It("SSO-SHARED-DB-TWO-INSTANCES-SAML: signs in on instance B after the SAML flow started on instance A",
			ProtocolSAML, KindRobustness, func(ctx SpecContext) { su.signInAcrossInstances(ctx, "saml") })
	})
}

// signInAcrossInstances starts SP-initiated SSO on instance A and lets the IdP send the client back to
// instance B: B must find the login attempt (OIDC state, SAML request ID) A stored, record the
// assertion in the shared replay cache (SAML), and make a session both instances know.
func (su *Suite) signInAcrossInstances(ctx SpecContext, protocol string) {
	GinkgoHelper()
	a, b := su.startSharedDBPair(ctx)
	front := su.stack.On(a)
	tn, err := front.NewTenant(ctx, harness.TenantSpec{Name: "shareddb", Protocol: protocol})
	Expect(err).NotTo(HaveOccurred(), "create the organization through instance A")
	u, err := tn.AddOktaUser(ctx, "Dana", "Dual")
	Expect(err).NotTo(HaveOccurred())
	Expect(tn.Assign(ctx, u)).To(Succeed(), "Okta pushes the user to instance A by SCIM")

	By("starting the SSO flow on instance A; Okta sends the client to the shared address, instance B")
	client := harness.HeadlessClient()
	DeferCleanup(client.CloseIdleConnections)
	land, err := harness.AppSignIn(ctx, client, harness.RefAppSSOStart(a.DirectURL, tn.Org), u.Login, tn.Password(u))
	Expect(err).NotTo(HaveOccurred())
	su.savePage(land)
	out, err := su.refApp.Outcome(land)
	Expect(err).NotTo(HaveOccurred())
	Expect(out.SignedIn).To(BeTrue(), "instance B must find the login attempt instance A stored and sign the "+
		"user in; it showed: %q at %s", out.Error, out.URL)
	Expect(land.URL).To(HavePrefix(b.DirectURL+"/"), "the sign-in must have ended on instance B")
	Expect(out.Name).To(Equal("Dana Dual"))

	By("asking instance B, then instance A, who is signed in: the session lives in the shared database")
	for _, inst := range []*harness.RefApp{b, a} {
		me := headlessMember(ctx, client, inst.DirectURL)
		Expect(me.status).To(Equal(200), "instance at %s must know the session", inst.DirectURL)
		Expect(me.Email).To(Equal(u.Login))
		Expect(me.Org).To(Equal(tn.Org))
	}
}

// startSharedDBPair starts two refapp processes on a fresh schema of the PostgreSQL database: B on its
// own address, A told that B's address is the app's public one (two instances behind one address), so
// the IdP sends the browser back to B whichever instance started the flow. The spec is skipped, saying
// why, when REFAPP_TEST_POSTGRES_DSN is unset. The schema is left in the database (named
// ssoconform_spec_<time>_<random>, so it can be dropped by hand).
func (su *Suite) startSharedDBPair(ctx SpecContext) (a, b *harness.RefApp) {
	GinkgoHelper()
	base := os.Getenv(postgresDSNVar)
	if base == "" {
		Skip(postgresDSNVar + " is unset: this spec needs a PostgreSQL database for two refapp instances to share " +
			"(`bash scripts/start-postgres.sh` starts one and prints its DSN; CI sets it)")
	}
	dsn, err := dsnWithSchema(base, fmt.Sprintf("ssoconform_spec_%d_%s", time.Now().Unix(), randomHex(4)))
	Expect(err).NotTo(HaveOccurred())
	dir := GinkgoT().TempDir()
	start := func(name string, cfg harness.RefAppConfig) *harness.RefApp {
		GinkgoHelper()
		cfg.Bin, cfg.Dir, cfg.DB = su.stack.App.Bin(), filepath.Join(dir, name), dsn
		Expect(os.MkdirAll(cfg.Dir, 0o755)).To(Succeed())
		app, err := harness.StartRefApp(ctx, cfg)
		Expect(err).NotTo(HaveOccurred(), "start refapp instance %s on PostgreSQL", name)
		DeferCleanup(func(ctx SpecContext) {
			if CurrentSpecReport().Failed() {
				AddReportEntry("refapp instance "+name+" log", app.Log(4000), ReportEntryVisibilityFailureOrVerbose)
			}
			Expect(app.Stop(ctx)).To(Succeed())
		}, NodeTimeout(30*time.Second))
		return app
	}
	b = start("b", harness.RefAppConfig{})
	a = start("a", harness.RefAppConfig{BaseURL: b.URL})
	return a, b
}

// dsnWithSchema adds pgstore's schema parameter to a postgres:// URL or a keyword/value DSN.
func dsnWithSchema(dsn, schema string) (string, error) {
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return "", fmt.Errorf("%s must be a postgres:// URL (refapp --db takes only those)", postgresDSNVar)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("%s is not a URL", postgresDSNVar) // the parse error would show the password
	}
	q := u.Query()
	q.Set("schema", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
