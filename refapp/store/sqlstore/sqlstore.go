// Package sqlstore is the SQLite backend of refapp's store: its Open, its migrations and its dialect
// over the one SQL implementation in sqlcore, on the pure-Go modernc.org/sqlite driver.
//
// One file, WAL journal with synchronous=FULL (a transaction is on disk, WAL fsynced, before its call
// returns, so every 2xx the app sends survives a power loss), a busy timeout so a second process's
// writers wait instead of failing, and foreign keys on. SQLite allows one writer at a time, so the
// dialect asks for group commit: writes go through one connection and writers that arrive together
// share one transaction and one fsync (see sqlcore); no row locks are needed, and savepoints journal
// in memory. Reads pay for every commit (each connection's page cache is dropped), so the dialect asks
// for KeyGrant's answers to be cached, checked against a counter triggers keep. Times are RFC 3339
// text; the outbox's next attempt, which SQL compares, is Unix nanoseconds.
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
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ssoconform/ssoconform/refapp/store"
	"github.com/ssoconform/ssoconform/refapp/store/sqlcore"
)

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
	q.Add("_pragma", "temp_store(MEMORY)") // savepoints journal in memory, not in a temporary file
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	// Keep connections (and the statements prepared on them) instead of closing all but two after each burst.
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	st, err := sqlcore.New(ctx, db, dialect)
	if err != nil {
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	return st, nil
}

var dialect = sqlcore.Dialect{
	Name:        "sqlite",
	GroupCommit: true,
	GrantTrigger: func(table, event, bump string) string {
		return "CREATE TRIGGER " + table + "_" + strings.ToLower(event) + "_grant AFTER " + event + " ON " + table +
			" BEGIN " + bump + "; END;"
	},
	Begin: "BEGIN IMMEDIATE",
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
	Schema: map[string]string{"TIME": "TEXT", "SORTABLE_TIME": "INTEGER", "BYTES": "BLOB", "BOOL": "INTEGER",
		"SEQ":             "INTEGER NOT NULL",
		"EMAILS_OF_EMAIL": "json_array(json_object('value', email, 'type', email_type, 'primary', json('true')))"},
	BeforeMigrate: renameNextAttempt,
}

// renameNextAttempt gives the outbox's next attempt, in files made before the migrations were shared,
// the name the shared queries use (it was next_attempt_ns; it still holds Unix nanoseconds).
func renameNextAttempt(ctx context.Context, c *sql.Conn) (func(), error) {
	var n int
	if err := c.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_table_info('mail_outbox')
		WHERE name = 'next_attempt_ns'`).Scan(&n); err != nil {
		return nil, fmt.Errorf("look for next_attempt_ns: %w", err)
	}
	if n > 0 {
		_, err := c.ExecContext(ctx, `ALTER TABLE mail_outbox RENAME COLUMN next_attempt_ns TO next_attempt_at`)
		if err != nil {
			return nil, fmt.Errorf("rename next_attempt_ns: %w", err)
		}
	}
	return func() {}, nil
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
