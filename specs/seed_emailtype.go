package specs

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The seed lists emailType among the attributes Okta maps for SCIM provisioning: Okta sends each email
// with its type (work for the Okta user's email) and one primary. The app must keep the type it was
// sent, keep a second, non-primary email of another type, and go on signing the member in with the
// primary one.
func (su *Suite) describeSeedEmailType() {
	Describe("Okta's emailType attribute mapping", ProtocolSCIM, Stack, func() {
		It("PROV-EMAIL-TYPE: a pushed email keeps its type (work) and primary flag; a typed non-primary email is kept as sent and the primary stays the member's email", KindPositive, func(ctx SpecContext) {
			tn := su.provTenant(ctx, provFlavours[0], "emailtype")
			u, id := pushedUser(ctx, tn, "Emma", "Typed")
			work := emailWith(u.Login, "work", true)

			By("reading the pushed user back: Okta sent its email as type work, primary")
			r := scimUser(ctx, tn, id)
			Expect(r.Status).To(Equal(http.StatusOK), r.Transcript())
			Expect(r.JSON["emails"]).To(ConsistOf(work), "the app must return the email with the type and primary flag Okta pushed:\n%s", r.Transcript())

			By("Okta replacing the user with a home email listed first, not primary, besides the primary work one")
			home := "emma.home@" + tn.Org + ".test"
			body := r.JSON
			body["emails"] = []map[string]any{{"value": home, "type": "home", "primary": false},
				{"value": u.Login, "type": "work", "primary": true}}
			put, err := tn.SCIM.Do(ctx, http.MethodPut, "/Users/"+id, body)
			Expect(err).NotTo(HaveOccurred())
			Expect(put.Status).To(Equal(http.StatusOK), put.Transcript())
			r = scimUser(ctx, tn, id)
			Expect(r.JSON["emails"]).To(ConsistOf(emailWith(home, "home", false), work),
				"both emails must come back with the type and primary flag sent:\n%s", r.Transcript())

			By("signing in through Okta: the member is still the primary (work) email, not the first listed")
			Expect(su.headlessSignedIn(ctx, tn, u).Email).To(Equal(u.Login), "the primary email is the member's email")
		})
	})
}

// emailWith matches one SCIM email with this value, type and primary flag.
func emailWith(value, typ string, primary bool) OmegaMatcher {
	return SatisfyAll(HaveKeyWithValue("value", value), HaveKeyWithValue("type", typ), HaveKeyWithValue("primary", primary))
}
