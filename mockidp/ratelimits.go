package mockidp

import "github.com/ssoconform/ssoconform/mockidp/ratelimit"

// RateLimitErrorCode is the errorCode of Okta's 429 answer.
const RateLimitErrorCode = ratelimit.ErrorCode

// SetRateLimit sets the per-minute limit of one of the org's rate-limit buckets, named by endpoint:
// "/api/v1/users", "/api/v1/logs", "/oauth2/v1/token", "/app/sso/saml", ... (see package ratelimit).
// Every limited answer carries X-Rate-Limit-Limit, -Remaining and -Reset; past the limit, Okta's 429
// E0000047. The default limit is generous (10000 a minute).
func (o *Org) SetRateLimit(bucket string, perMinute int) { o.limiter.SetLimit(bucket, perMinute) }

// ForceRateLimit makes the next n requests to the bucket fail with 429 E0000047 and X-Rate-Limit-Reset
// one second ahead, so a client's retry logic can be tested; n <= 0 clears it. It
// affects this org only.
func (o *Org) ForceRateLimit(bucket string, n int) { o.limiter.Force(bucket, n) }
