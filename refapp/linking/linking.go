// Package linking owns account-linking invitations: when an organization saves its Okta connection,
// every active member without an identity linked from that IdP gets an email asking them to confirm
// their account and link their Okta profile, with a single-use link (/account/link/{token}) that expires
// (72 h by default). The token is 32 random bytes; the
// link_tokens table keeps only its SHA-256. The message goes through the mail outbox in the same
// transaction as the tokens (store.Store.EnqueueLinks), so an invitation is never stored without its
// mail nor mailed without its token; the outbox's sender (package mailer) renders it with Render at send
// time, with the serving app's base URL, which is why the CLI can invite too. Until the message is sent
// the outbox row holds the token in clear; once sent, the payload is erased.
//
// A new invitation replaces a member's unused ones. Check validates a token without using it (the link
// page shows a confirmation button, so mail scanners that fetch links do not burn them); Redeem uses it.
//
// Usage:
//
//	inv, err := linking.New(linking.Config{Store: st})
//	n, err := inv.Invite(ctx, orgID)             // after SSO is saved
//	t, err := inv.Redeem(ctx, r.PathValue("token")) // on GET /account/link/{token}/start
package linking

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/ssoconform/ssoconform/refapp/auth"
	"github.com/ssoconform/ssoconform/refapp/defence"
	"github.com/ssoconform/ssoconform/refapp/store"
)

// Kind is the outbox kind of an invitation message.
const Kind = "sso-link"

// Path is where a link points, followed by the token.
const Path = "/account/link/"

// Store is the part of the store invitations need.
type Store interface {
	OrgByID(ctx context.Context, id string) (store.Org, error)
	ListMembers(ctx context.Context, orgID string) ([]store.Member, error)
	SSOConnection(ctx context.Context, orgID string) (store.SSOConnection, error)
	MemberIdentities(ctx context.Context, orgID, memberID string) ([]store.Identity, error)
	EnqueueLinks(ctx context.Context, tokens []store.LinkToken, mails []store.OutboxMail) error
	LinkTokenByHash(ctx context.Context, hash []byte) (store.LinkToken, error)
	ConsumeLinkToken(ctx context.Context, hash []byte, now time.Time) (store.LinkToken, error)
}

// Config configures an Inviter.
type Config struct {
	// Store keeps tokens and the outbox. Required.
	Store Store
	// TTL is how long a link stays valid. Default 72h.
	TTL time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Rand is the randomness for tokens and ids. Default crypto/rand.Reader.
	Rand io.Reader
}

