package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// EnqueueLinks stores link tokens and their mails in one transaction, replacing the members' unused tokens.
func (s *Store) EnqueueLinks(ctx context.Context, tokens []store.LinkToken, mails []store.OutboxMail) error {
	return mapErr("enqueue links", s.inTx(ctx, func(tx pgx.Tx) error {
		for _, t := range tokens {
			if _, err := tx.Exec(ctx, `DELETE FROM link_tokens WHERE member_id = $1 AND used_at IS NULL`, t.MemberID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO link_tokens (hash, org_id, member_id, created_at, expires_at)
				VALUES ($1, $2, $3, $4, $5)`, t.Hash, t.OrgID, t.MemberID, t.CreatedAt, t.ExpiresAt); err != nil {
				return err
			}
		}
		for _, m := range mails {
			if err := insertMail(ctx, tx, m); err != nil {
				return err
			}
		}
		return nil
	}))
}

func insertMail(ctx context.Context, q querier, m store.OutboxMail) error {
	_, err := q.Exec(ctx, `INSERT INTO mail_outbox (id, kind, to_addr, payload, created_at, attempts, next_attempt_at,
		last_error) VALUES ($1, $2, $3, $4, $5, 0, $6, '')`, m.ID, m.Kind, m.To, m.Payload, m.CreatedAt, m.NextAttemptAt)
	return err
}

// EnqueueMail adds one message to the outbox.
func (s *Store) EnqueueMail(ctx context.Context, m store.OutboxMail) error {
	return mapErr("enqueue mail", insertMail(ctx, s.pool, m))
}

const linkCols = `hash, org_id, member_id, created_at, expires_at, used_at`

func scanLink(row pgx.Row) (store.LinkToken, error) {
	var t store.LinkToken
	var used *time.Time
	if err := row.Scan(&t.Hash, &t.OrgID, &t.MemberID, &t.CreatedAt, &t.ExpiresAt, &used); err != nil {
		return store.LinkToken{}, err
	}
	t.CreatedAt, t.ExpiresAt, t.UsedAt = utc(t.CreatedAt), utc(t.ExpiresAt), utcOrZero(used)
	return t, nil
}

// LinkTokenByHash finds a link token by the SHA-256 of its value.
func (s *Store) LinkTokenByHash(ctx context.Context, hash []byte) (store.LinkToken, error) {
	t, err := scanLink(s.pool.QueryRow(ctx, `SELECT `+linkCols+` FROM link_tokens WHERE hash = $1`, hash))
	return t, mapErr("link token by hash", err)
}

// ConsumeLinkToken marks a link token used and returns it: one conditional
// UPDATE, so of two instances consuming the same token at once exactly one gets it.
func (s *Store) ConsumeLinkToken(ctx context.Context, hash []byte, now time.Time) (store.LinkToken, error) {
	const op = "consume link token"
	t, err := scanLink(s.pool.QueryRow(ctx, `UPDATE link_tokens SET used_at = $1 WHERE hash = $2 AND used_at IS NULL
		RETURNING `+linkCols, now, hash))
	if errors.Is(err, pgx.ErrNoRows) {
		if _, lerr := s.LinkTokenByHash(ctx, hash); lerr != nil {
			return store.LinkToken{}, fmt.Errorf("%s: %w", op, lerr)
		}
		return store.LinkToken{}, fmt.Errorf("%s: %w", op, store.ErrAlreadyUsed)
	}
	if err != nil {
		return store.LinkToken{}, mapErr(op, err)
	}
	return t, nil
}

const mailCols = `id, kind, to_addr, payload, created_at, attempts, next_attempt_at, last_error, sent_at`

func scanMails(rows pgx.Rows) ([]store.OutboxMail, error) {
	defer rows.Close()
	var out []store.OutboxMail
	for rows.Next() {
		var m store.OutboxMail
		var sent *time.Time
		if err := rows.Scan(&m.ID, &m.Kind, &m.To, &m.Payload, &m.CreatedAt, &m.Attempts, &m.NextAttemptAt,
			&m.LastError, &sent); err != nil {
			return nil, err
		}
		m.CreatedAt, m.NextAttemptAt, m.SentAt = utc(m.CreatedAt), utc(m.NextAttemptAt), utcOrZero(sent)
		out = append(out, m)
	}
	return out, rows.Err()
}

// ClaimMail leases up to limit due messages to the caller until leaseUntil. Rows another sender holds
// are skipped (SKIP LOCKED), so senders on several instances never take the same message at once.
func (s *Store) ClaimMail(ctx context.Context, now, leaseUntil time.Time, limit int) ([]store.OutboxMail, error) {
	var out []store.OutboxMail
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+mailCols+` FROM mail_outbox
			WHERE sent_at IS NULL AND next_attempt_at <= $1 ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED`, now, limit)
		if err != nil {
			return err
		}
		if out, err = scanMails(rows); err != nil || len(out) == 0 {
			return err
		}
		ids := make([]string, len(out))
		for i, m := range out {
			ids[i] = m.ID
		}
		_, err = tx.Exec(ctx, `UPDATE mail_outbox SET next_attempt_at = $1 WHERE id = ANY($2)`, leaseUntil, ids)
		return err
	})
	return out, mapErr("claim mail", err)
}

// MailSent marks a message sent and erases its payload.
func (s *Store) MailSent(ctx context.Context, id string, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE mail_outbox SET sent_at = $1, payload = '{}', last_error = '' WHERE id = $2`, at, id)
	return mapErr("mail sent", affected(tag, err))
}

// MailFailed counts a failed attempt and schedules the next.
func (s *Store) MailFailed(ctx context.Context, id string, next time.Time, reason string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2
		WHERE id = $3 AND sent_at IS NULL`, next, reason, id)
	return mapErr("mail failed", affected(tag, err))
}

// PendingMail returns the unsent messages, oldest first.
func (s *Store) PendingMail(ctx context.Context, limit int) ([]store.OutboxMail, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.pool.Query(ctx, `SELECT `+mailCols+` FROM mail_outbox WHERE sent_at IS NULL ORDER BY seq LIMIT $1`, limit)
	if err != nil {
		return nil, mapErr("pending mail", err)
	}
	out, err := scanMails(rows)
	return out, mapErr("pending mail", err)
}
