package sqlcore

import (
	"context"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"
)

func (s *Store) EnqueueLinks(ctx context.Context, tokens []store.LinkToken, mails []store.OutboxMail) error {
	return s.tx(ctx, "enqueue links", func(tx querier) error {
		for _, t := range tokens {
			if _, err := tx.ExecContext(ctx, `DELETE FROM link_tokens WHERE member_id = ? AND used_at IS NULL`,
				t.MemberID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO link_tokens (hash, org_id, member_id, created_at, expires_at)
				VALUES (?, ?, ?, ?, ?)`, t.Hash, t.OrgID, t.MemberID, t.CreatedAt, t.ExpiresAt); err != nil {
				return err
			}
		}
		for _, m := range mails {
			if err := s.insertMail(ctx, tx, m); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Store) insertMail(ctx context.Context, q querier, m store.OutboxMail) error {
	_, err := q.ExecContext(ctx, `INSERT INTO mail_outbox (id, kind, to_addr, payload, created_at, attempts,
		next_attempt_at, last_error, seq) VALUES (?, ?, ?, ?, ?, 0, ?, '', `+s.d.NextSeq("mail_outbox")+`)`,
		m.ID, m.Kind, m.To, m.Payload, m.CreatedAt, Sortable(m.NextAttemptAt))
	return err
}

func (s *Store) EnqueueMail(ctx context.Context, m store.OutboxMail) error {
	return s.tx(ctx, "enqueue mail", func(tx querier) error { return s.insertMail(ctx, tx, m) })
}

const linkCols = `hash, org_id, member_id, created_at, expires_at, used_at`

var scanLink = fields(func(t *store.LinkToken) []any {
	return []any{&t.Hash, &t.OrgID, &t.MemberID, at(&t.CreatedAt), at(&t.ExpiresAt), at(&t.UsedAt)}
})

func (s *Store) LinkTokenByHash(ctx context.Context, hash []byte) (store.LinkToken, error) {
	return get(ctx, s, "link token by hash", scanLink, `SELECT `+linkCols+` FROM link_tokens WHERE hash = ?`, hash)
}

func (s *Store) ConsumeLinkToken(ctx context.Context, hash []byte, now time.Time) (store.LinkToken, error) {
	return consume(ctx, s, "consume link token", scanLink, `UPDATE link_tokens SET used_at = ?
		WHERE hash = ? AND used_at IS NULL RETURNING `+linkCols, `SELECT COUNT(*) FROM link_tokens WHERE hash = ?`,
		hash, now)
}

const mailCols = `id, kind, to_addr, payload, created_at, attempts, next_attempt_at, last_error, sent_at`

var scanMail = fields(func(m *store.OutboxMail) []any {
	return []any{&m.ID, &m.Kind, &m.To, &m.Payload, at(&m.CreatedAt), &m.Attempts, at(&m.NextAttemptAt),
		&m.LastError, at(&m.SentAt)}
})

// ClaimMail leases up to limit due messages to the caller until leaseUntil. Where the database locks
// rows (Dialect.SkipLocked), rows another sender holds are skipped, so senders on several instances
// never take the same message at once.
func (s *Store) ClaimMail(ctx context.Context, now, leaseUntil time.Time, limit int) ([]store.OutboxMail, error) {
	var out []store.OutboxMail
	err := s.tx(ctx, "claim mail", func(tx querier) error {
		var err error
		if out, err = all(ctx, tx, scanMail, `SELECT `+mailCols+` FROM mail_outbox WHERE sent_at IS NULL
			AND next_attempt_at <= ? ORDER BY seq LIMIT ? `+s.d.SkipLocked, Sortable(now), limit); err != nil {
			return err
		}
		for _, m := range out {
			if _, err := tx.ExecContext(ctx, `UPDATE mail_outbox SET next_attempt_at = ? WHERE id = ?`,
				Sortable(leaseUntil), m.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

func (s *Store) MailSent(ctx context.Context, id string, at time.Time) error {
	return s.writeOne(ctx, "mail sent", `UPDATE mail_outbox SET sent_at = ?, payload = '{}', last_error = '' WHERE id = ?`,
		at, id)
}

func (s *Store) MailFailed(ctx context.Context, id string, next time.Time, reason string) error {
	return s.writeOne(ctx, "mail failed", `UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = ?,
		last_error = ? WHERE id = ? AND sent_at IS NULL`, Sortable(next), reason, id)
}

func (s *Store) PendingMail(ctx context.Context, limit int) ([]store.OutboxMail, error) {
	if limit <= 0 {
		limit = 100
	}
	return list(ctx, s, "pending mail", scanMail, `SELECT `+mailCols+` FROM mail_outbox WHERE sent_at IS NULL
		ORDER BY seq LIMIT ?`, limit)
}