func (c Config) withDefaults() Config {
	if c.TTL <= 0 {
		c.TTL = 72 * time.Hour
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	return c
}

// Validate reports a missing required field.
func (c Config) Validate() error {
	if c.Store == nil {
		return errors.New("linking config: Store is required")
	}
	return nil
}

// Inviter sends and checks invitations.
type Inviter struct{ cfg Config }

// New checks cfg and returns an Inviter.
func New(cfg Config) (*Inviter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Inviter{cfg: cfg.withDefaults()}, nil
}

// payload is what an invitation's outbox row holds until it is sent.
type payload struct {
	Token     string    `json:"token"`
	Org       string    `json:"org"`
	Name      string    `json:"name"`
	ExpiresAt time.Time `json:"expires_at"`
}

// OnSSOSaved invites the organization's members; it is admin.Config.OnSSOSaved.
func (i *Inviter) OnSSOSaved(ctx context.Context, orgID string) error {
	_, err := i.Invite(ctx, orgID)
	return err
}

// Invite queues an invitation for every active member of the organization (only those with the given
// ids, when any are given) that has no identity linked with the organization's current IdP, and
// returns how many were queued.
func (i *Inviter) Invite(ctx context.Context, orgID string, only ...string) (int, error) {
	org, err := i.cfg.Store.OrgByID(ctx, orgID)
	if err != nil {
		return 0, fmt.Errorf("invite members: %w", err)
	}
	conn, err := i.cfg.Store.SSOConnection(ctx, orgID)
	if err != nil {
		return 0, fmt.Errorf("invite members: %w", err)
	}
	ms, err := i.cfg.Store.ListMembers(ctx, orgID)
	if err != nil {
		return 0, fmt.Errorf("invite members: %w", err)
	}
	now := i.cfg.Now()
	var tokens []store.LinkToken
	var mails []store.OutboxMail
	for _, m := range ms {
		if !m.Active || m.Email == "" || (len(only) > 0 && !slices.Contains(only, m.ID)) ||
			(defence.Off(defence.LinkMail) && m.Role != store.RoleAdmin) {
			continue
		}
		if linked, err := i.linked(ctx, m, conn.Issuer); err != nil || linked {
			if err != nil {
				return 0, fmt.Errorf("invite members: %w", err)
			}
			continue
		}
		token, err := auth.RandomToken(i.cfg.Rand, 32)
		if err != nil {
			return 0, fmt.Errorf("invite members: %w", err)
		}
		id, err := auth.NewID(i.cfg.Rand)
		if err != nil {
			return 0, fmt.Errorf("invite members: %w", err)
		}
		t := store.LinkToken{Hash: auth.Hash(token), OrgID: orgID, MemberID: m.ID, CreatedAt: now, ExpiresAt: now.Add(i.cfg.TTL)}
		body, err := json.Marshal(payload{Token: token, Org: org.Name, Name: m.DisplayName, ExpiresAt: t.ExpiresAt})
		if err != nil {
			return 0, fmt.Errorf("invite members: %w", err)
		}
		tokens = append(tokens, t)
		mails = append(mails, store.OutboxMail{ID: id, Kind: Kind, To: m.Email, Payload: string(body), CreatedAt: now,
			NextAttemptAt: now})
	}
	if len(tokens) == 0 {
		return 0, nil
	}
	if err := i.cfg.Store.EnqueueLinks(ctx, tokens, mails); err != nil {
		return 0, fmt.Errorf("invite members: %w", err)
	}
	return len(tokens), nil
}

// linked reports whether the member has an identity from issuer.
func (i *Inviter) linked(ctx context.Context, m store.Member, issuer string) (bool, error) {
	ids, err := i.cfg.Store.MemberIdentities(ctx, m.OrgID, m.ID)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(ids, func(id store.Identity) bool { return id.Issuer == issuer }), nil
}

// Refusal is why a link cannot be used; Message is for the person who followed it.
type Refusal struct{ Message string }

func (r *Refusal) Error() string { return "link refused: " + r.Message }

// The refusals.
var (
	ErrInvalid = &Refusal{"This link is not valid. Ask your administrator to send a new one."}
	ErrUsed    = &Refusal{"This link was already used. Each link works once; ask your administrator to send a new one."}
	ErrExpired = &Refusal{"This link has expired. Ask your administrator to send a new one."}
)

// Check returns the token's record when it can still be used, without using it.
func (i *Inviter) Check(ctx context.Context, token string) (store.LinkToken, error) {
	if token == "" || len(token) > 100 {
		return store.LinkToken{}, ErrInvalid
	}
	t, err := i.cfg.Store.LinkTokenByHash(ctx, auth.Hash(token))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.LinkToken{}, ErrInvalid
	case err != nil:
		return store.LinkToken{}, fmt.Errorf("check link: %w", err)
	case !t.UsedAt.IsZero():
		return store.LinkToken{}, ErrUsed
	case !i.cfg.Now().Before(t.ExpiresAt):
		return store.LinkToken{}, ErrExpired
	}
	return t, nil
}

// Redeem uses the token once and returns its record.
func (i *Inviter) Redeem(ctx context.Context, token string) (store.LinkToken, error) {
	if _, err := i.Check(ctx, token); err != nil {
		return store.LinkToken{}, err
	}
	t, err := i.cfg.Store.ConsumeLinkToken(ctx, auth.Hash(token), i.cfg.Now())
	switch {
	case errors.Is(err, store.ErrAlreadyUsed):
		return store.LinkToken{}, ErrUsed
	case errors.Is(err, store.ErrNotFound):
		return store.LinkToken{}, ErrInvalid
	case err != nil:
		return store.LinkToken{}, fmt.Errorf("redeem link: %w", err)
	case !i.cfg.Now().Before(t.ExpiresAt):
		return store.LinkToken{}, ErrExpired
	}
	return t, nil
}

// Render turns an invitation's outbox row into the message's subject and body, with links on baseURL.
func Render(baseURL string, m store.OutboxMail) (subject, body string, err error) {
	var p payload
	if err := json.Unmarshal([]byte(m.Payload), &p); err != nil || p.Token == "" {
		return "", "", fmt.Errorf("render link mail %s: bad payload", m.ID)
	}
	name := p.Name
	if name == "" {
		name = m.To
	}
	subject = "Confirm your account and link your Okta profile"
	body = fmt.Sprintf("Hello %s,\r\n\r\n"+
		"Your NeuraLegion organization %s now signs in with Okta SSO.\r\n"+
		"Please confirm your account and link your Okta profile to your NeuraLegion profile:\r\n\r\n"+
		"%s%s%s\r\n\r\n"+
		"The link works once and expires on %s.\r\n"+
		"Once your accounts are linked, sign in with the Single Sign On (SSO) option.\r\n",
		name, p.Org, baseURL, Path, p.Token, p.ExpiresAt.UTC().Format("2 January 2006 15:04 MST"))
	return subject, body, nil
}
