package scimserver

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// keyToucher is the optional store method that records an API key's last use (the keys page shows it).
type keyToucher interface {
	TouchAPIKey(ctx context.Context, id string, at time.Time) error
}

// touchEvery is how often one key's last use is written at most: a SCIM push must not write per request.
const touchEvery = time.Minute

// lastUse remembers when each key's last use was written; the zero value is ready.
type lastUse struct {
	mu      sync.Mutex
	written map[string]time.Time
}

// touch records the key's use when the store can and the last write is older than touchEvery.
// Failures are logged: they never fail the request.
func (s *Server) touch(ctx context.Context, keyID string) {
	t, ok := s.cfg.Store.(keyToucher)
	if !ok {
		return
	}
	now := s.cfg.Now()
	s.used.mu.Lock()
	if s.used.written == nil {
		s.used.written = map[string]time.Time{}
	}
	last, seen := s.used.written[keyID]
	if seen && now.Sub(last) < touchEvery {
		s.used.mu.Unlock()
		return
	}
	s.used.written[keyID] = now
	s.used.mu.Unlock()
	if err := t.TouchAPIKey(ctx, keyID, now); err != nil {
		s.cfg.Logger.WarnContext(ctx, "record api key use", slog.Any("error", err))
	}
}
