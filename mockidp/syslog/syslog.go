// Package syslog is a mock Okta org's System Log: an append-only, bounded list of events shaped like
// Okta's System Log API (/api/v1/logs): eventType, displayMessage, severity, actor, outcome, targets.
// The protocol packages append sign-ins, refusals and SCIM exchanges; the console and the management API
// read it. It never holds secrets: callers pass ids, logins and outcomes only.
//
//	log := syslog.New(syslog.Config{})
//	log.Append(ctx, syslog.Event{EventType: syslog.TypeSessionStart, Actor: syslog.UserActor(id, login, name),
//		Outcome: syslog.Success()})
//	events := log.Events(syslog.Query{EventType: syslog.TypeSessionStart})
package syslog

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"time"
)

// Event types used by the mock, with Okta's names.
const (
	TypeSessionStart      = "user.session.start"                        // sign-in to Okta (success or failure)
	TypeSSO               = "user.authentication.sso"                   // SSO into an app
	TypeUnauthAppAccess   = "app.generic.unauth_app_access_attempt"     // user not assigned to the app
	TypeOAuthTokenGrant   = "app.oauth2.as.token.grant"                 // tokens issued at /token
	TypeOAuthTokenRefused = "app.oauth2.as.token.grant.invalid_request" // /token refused (mock-specific suffix)
	TypeProvisionPush     = "application.provision.user.push"           // SCIM user create/update
	TypeProvisionDeact    = "application.provision.user.deactivate"     // SCIM deactivation
	TypeProvisionGroup    = "application.provision.group.update"        // SCIM group push
	TypeProvisionFailure  = "application.provision.integration.general_failure"
	TypeUserLifecycle     = "user.lifecycle"                     // prefix: .create, .activate, .deactivate, .suspend
	TypeAppAssign         = "application.user_membership.add"    // user assigned to app
	TypeAppUnassign       = "application.user_membership.remove" // user unassigned from app
)

// Actor is who did it.
type Actor struct {
	ID, Type, AlternateID, DisplayName string
}

// Target is what it was done to.
type Target struct {
	ID, Type, AlternateID, DisplayName string
}

// Outcome is SUCCESS, FAILURE or DENY, with an optional reason.
type Outcome struct {
	Result, Reason string
}

// Event is one System Log entry.
type Event struct {
	// Seq orders events in one log (1, 2, ...); the System Log API's after cursor is built from it.
	Seq       uint64
	UUID      string
	Published time.Time
	// TransactionID is the id of the request that caused the event (X-Okta-Request-Id), or of the
	// background job for events without one; TransactionType is WEB or JOB accordingly.
	TransactionID   string
	TransactionType string
	// Client is where the request came from; zero for background jobs.
	Client         Client
	EventType      string
	DisplayMessage string
	Severity       string // INFO or WARN
	Actor          Actor
	Outcome        Outcome
	Targets        []Target
	// Debug holds extra detail, e.g. the SCIM request line and status. Never secrets.
	Debug map[string]string
	// Exchanges are the HTTP exchanges the event stands for (a push's SCIM requests), oldest first,
	// redacted by Append.
	Exchanges []Exchange
}

// UserActor is an Okta user as the actor.
func UserActor(id, login, displayName string) Actor {
	return Actor{ID: id, Type: "User", AlternateID: login, DisplayName: displayName}
}

// AppTarget is an app integration as a target.
func AppTarget(id, label string) Target {
	return Target{ID: id, Type: "AppInstance", AlternateID: label, DisplayName: label}
}

// Success, Failure and Deny are the three outcomes.
func Success() Outcome              { return Outcome{Result: "SUCCESS"} }
func Failure(reason string) Outcome { return Outcome{Result: "FAILURE", Reason: reason} }
func Deny(reason string) Outcome    { return Outcome{Result: "DENY", Reason: reason} }

// Config configures a Log.
type Config struct {
	// Max is how many events are kept; older ones are dropped. Default: 10000.
	Max int
	// Now stamps events. Default: time.Now.
	Now func() time.Time
}

// Log is safe for concurrent use. A nil *Log accepts and drops events, so packages may run without one.
type Log struct {
	cfg    Config
	mu     sync.RWMutex
	seq    uint64
	events []Event
}

// newUUID returns a random (version 4) UUID; Okta's LogEvent uuid is an RFC 4122 UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// New returns an empty log.
func New(cfg Config) *Log {
	if cfg.Max <= 0 {
		cfg.Max = 10000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Log{cfg: cfg}
}

// Append records an event, filling Seq, UUID, Published, Severity and, from ctx (see WithRequest), the
// transaction and client when empty.
func (l *Log) Append(ctx context.Context, e Event) {
	if l == nil {
		return
	}
	if e.UUID == "" {
		e.UUID = newUUID()
	}
	if info, ok := ctx.Value(requestKey{}).(requestInfo); ok && e.TransactionID == "" {
		e.TransactionID, e.TransactionType = info.id, "WEB"
		if e.Client == (Client{}) {
			e.Client = info.client
		}
	}
	if e.TransactionID == "" {
		e.TransactionID, e.TransactionType = NewRequestID(), "JOB"
	}
	if e.Published.IsZero() {
		e.Published = l.cfg.Now()
	}
	if len(e.Exchanges) > 0 {
		xs := make([]Exchange, len(e.Exchanges))
		for i, x := range e.Exchanges {
			xs[i] = redactExchange(x)
		}
		e.Exchanges = xs
	}
	if e.Severity == "" {
		e.Severity = "INFO"
		if e.Outcome.Result != "" && e.Outcome.Result != "SUCCESS" {
			e.Severity = "WARN"
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	e.Seq = l.seq
	l.events = append(l.events, e)
	if over := len(l.events) - l.cfg.Max; over > 0 {
		l.events = slices.Delete(l.events, 0, over)
	}
}

// Query selects events; zero fields match everything.
type Query struct {
	// EventType matches exactly, or as a prefix when it ends in ".".
	EventType string
	// TargetID matches events with a target of that id.
	TargetID string
	// Since keeps events published at or after it; Until keeps those published before it.
	Since, Until time.Time
	// User matches events whose actor, or one of whose User targets, has this id or login.
	User string
	// Text matches events mentioning it (case-insensitive) in their message, type, outcome, actor,
	// targets, debug detail or exchanges.
	Text string
	// AfterSeq keeps events appended after the one with this Seq.
	AfterSeq uint64
	// Limit keeps the newest Limit events (0 = all).
	Limit int
}

// Events returns the matching events, oldest first.
func (l *Log) Events(q Query) []Event {
	if l == nil {
		return nil
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	var out []Event
	for _, e := range l.events {
		if q.matches(e) {
			out = append(out, e)
		}
	}
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[len(out)-q.Limit:]
	}
	return out
}

func (q Query) matches(e Event) bool {
	switch {
	case q.EventType != "" && strings.HasSuffix(q.EventType, ".") && !strings.HasPrefix(e.EventType, q.EventType):
		return false
	case q.EventType != "" && !strings.HasSuffix(q.EventType, ".") && e.EventType != q.EventType:
		return false
	case !q.Since.IsZero() && e.Published.Before(q.Since):
		return false
	case !q.Until.IsZero() && !e.Published.Before(q.Until):
		return false
	case q.User != "" && !e.involves(q.User):
		return false
	case q.Text != "" && !e.mentions(q.Text):
		return false
	case e.Seq <= q.AfterSeq:
		return false
	case q.TargetID != "" && !slices.ContainsFunc(e.Targets, func(t Target) bool { return t.ID == q.TargetID }):
		return false
	}
	return true
}
