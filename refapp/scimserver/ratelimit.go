package scimserver

import (
	"math"
	"sync"
	"time"
)

// limiter is a token bucket per API key: rate tokens per second, at most burst.
type limiter struct {
	rate  float64
	burst float64
	mu    sync.Mutex
	keys  map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(rate float64, burst int) *limiter {
	return &limiter{rate: rate, burst: float64(burst), keys: map[string]*bucket{}}
}

// allow takes a token for key at now. When there is none it returns false and
// the whole seconds until there will be one (at least 1).
func (l *limiter) allow(key string, now time.Time) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.keys[key]
	if !ok {
		b = &bucket{tokens: l.burst, last: now}
		l.keys[key] = b
	}
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = math.Min(l.burst, b.tokens+el*l.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, max(1, int(math.Ceil((1-b.tokens)/l.rate)))
}
