package sqlcore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// EnqueueLinks stores link tokens and their mails in one transaction, replacing the members' unused tokens.
func (s *Store) EnqueueLinks(ctx context.Context, tokens []store.LinkToken, mails []store.OutboxMail) error {
	return s.mapErr("enqueue links", s.inTx(ctx, func(tx querier) error {
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
	}))
}

func (s *Store) insertMail(ctx context.Context, q querier, m store.OutboxMail) error {
	_, err := q.ExecContext(ctx, `INSERT INTO mail_outbox (id, kind, to_addr, payload, created_at, attempts,
		next_attempt_at, last_error, seq) VALUES (?, ?, ?, ?, ?, 0, ?, '', `+s.d.NextSeq("mail_outbox")+`)`,
		m.ID, m.Kind, m.To, m.Payload, m.CreatedAt, Sortable(m.NextAttemptAt))
	return err
}

// EnqueueMail adds one message to the outbox.
func (s *Store) EnqueueMail(ctx context.Context, m store.OutboxMail) error {
	return s.mapErr("enqueue mail", s.inTx(ctx, func(tx querier) error { return s.insertMail(ctx, tx, m) }))
}

const linkCols = `hash, org_id, member_id, created_at, expires_at, used_at`

func scanLink(row *sql.Row) (store.LinkToken, error) {
	var t store.LinkToken
	err := row.Scan(&t.Hash, &t.OrgID, &t.MemberID, at(&t.CreatedAt), at(&t.ExpiresAt), at(&t.UsedAt))
	return t, err
}

// LinkTokenByHash finds a link token by the SHA-256 of its value.
func (s *Store) LinkTokenByHash(ctx context.Context, hash []byte) (store.LinkToken, error) {
	t, err := scanLink(s.q().QueryRowContext(ctx, `SELECT `+linkCols+` FROM link_tokens WHERE hash = ?`, hash))
	return t, s.mapErr("link token by hash", err)
}

// ConsumeLinkToken marks a link token used and returns it: one conditional UPDATE, so of two callers
// (or instances) consuming the same token at once exactly one gets it.
func (s *Store) ConsumeLinkToken(ctx context.Context, hash []byte, now time.Time) (store.LinkToken, error) {
	const op = "consume link token"
	var t store.LinkToken
	err := s.inTx(ctx, func(tx querier) error {
		var err error
		t, err = scanLink(tx.QueryRowContext(ctx, `UPDATE link_tokens SET used_at = ? WHERE hash = ? AND used_at IS NULL
			RETURNING `+linkCols, now, hash))
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := scanLink(tx.QueryRowContext(ctx, `SELECT `+linkCols+` FROM link_tokens WHERE hash = ?`, hash)); err != nil {
			return err
		}
		return store.ErrAlreadyUsed
	})
	if errors.Is(err, store.ErrAlreadyUsed) {
		return store.LinkToken{}, fmt.Errorf("%s: %w", op, err)
	}
	if err != nil {
		return store.LinkToken{}, s.mapErr(op, err)
	}
	return t, nil
}

const mailCols = `id, kind, to_addr, payload, created_at, attempts, next_attempt_at, last_error, sent_at`

func scanMails(rows *sql.Rows) ([]store.OutboxMail, error) {
	defer rows.Close()
	var out []store.OutboxMail
	for rows.Next() {
		var m store.OutboxMail
		if err := rows.Scan(&m.ID, &m.Kind, &m.To, &m.Payload, at(&m.CreatedAt), &m.Attempts, at(&m.NextAttemptAt),
			&m.LastError, at(&m.SentAt)); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// ClaimMail leases up to limit due messages to the caller until leaseUntil. Where the database locks
// rows (Dialect.SkipLocked), rows another sender holds are skipped, so senders on several instances
// never take the same message at once.
func (s *Store) ClaimMail(ctx context.Context, now, leaseUntil time.Time, limit int) ([]store.OutboxMail, error) {
	var out []store.OutboxMail
	err := s.inTx(ctx, func(tx querier) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+mailCols+` FROM mail_outbox
			WHERE sent_at IS NULL AND next_attempt_at <= ? ORDER BY seq LIMIT ? `+s.d.SkipLocked, Sortable(now), limit)
		if err != nil {
			return err
		}
		if out, err = scanMails(rows); err != nil {
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
	return out, s.mapErr("claim mail", err)
}

// MailSent marks a message sent and erases its payload.
func (s *Store) MailSent(ctx context.Context, id string, at time.Time) error {
	res, err := s.exec(ctx, `UPDATE mail_outbox SET sent_at = ?, payload = '{}', last_error = '' WHERE id = ?`, at, id)
	return s.mapErr("mail sent", affected(res, err))
}

// MailFailed counts a failed attempt and schedules the next.
func (s *Store) MailFailed(ctx context.Context, id string, next time.Time, reason string) error {
	res, err := s.exec(ctx, `UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?
		WHERE id = ? AND sent_at IS NULL`, Sortable(next), reason, id)
	return s.mapErr("mail failed", affected(res, err))
}

// PendingMail returns the unsent messages, oldest first.
func (s *Store) PendingMail(ctx context.Context, limit int) ([]store.OutboxMail, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.q().QueryContext(ctx, `SELECT `+mailCols+` FROM mail_outbox WHERE sent_at IS NULL ORDER BY seq LIMIT ?`, limit)
	if err != nil {
		return nil, s.mapErr("pending mail", err)
	}
	out, err := scanMails(rows)
	return out, s.mapErr("pending mail", err)
}
