package specs

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ssoconform/ssoconform/harness"
)

// The SSO catalogue against any app (Config.App, a harness.App; RunSSO and `ssoconform sso`): for each
// protocol the app signs in with, a sign-in spec and one spec per fault of the mock's catalogue
// (harness.IdPFaults). Everything runs without a browser: the mock's sign-in page and SAML post form
// are driven by HTTP (harness.AppSignIn) and the app is asked who is signed in (App.Identity), which is
// what tells a refusal from a sign-in.
//
// The reference suite (`make conformance`, no Config.App) runs the fault specs against refapp through
// refappdriver.App, headless like any app: a refusal is judged by refapp's error page and by /api/v1/me,
// not by how the page looks, so no browser is needed (the browser is kept for what a person sees: the
// login path, the settings pages, the linking mail, a sign-in per protocol and refusals shown to a user,
// such as OIDC-NEG-CLIENT-SECRET and SSO-UNASSIGNED-*). Its sign-in rule is owned by the browser specs
// OIDC-SSO-PUSH-SIGNIN and SAML-SSO-PUSH-SIGNIN, so the catalogue's X-SSO-SIGNIN is left out there, and
// a SCIM run has none of it. Levels (scim_levels.go) weigh a failure in the
// verdict of the run's profile (Config.Profile, `ssoconform sso --profile`) as they do for SCIM: a
// refusal that matters for security with Okta as the IdP, a MUST of the protocols or a defence against
// a known attack, is Level:okta and counts in every profile; a MUST that only a broken IdP could break
// (protocolOnlyFaults) is Level:must, counted by the rfc profile and a warning in the okta ones; a
// SHOULD, a MAY or a policy (recommendedFaults) is Level:should and only warns. okta-oin and okta-aiw
// weigh the catalogue alike: Okta signs users in the same way for both. Two faults are not judged,
// since the rule allows both outcomes: oidc-kid-missing (an RP may try every key, OIDC Core 10.1) and
// oidc-iat-week-old (a warning only, FAPI iat-is-week-in-past).
func (su *Suite) describeCatalogue() {
	text, labels := "SSO catalogue", Labels{Catalogue[0]}
	if su.cfg.App != nil {
		text, labels = text+" ["+string(su.cfg.Profile)+"]", append(labels, ProfileLabel(su.cfg.Profile)...)
	}
	Describe(text, labels, func() {
		if su.cfg.SCIM != nil {
			return // a SCIM run
		}
		protocols := su.cfg.Protocols
		if su.cfg.App == nil {
			protocols = refAppProtocols // the reference suite: refapp, through refappdriver.App
		}
		for _, protocol := range protocols {
			label := ProtocolOIDC
			if protocol == "saml" {
				label = ProtocolSAML
			}
			Describe(strings.ToUpper(protocol), label, func() {
				if su.cfg.App != nil {
					It(strings.ToUpper(protocol)+"-SSO-SIGNIN: an assigned user signs in SP-initiated and the app names them",
						KindPositive, LevelRequired, func(ctx SpecContext) {
							su.catalogueSignIn(ctx, su.cfg.App, protocol)
						})
				}
				for _, f := range harness.IdPFaults() {
					if !strings.HasPrefix(f.Name, protocol+"-") || slices.Contains(notJudged, f.Name) {
						continue
					}
					shape, ok := catalogueShapes[f.Name]
					if strings.HasPrefix(f.Name, "saml-xsw") {
						shape, ok = (*Suite).catalogueNotImpersonated, true
					}
					if !ok {
						shape = (*Suite).catalogueRefused
					}
					id := strings.ToUpper(protocol) + "-NEG-" + strings.ToUpper(strings.TrimPrefix(f.Name, protocol+"-"))
					kinds := Labels{KindNegative[0], KindSecurity[0]}
					if f.Name == "saml-no-destination" {
						id, kinds = "SAML-POS-NO-DESTINATION", KindPositive
					}
					level := LevelRequired
					switch {
					case slices.Contains(recommendedFaults, f.Name):
						level = LevelRecommended
					case slices.Contains(protocolOnlyFaults, f.Name):
						level = LevelProtocol
					}
					It(id+": "+f.Name+" is handled as the rule requires: "+f.Rule, kinds, level, func(ctx SpecContext) {
						shape(su, ctx, su.catalogueApp(), protocol, f)
					})
				}
			})
		}
	})
}

// refAppProtocols are the protocols the reference suite's catalogue covers: both of refapp's.
var refAppProtocols = []string{"oidc", "saml"}

// catalogueApp is the app the catalogue drives: the run's (Config.App) or, in the reference suite, the
// stack's refapp (set up by setUp).
func (su *Suite) catalogueApp() harness.App {
	if su.refApp != nil {
		return su.refApp
	}
	return su.cfg.App
}

