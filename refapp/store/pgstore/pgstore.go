// Package pgstore is the PostgreSQL backend of refapp's store: its Open, its migrations and its
// dialect over the one SQL implementation in sqlcore, on pgx's database/sql driver
// (github.com/jackc/pgx/v5/stdlib; pgx keeps each statement prepared per connection).
//
// Several refapp processes may share one database: every write is its own committed transaction on
// the pool, uniqueness comes from unique indexes inside the write's transaction (a unique violation is
// store.ErrConflict, a foreign-key violation store.ErrInvalidReference), read-modify-write calls lock
// the row they read (SELECT ... FOR UPDATE), single-use records are consumed with one conditional
// UPDATE, the outbox is claimed with SKIP LOCKED, and creation order is an identity column.
//
// The shared migrations (see sqlcore) are applied under a session advisory lock, so two processes
// starting at once on one database migrate it once.
//
// The DSN is a pgx connection string. One extra parameter is read by pgstore itself: schema=NAME
// keeps refapp's tables in that schema (created when missing; the connections' search_path), so
// several stores, or test runs, can share one database.
//
// Usage:
//
//	st, err := pgstore.Open(ctx, "postgres://refapp@127.0.0.1:5432/refapp?sslmode=disable")
//	if err != nil { ... }
//	defer st.Close()
package pgstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/ssoconform/ssoconform/refapp/store"
	"github.com/ssoconform/ssoconform/refapp/store/sqlcore"
)

// Store is the shared SQL store; Open gives one on PostgreSQL.
type Store = sqlcore.Store

// defaultConnectTimeout bounds connecting when the DSN does not say (connect_timeout).
const defaultConnectTimeout = 10 * time.Second

// maxConns bounds each store's connections.
const maxConns = 8

// Open connects to the database named by dsn and applies pending migrations.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, schema, err := parseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	d := dialect
	d.BeforeMigrate = func(ctx context.Context, c *sql.Conn) (func(), error) { return lockMigrations(ctx, c, schema) }
	st, err := sqlcore.New(ctx, db, d)
	if err != nil {
		return nil, fmt.Errorf("open postgres store %s: %w", redact(cfg), err)
	}
	return st, nil
}

// parseDSN reads a pgx connection string and takes pgstore's own schema parameter out of it.
func parseDSN(dsn string) (*pgx.ConnConfig, string, error) {
	if dsn == "" {
		return nil, "", errors.New("empty DSN")
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's parse errors may quote the DSN, password included: say less.
		return nil, "", errors.New("malformed DSN (want postgres://USER@HOST:PORT/DB?sslmode=...)")
	}
	if !strings.Contains(dsn, "connect_timeout") {
		cfg.ConnectTimeout = defaultConnectTimeout
	}
	schema := cfg.RuntimeParams["schema"]
	delete(cfg.RuntimeParams, "schema")
	if schema != "" {
		cfg.RuntimeParams["search_path"] = pgx.Identifier{schema}.Sanitize()
	}
	return cfg, schema, nil
}

// redact names the server and database of cfg, never its password.
func redact(cfg *pgx.ConnConfig) string {
	return fmt.Sprintf("%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
}

var dialect = sqlcore.Dialect{
	Name:       "postgres",
	Numbered:   true,
	LockRow:    "FOR UPDATE",
	LockParent: "FOR NO KEY UPDATE",
	SkipLocked: "FOR UPDATE SKIP LOCKED",
	NextSeq:    func(string) string { return "DEFAULT" }, // an identity column
	MapError:   mapError,
	// Both compare plain strings: no LIKE wildcards to escape.
	StartsWith: func(bind func(any) string, expr, v string) string {
		return "starts_with(" + expr + ", " + bind(v) + ")"
	},
	Contains: func(bind func(any) string, expr, v string) string {
		return "strpos(" + expr + ", " + bind(v) + ") > 0"
	},
	Schema: map[string]string{"TIME": "TIMESTAMPTZ", "SORTABLE_TIME": "TIMESTAMPTZ", "BYTES": "BYTEA",
		"BOOL": "BOOLEAN", "SEQ": "BIGINT GENERATED ALWAYS AS IDENTITY",
		"EMAILS_OF_EMAIL": "jsonb_build_array(jsonb_build_object('value', email, 'type', email_type, 'primary', true))::text"},
	// No GrantTrigger: reads are cheap here, and one counter row would serialize every change to keys.
}

func mapError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			return store.ErrConflict
		case "23503": // foreign_key_violation
			return store.ErrInvalidReference
		}
	}
	return nil
}

// lockMigrations takes a session advisory lock keyed by the schema, so processes starting at once take
// turns and the later ones find everything applied, and creates the schema. The returned function
// unlocks, even when ctx is gone; a failed unlock ends with the session.
func lockMigrations(ctx context.Context, c *sql.Conn, schema string) (func(), error) {
	h := fnv.New64a()
	h.Write([]byte("refapp-migrate:" + schema))
	lock := int64(h.Sum64())
	if _, err := c.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, lock); err != nil {
		return nil, fmt.Errorf("take the migration lock: %w", err)
	}
	unlock := func() {
		uctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := c.ExecContext(uctx, `SELECT pg_advisory_unlock($1)`, lock); err != nil {
			_ = c.Raw(func(dc any) error { return dc.(*stdlib.Conn).Conn().Close(uctx) })
		}
	}
	if schema != "" {
		if _, err := c.ExecContext(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{schema}.Sanitize()); err != nil {
			unlock()
			return nil, fmt.Errorf("create schema %q: %w", schema, err)
		}
	}
	return unlock, nil
}
