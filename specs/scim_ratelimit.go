package specs

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ssoconform/ssoconform/harness"
)

// Bounds of the rate-limit spec's burst: it stops at the first 429, and in any case after this many
// requests or this long.
const (
	burstRequests = 5000
	burstWorkers  = 16
	burstFor      = 20 * time.Second
	maxRetryAfter = 30 * time.Second
)

// describeSCIMRateLimit: a burst past the per-credential limit is answered 429 with an integer
// Retry-After (okta-scim.md a.6: Okta waits Retry-After seconds, 5 minutes when it is missing or not an
// integer), and the credential is served again once that time has passed.
func describeSCIMRateLimit(s *scimSpec) {
	Context("rate limiting", func() {
		scimIt("SCIM-ERR-429: answers a burst past the per-key limit with 429, an integer Retry-After and a SCIM error, and serves the key again after it (RFC 6585 §4, RFC 7644 §3.12)", KindRobustness, FeatureLabel(harness.FeatureRateLimit), func(ctx SpecContext) {
			if s.T.Throttled == nil {
				Skip("needs a credential the spec may exhaust (the target's Throttled credential)")
			}
			t := *s.T.Throttled
			By("sending a bounded burst of list requests with the throttled credential")
			r, sent := firstTooMany(ctx, t)
			Expect(r).NotTo(BeNil(), "RFC 6585 §4: %d requests in %s with one credential never got a 429", sent, burstFor)
			expectRefusal(*r, http.StatusTooManyRequests, "", "RFC 7644 §3.12: a throttled request is answered with a SCIM error")
			retry, err := strconv.Atoi(r.Header.Get("Retry-After"))
			Expect(err).NotTo(HaveOccurred(), because("Okta honours Retry-After only as an integer number of seconds (else it waits 5 minutes)", *r))
			Expect(retry).To(BeNumerically(">=", 0), because("Retry-After is a non-negative number of seconds", *r))
			wait := time.Duration(retry) * time.Second
			Expect(wait).To(BeNumerically("<=", maxRetryAfter), because("a Retry-After this long stalls Okta's provisioning tasks", *r))

			By("waiting Retry-After, then asking again")
			Eventually(ctx, func() int {
				resp, err := t.Send(ctx, harness.SCIMRequest{Method: http.MethodGet, Path: "/Users?startIndex=1&count=1"})
				if err != nil {
					return 0
				}
				return resp.Status
			}).WithTimeout(wait+5*time.Second).WithPolling(250*time.Millisecond).Should(Equal(http.StatusOK),
				"once Retry-After has passed the credential is served again")
		})
	})
}

// firstTooMany sends list requests from several workers until one is answered 429, the bounds are
// reached or ctx ends; it returns that answer (nil for none) and how many requests were sent.
func firstTooMany(ctx context.Context, t harness.SCIMTarget) (*harness.SCIMResponse, int64) {
	ctx, cancel := context.WithTimeout(ctx, burstFor)
	defer cancel()
	t.Recorder = nil // thousands of exchanges: keep only the one that matters
	var (
		sent  atomic.Int64
		once  sync.Once
		found *harness.SCIMResponse
		wg    sync.WaitGroup
	)
	for range burstWorkers {
		wg.Go(func() {
			for ctx.Err() == nil && sent.Add(1) <= burstRequests {
				r, err := t.Send(ctx, harness.SCIMRequest{Method: http.MethodGet, Path: "/Users?startIndex=1&count=1"})
				if err == nil && r.Status == http.StatusTooManyRequests {
					once.Do(func() { found = &r; cancel() })
					return
				}
			}
		})
	}
	wg.Wait()
	return found, min(sent.Load(), burstRequests)
}