// notJudged are faults whose rule allows both outcomes: nothing to check from outside.
var notJudged = []string{"oidc-kid-missing", "oidc-iat-week-old"}

// The catalogue's three levels.
var (
	LevelRequired    = Label(levelLabelPrefix + string(LevelOkta))
	LevelProtocol    = Label(levelLabelPrefix + string(LevelMust))
	LevelRecommended = Label(levelLabelPrefix + string(LevelShould))
)

// protocolOnlyFaults break a MUST that only the IdP itself could break: Okta signs every ID token and
// assertion, and always sets what these leave out (an ID token's iss, sub, aud (the client ID alone),
// exp and iat; a Bearer token response with an id_token; an assertion's Subject with a bearer
// SubjectConfirmation, its Conditions and AudienceRestriction; a Success status beside an assertion).
// An attacker cannot get Okta to sign such a token, so an app that lets one through breaks the protocol
// (the rfc profile fails it) without being open to attack with Okta (the okta profiles warn).
var protocolOnlyFaults = []string{"oidc-aud-missing", "oidc-aud-extra", "oidc-exp-missing", "oidc-iat-missing",
	"oidc-iss-missing", "oidc-sub-missing", "oidc-no-id-token", "oidc-token-type-not-bearer",
	"saml-no-subject", "saml-no-subject-confirmation", "saml-no-conditions", "saml-no-audience-restriction",
	"saml-status-failure"}

// recommendedFaults break a SHOULD, a MAY or a policy, not a MUST: at_hash is a MAY in the code flow
// (OIDC Core 3.1.3.8), the authorization response's iss binds only clients that implement RFC 9207,
// an iat ahead of time and an expired certificate are policies, SHA-1 and stale IssueInstants SHOULDs.
var recommendedFaults = []string{"oidc-at-hash-wrong", "oidc-authz-iss-wrong", "oidc-iat-future",
	"saml-sha1", "saml-stale-issue-instant", "saml-cert-expired"}

type catalogueShape func(su *Suite, ctx SpecContext, app harness.App, protocol string, f harness.IdPFault)

var catalogueShapes = map[string]catalogueShape{
	"saml-no-destination":         (*Suite).catalogueAccepted,
	"saml-comment-nameid":         (*Suite).catalogueFullNameID,
	"saml-multiple-assertions":    (*Suite).catalogueNotImpersonated,
	"saml-replay":                 (*Suite).catalogueReplay,
	"saml-cert-expired":           (*Suite).catalogueRefusedAfterReconnect,
	"oidc-discovery-issuer-wrong": (*Suite).catalogueRefusedAtReconnect,
	"oidc-code-reusable":          (*Suite).catalogueCallbackReplay,
}

// catalogueTenant connects the app over protocol, adds an assigned user and sets the faults (none
// clears them: an app connected once shares its integration between specs).
func catalogueTenant(ctx SpecContext, app harness.App, protocol string, faults ...string) (harness.AppTenant, string, string) {
	GinkgoHelper()
	tn, err := app.Connect(ctx, protocol)
	Expect(err).NotTo(HaveOccurred(), "connect the app over %s", protocol)
	Expect(tn.SetFaults(ctx, faults...)).To(Succeed())
	login, pw, err := tn.AddUser(ctx, "Cat", "Alogue")
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func(ctx SpecContext) {
		if CurrentSpecReport().Failed() {
			AddReportEntry("app log", app.Log(4000), ReportEntryVisibilityFailureOrVerbose)
		}
	})
	return tn, login, pw
}

// signInAs runs one headless sign-in in a fresh client and reports where it landed, with the page.
func (su *Suite) signInAs(ctx context.Context, app harness.App, tn harness.AppTenant, login, pw string) (harness.Landing, *clientSession, error) {
	s := &clientSession{client: harness.HeadlessClient(), app: app}
	land, err := harness.AppSignIn(ctx, s.client, app.SignInURL(tn.Org, tn.Protocol), login, pw)
	s.land = land
	AddReportEntry("landed on", fmt.Sprintf("%s (%d): %s", land.URL, land.Status, land.Excerpt))
	su.savePage(land)
	return land, s, err
}

// pageEntry names the report entries holding a saved page's path, relative to the report directory;
// report.html links them.
const pageEntry = "page"

// savePage keeps the page a sign-in ended on as pages/ID-N.html in the report directory.
func (su *Suite) savePage(land harness.Landing) {
	if land.Body == "" {
		return
	}
	n := 1
	for _, e := range CurrentSpecReport().ReportEntries {
		if e.Name == pageEntry {
			n++
		}
	}
	rel := filepath.Join("pages", fmt.Sprintf("%s-%d.html", specID(), n))
	path := filepath.Join(su.cfg.ReportDir, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		AddReportEntry("saving the page failed", err.Error())
		return
	}
	if err := os.WriteFile(path, []byte(land.Body), 0o644); err != nil {
		AddReportEntry("saving the page failed", err.Error())
		return
	}
	AddReportEntry(pageEntry, rel)
}

