// Package sqlstore is the SQLite backend of refapp's store: its Open, its migrations and its dialect
// over the one SQL implementation in sqlcore, on the pure-Go modernc.org/sqlite driver.
//
// One file, WAL journal with synchronous=FULL (a transaction is on disk, WAL fsynced, before its call
// returns, so every 2xx the app sends survives a power loss), a busy timeout so a second process's
// writers wait instead of failing, foreign keys on, and embedded numbered migrations
// (migrations/sqlite/NNNN_name.sql). SQLite allows one writer at a time, so the dialect asks for group
// commit: writes go through one connection and writers that arrive together share one transaction and
// one fsync (see sqlcore); no row locks are needed. Times are RFC 3339 text; the outbox's next attempt,
// which SQL compares, is Unix nanoseconds.
//
// Usage:
//
//	st, err := sqlstore.Open(ctx, "/var/lib/refapp/refapp.db")
//	if err != nil { ... }
//	defer st.Close()
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"time"
	"unicode/utf8"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ssoconform/ssoconform/refapp/store"
	"github.com/ssoconform/ssoconform/refapp/store/sqlcore"
)

//go:embed migrations/sqlite/*.sql
var migrationFS embed.FS

// Store is the shared SQL store; Open gives one on SQLite.
type Store = sqlcore.Store

// maxConns bounds the pool: the writer plus readers, each with its own page cache.
const maxConns = 16

// Open opens (creating if needed) the SQLite database at path and applies pending migrations.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("open sqlite store: empty path")
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	// Keep connections (and the statements prepared on them) instead of closing all but two after each burst.
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	migrations, err := fs.Sub(migrationFS, "migrations/sqlite")
	if err != nil {
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	d := dialect
	d.Migrations = migrations
	st, err := sqlcore.New(ctx, db, d)
	if err != nil {
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	return st, nil
}

var dialect = sqlcore.Dialect{
	Name:        "sqlite",
	GroupCommit: true,
	Begin:       "BEGIN IMMEDIATE",
	NextSeq: func(table string) string {
		return "(SELECT COALESCE(MAX(seq), 0) + 1 FROM " + table + ")"
	},
	Time:         func(t time.Time) any { return t.UTC().Format(time.RFC3339Nano) },
	SortableTime: func(t time.Time) any { return t.UnixNano() },
	MapError:     mapError,
	// Both compare plain strings: no LIKE wildcards to escape.
	StartsWith: func(bind func(any) string, expr, v string) string {
		return "substr(" + expr + ", 1, " + bind(utf8.RuneCountInString(v)) + ") = " + bind(v)
	},
	Contains: func(bind func(any) string, expr, v string) string {
		return "instr(" + expr + ", " + bind(v) + ") > 0"
	},
	MigrationsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
}

func mapError(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return store.ErrConflict
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return store.ErrInvalidReference
		}
	}
	return nil
}
