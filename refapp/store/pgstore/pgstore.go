// Package pgstore is the PostgreSQL backend of refapp's store.Store, built on
// github.com/jackc/pgx/v5 (a pgxpool connection pool; pgx prepares and keeps
// each statement per connection). Several refapp processes may share one
// database: every write is its own committed transaction, uniqueness comes from
// unique indexes inside the write's transaction (a unique violation is
// store.ErrConflict), read-modify-write calls lock the row they read (SELECT
// ... FOR UPDATE), single-use records are consumed with one conditional UPDATE,
// and creation order is an identity column.
//
// Embedded numbered migrations (migrations/NNNN_name.sql, one per SQLite
// migration of sqlstore, same numbers) are applied in order and recorded in the
// schema_migrations table, under a session advisory lock, so two processes
// starting at once on one database migrate it once.
//
// The DSN is a pgx connection string. One extra parameter is read by pgstore
// itself: schema=NAME keeps refapp's tables in that schema (created when
// missing; the connections' search_path), so several stores, or test runs,
// can share one database.
//
// Usage:
//
//	st, err := pgstore.Open(ctx, "postgres://refapp@127.0.0.1:5432/refapp?sslmode=disable")
//	if err != nil { ... }
//	defer st.Close()
package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// Store is a store.Store on a PostgreSQL database.
type Store struct {
	pool   *pgxpool.Pool
	schema string // empty: the server's default search_path
}

var _ store.Store = (*Store)(nil)

// defaultConnectTimeout bounds connecting when the DSN does not say (connect_timeout).
const defaultConnectTimeout = 10 * time.Second

// Open connects to the database named by dsn and applies pending migrations.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, schema, err := parseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres store %s: %w", redact(cfg), err)
	}
	s := &Store{pool: pool, schema: schema}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres store %s: %w", redact(cfg), err)
	}
	return s, nil
}

// parseDSN reads a pgx connection string and takes pgstore's own schema
// parameter out of it.
func parseDSN(dsn string) (*pgxpool.Config, string, error) {
	if dsn == "" {
		return nil, "", errors.New("empty DSN")
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's parse errors may quote the DSN, password included: say less.
		return nil, "", errors.New("malformed DSN (want postgres://USER@HOST:PORT/DB?sslmode=...)")
	}
	if !strings.Contains(dsn, "connect_timeout") {
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	schema := cfg.ConnConfig.RuntimeParams["schema"]
	delete(cfg.ConnConfig.RuntimeParams, "schema")
	if schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{schema}.Sanitize()
	}
	return cfg, schema, nil
}

// redact names the server and database of cfg, never its password.
func redact(cfg *pgxpool.Config) string {
	return fmt.Sprintf("%s@%s:%d/%s", cfg.ConnConfig.User, cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
}

// Close closes every connection.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// querier is what *pgxpool.Pool and pgx.Tx have in common.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// inTx runs fn in a transaction and commits it before returning.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}

// mapErr turns driver errors into the store's sentinel errors.
func mapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			return fmt.Errorf("%s: %w", op, store.ErrConflict)
		case "23503": // foreign_key_violation
			return fmt.Errorf("%s: %w", op, store.ErrInvalidReference)
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// utc returns t in UTC (pgx reads timestamptz in the local zone).
func utc(t time.Time) time.Time { return t.UTC() }

// utcOrZero returns *t in UTC, or the zero time for a NULL.
func utcOrZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// nullable is NULL for the empty string.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func key(s string) string { return strings.ToLower(s) }