func (su *Suite) catalogueSignIn(ctx SpecContext, app harness.App, protocol string) {
	tn, login, pw := catalogueTenant(ctx, app, protocol)
	_, s, err := su.signInAs(ctx, app, tn, login, pw)
	Expect(err).NotTo(HaveOccurred())
	s.expectSignedInAs(ctx, login, "a valid response for an assigned user must sign them in")
}

func (su *Suite) catalogueRefused(ctx SpecContext, app harness.App, protocol string, f harness.IdPFault) {
	tn, login, pw := catalogueTenant(ctx, app, protocol, f.Name)
	land, s, err := su.signInAs(ctx, app, tn, login, pw)
	s.expectNoSession(ctx, "the app must refuse %s (%s): %s", f.Name, f.Description, f.Rule)
	expectJourneyEnded(app, land, err)
}

// expectJourneyEnded accepts a journey that reached Okta and then ended on the app's refusal page
// (App.ShowsRefusal), or broke off (a refusal may well be a dropped connection); a journey that never
// reached Okta says nothing about the fault.
func expectJourneyEnded(app harness.App, land harness.Landing, err error) {
	GinkgoHelper()
	if err != nil && !land.ReachedOkta {
		Fail("the sign-in never reached Okta's sign-in page, so the fault was not exercised: " + err.Error())
	}
	if err != nil {
		AddReportEntry("the journey ended with an error after Okta", err.Error())
		return
	}
	Expect(app.ShowsRefusal(land)).To(Succeed())
}

func (su *Suite) catalogueAccepted(ctx SpecContext, app harness.App, protocol string, f harness.IdPFault) {
	tn, login, pw := catalogueTenant(ctx, app, protocol, f.Name)
	_, s, err := su.signInAs(ctx, app, tn, login, pw)
	Expect(err).NotTo(HaveOccurred())
	s.expectSignedInAs(ctx, login, "%s is not a defect (%s); the app must sign the user in", f.Name, f.Rule)
}

// catalogueReplay: a normal response signs in; the next, in another client, carries the same assertion
// and must be refused. (The fault is turned on between the two: the mock replays the app's previous
// assertion, which for an app connected once may be another spec's.)
func (su *Suite) catalogueReplay(ctx SpecContext, app harness.App, protocol string, f harness.IdPFault) {
	tn, login, pw := catalogueTenant(ctx, app, protocol)
	_, first, err := su.signInAs(ctx, app, tn, login, pw)
	Expect(err).NotTo(HaveOccurred())
	first.expectSignedInAs(ctx, login, "the first response is a normal one")
	Expect(tn.SetFaults(ctx, f.Name)).To(Succeed())
	By("signing in again in another client: the mock replays the assertion")
	land, s, err := su.signInAs(ctx, app, tn, login, pw)
	s.expectNoSession(ctx, "the app must refuse a replayed assertion (%s)", f.Rule)
	expectJourneyEnded(app, land, err)
}

// catalogueNotImpersonated: a response whose signed assertion names the user and whose unsigned or
// wrapped parts name someone else. Refusing it is right, and so is signing in the user the signature
// vouches for; signing in anyone else is the attack (XML signature wrapping, an unsigned assertion
// next to a signed one).
func (su *Suite) catalogueNotImpersonated(ctx SpecContext, app harness.App, protocol string, f harness.IdPFault) {
	tn, login, pw := catalogueTenant(ctx, app, protocol, f.Name)
	land, s, signInErr := su.signInAs(ctx, app, tn, login, pw)
	who, ok, err := app.Identity(ctx, s.client, s.land)
	Expect(err).NotTo(HaveOccurred())
	if !ok {
		expectJourneyEnded(app, land, signInErr)
	} else {
		Expect(who.Shows(login)).To(BeTrue(), "the app signed in someone the signature does not vouch for (%s): %q %q; %s",
			f.Name, who.Email, who.Page, f.Rule)
	}
}

// catalogueFullNameID: the signed NameID is the login, a comment, then ".evil.test". Refusing it is
// right, and so is signing in the full signed value; signing in the login (the text before the
// comment) is the attack.
func (su *Suite) catalogueFullNameID(ctx SpecContext, app harness.App, protocol string, f harness.IdPFault) {
	tn, login, pw := catalogueTenant(ctx, app, protocol, f.Name)
	land, s, signInErr := su.signInAs(ctx, app, tn, login, pw)
	who, ok, err := app.Identity(ctx, s.client, s.land)
	Expect(err).NotTo(HaveOccurred())
	if !ok {
		expectJourneyEnded(app, land, signInErr)
	} else {
		Expect(who.Email).NotTo(Equal(login), "the app read only the NameID's first text node (%s)", f.Rule)
		Expect(who.Shows(login+".evil.test")).To(BeTrue(), "the app must read the whole signed NameID; it answered %q %q", who.Email, who.Page)
	}
}

// catalogueRefusedAfterReconnect: the fault changes the published certificate; the app re-reads the
// metadata (an admin saving the settings again) and must then refuse. An app connected once cannot
// re-read it, so the spec is skipped for it.
func (su *Suite) catalogueRefusedAfterReconnect(ctx SpecContext, app harness.App, protocol string, f harness.IdPFault) {
	re := reconnector(app)
	tn, login, pw := catalogueTenant(ctx, app, protocol, f.Name)
	if err := re.Reconnect(ctx, tn, ""); err != nil {
		skipIfCannotReconnect(err)
		AddReportEntry("the app refused the metadata", err.Error()) // refusing at save time is fine too
	}
	land, s, err := su.signInAs(ctx, app, tn, login, pw)
	s.expectNoSession(ctx, "the app must refuse %s (%s)", f.Name, f.Rule)
	expectJourneyEnded(app, land, err)
}

// catalogueRefusedAtReconnect: the app-specific discovery document names another issuer; connecting
// with it must fail, and the previous settings must keep working.
func (su *Suite) catalogueRefusedAtReconnect(ctx SpecContext, app harness.App, protocol string, f harness.IdPFault) {
	re := reconnector(app)
	tn, login, pw := catalogueTenant(ctx, app, protocol, f.Name)
	err := re.Reconnect(ctx, tn, tn.IdPOrg.AppDiscoveryURL(tn.AppID))
	skipIfCannotReconnect(err)
	Expect(err).To(HaveOccurred(), "the app must refuse a discovery document naming another issuer (%s)", f.Rule)
	_, s, err := su.signInAs(ctx, app, tn, login, pw)
	Expect(err).NotTo(HaveOccurred())
	s.expectSignedInAs(ctx, login, "the previous, working settings must be kept")
}

const needsReconnect = "needs an app that can be connected again (an app connected once, at start, cannot re-read the IdP's metadata)"

func reconnector(app harness.App) harness.Reconnector {
	GinkgoHelper()
	re, ok := app.(harness.Reconnector)
	if !ok {
		Skip(needsReconnect)
	}
	return re
}

func skipIfCannotReconnect(err error) {
	GinkgoHelper()
	if errors.Is(err, harness.ErrCannotReconnect) {
		Skip(needsReconnect)
	}
}

// catalogueCallbackReplay: the provider accepts a code twice, so only the app can stop a replayed
// callback: the very callback URL (code and state) sent again from the same client, with its cookies,
// must be refused (RFC 6749 §10.5; OIDC Core 3.1.2.7).
func (su *Suite) catalogueCallbackReplay(ctx SpecContext, app harness.App, protocol string, f harness.IdPFault) {
	tn, login, pw := catalogueTenant(ctx, app, protocol, f.Name)
	s := &clientSession{client: harness.HeadlessClient(), app: app}
	callbacks := harness.RecordRedirects(s.client, app.CallbackPath())
	var err error
	s.land, err = harness.AppSignIn(ctx, s.client, app.SignInURL(tn.Org, protocol), login, pw)
	Expect(err).NotTo(HaveOccurred())
	s.expectSignedInAs(ctx, login, "a first sign-in with a fresh code must work")
	Expect(callbacks()).To(HaveLen(1), "the sign-in passes the app's callback %s once", app.CallbackPath())
	status, err := harness.Replay(ctx, s.client, callbacks()[0])
	Expect(err).NotTo(HaveOccurred())
	Expect(status).To(BeNumerically(">=", 400),
		"a replayed callback (same code and state) must be refused; the app answered %d", status)
}

// clientSession is one headless client's session with the app, and the page its sign-in ended on.
type clientSession struct {
	client *http.Client
	app    harness.App
	land   harness.Landing
}

func (s *clientSession) expectSignedInAs(ctx context.Context, login string, why string, args ...any) {
	GinkgoHelper()
	who, ok, err := s.app.Identity(ctx, s.client, s.land)
	Expect(err).NotTo(HaveOccurred())
	Expect(ok).To(BeTrue(), fmt.Sprintf(why, args...)+"; the app's signed-in URL says nobody is signed in")
	Expect(who.Shows(login)).To(BeTrue(), "the app must name the signed-in user %s; it answered %q %q", login, who.Email, who.Page)
}

func (s *clientSession) expectNoSession(ctx context.Context, why string, args ...any) {
	GinkgoHelper()
	who, ok, err := s.app.Identity(ctx, s.client, s.land)
	Expect(err).NotTo(HaveOccurred())
	Expect(ok).To(BeFalse(), fmt.Sprintf(why, args...)+"; it signed the user in (%s)", who.Email)
}
