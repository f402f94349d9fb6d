// Package sqlcore is refapp's one SQL implementation of store.Store, over database/sql. Every query,
// transaction and scan is written here once; a Dialect says what truly differs between databases, and
// each database's package (sqlstore for SQLite, pgstore for PostgreSQL) keeps only its Open, its
// migrations and its Dialect.
//
// What a Dialect decides:
//   - placeholders: queries are written with "?" and rebound once, when prepared (PostgreSQL: $1, $2...);
//   - time encoding: a time.Time argument is encoded by Dialect.Time (SQLite: RFC 3339 text) and a
//     Sortable one, compared in SQL, by Dialect.SortableTime (SQLite: Unix nanoseconds); scans accept
//     every encoding, so reading needs no dialect;
//   - row locking (FOR UPDATE clauses; empty where writers are serialized anyway) and creation order
//     (a seq column the database fills, or a MAX(seq)+1 sub-query);
//   - error mapping: the driver's unique and foreign-key violations become store.ErrConflict and
//     store.ErrInvalidReference;
//   - the SCIM filter's starts-with and contains (filter.go compiles the rest of a filter, with every
//     operand a bound value);
//   - how writes are committed: GroupCommit sends every write through one connection, and writers that
//     arrive while it is busy share one transaction (one fsync), each in its own savepoint (conn.go);
//     otherwise each write is its own transaction on the pool;
//   - the schema's words: one set of numbered migrations (migrations/NNNN_name.sql) serves every
//     database, with {{TIME}}, {{BYTES}}, {{BOOL}}, {{SEQ}}, {{SORTABLE_TIME}} and the like replaced
//     by Dialect.Schema; an optional hook runs first on the migrating connection (PostgreSQL takes an
//     advisory lock, SQLite renames a column its older files named otherwise).
//
// Uniqueness is always enforced by unique indexes inside the write's transaction; upserts and
// single-use consumption use INSERT ... ON CONFLICT and UPDATE ... RETURNING, which every supported
// database has.
//
// Adding a third database is a new package with an Open and a Dialect:
//
//	var dialect = sqlcore.Dialect{
//		Name:     "mysql",
//		Schema:   map[string]string{"TIME": "DATETIME(6)", "BYTES": "VARBINARY(255)", "BOOL": "BOOLEAN",
//			"SEQ": "BIGINT NOT NULL AUTO_INCREMENT UNIQUE", "SORTABLE_TIME": "DATETIME(6)", ...},
//		NextSeq:  func(string) string { return "DEFAULT" },
//		LockRow:  "FOR UPDATE",
//		MapError: mapMySQLError, // 1062 -> store.ErrConflict, 1452 -> store.ErrInvalidReference
//		StartsWith: ..., Contains: ...,
//	}
//
//	func Open(ctx context.Context, dsn string) (*sqlcore.Store, error) {
//		db, err := sql.Open("mysql", dsn)
//		if err != nil { ... }
//		return sqlcore.New(ctx, db, dialect)
//	}
//
// and storetest.Run in its tests. Nothing in this package changes.
package sqlcore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// Dialect is what differs between the databases. Zero fields take the default their comment names.
type Dialect struct {
	// Name names the database in errors ("sqlite", "postgres").
	Name string
	// Numbered rebinds "?" placeholders to $1, $2, ... (PostgreSQL). Default: "?" kept.
	Numbered bool
	// GroupCommit sends every write through one connection, queued writers sharing a transaction.
	GroupCommit bool
	// GrantTrigger, when set, makes KeyGrant answer from a cache kept per grant epoch (orgs.go). It is the
	// statement creating a trigger that runs bump after each event ("INSERT", "UPDATE" or "DELETE") on
	// table; migration 0007 puts one on each table a grant is read from. Without it KeyGrant always joins.
	GrantTrigger func(table, event, bump string) string
	// Begin starts a group-commit transaction. Default "BEGIN".
	Begin string
	// LockRow is appended to a read whose row the transaction then writes ("FOR UPDATE").
	LockRow string
	// LockParent is appended to a read that serializes changes under a parent row without blocking
	// inserts that reference it ("FOR NO KEY UPDATE").
	LockParent string
	// SkipLocked is appended to the outbox claim so senders never take the same rows ("FOR UPDATE SKIP LOCKED").
	SkipLocked string
	// NextSeq is the value inserted into table's seq column (creation order).
	NextSeq func(table string) string
	// Time encodes a stored time. Default: the time.Time in UTC.
	Time func(time.Time) any
	// SortableTime encodes a time SQL compares (Sortable arguments). Default: Time.
	SortableTime func(time.Time) any
	// MapError returns store.ErrConflict or store.ErrInvalidReference for the driver errors that mean
	// them, else nil.
	MapError func(error) error
	// StartsWith and Contains are the SCIM filter's sw and co on expr, binding their operands with bind.
	StartsWith func(bind func(any) string, expr, v string) string
	Contains   func(bind func(any) string, expr, v string) string

	// Schema maps each {{WORD}} of the migrations to the database's own text: TIME (a stored time),
	// SORTABLE_TIME (a time SQL compares), BYTES, BOOL, SEQ (a creation-order column the database or
	// NextSeq fills) and EMAILS_OF_EMAIL (a member's emails_json built from its email column).
	Schema map[string]string
	// BeforeMigrate, when set, runs first on the migrating connection; the function it returns runs
	// when migrating ends (PostgreSQL: create the schema, take and release an advisory lock).
	BeforeMigrate func(ctx context.Context, c *sql.Conn) (func(), error)
}

// Sortable marks a time argument the SQL compares: it is encoded with Dialect.SortableTime.
type Sortable time.Time

// Store is a store.Store on a database/sql database.
type Store struct {
	db *sql.DB
	d  Dialect

	stmts stmtCache // prepared pool statements (see runner.stmt)

	// Group commit (conn.go): wmu guards the writer connection and its statements; qmu the queue of
	// transactions waiting for it.
	wmu    sync.Mutex
	wconn  *sql.Conn
	wstmts stmtCache
	qmu    sync.Mutex
	queue  []*txItem
	grants grantCache
}

var _ store.Store = (*Store)(nil)

// maxCachedStmts bounds each statement cache; filters of unusual shapes past it are prepared each time.
const maxCachedStmts = 512

// New runs d's pending migrations on db and returns the store; the store owns db from then on, and
// closes it when New fails.
func New(ctx context.Context, db *sql.DB, d Dialect) (*Store, error) {
	if d.Begin == "" {
		d.Begin = "BEGIN"
	}
	if d.Time == nil {
		d.Time = func(t time.Time) any { return t.UTC() }
	}
	if d.SortableTime == nil {
		d.SortableTime = d.Time
	}
	s := &Store{db: db, d: d}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if d.GroupCommit {
		if err := s.resetWriter(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	return s, nil
}

// DB is the database the store runs on (for tests and tools that need plain SQL).
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the prepared statements, the writer connection and the database.
func (s *Store) Close() error {
	s.stmts.reset()
	s.wmu.Lock()
	s.closeWriter()
	s.wmu.Unlock()
	return s.db.Close()
}

// mapErr turns driver errors into the store's sentinel errors.
func (s *Store) mapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	if s.d.MapError != nil {
		if sentinel := s.d.MapError(err); sentinel != nil {
			return fmt.Errorf("%s: %w", op, sentinel)
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// bindArgs encodes time arguments for the database; args is changed in place.
func (s *Store) bindArgs(args []any) []any {
	for i, a := range args {
		switch v := a.(type) {
		case time.Time:
			args[i] = s.d.Time(v)
		case Sortable:
			args[i] = s.d.SortableTime(time.Time(v))
		}
	}
	return args
}

// rebind turns "?" placeholders into the dialect's. Queries hold no "?" inside string literals.
func (d *Dialect) rebind(query string) string {
	if !d.Numbered || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for _, r := range query {
		if r != '?' {
			b.WriteRune(r)
			continue
		}
		n++
		b.WriteString("$" + strconv.Itoa(n))
	}
	return b.String()
}

// stamp scans a stored time whatever the driver returns for it: a time.Time, RFC 3339 text, Unix
// nanoseconds (a SortableTime), or NULL (the zero time).
type stamp struct{ t *time.Time }

func at(t *time.Time) stamp { return stamp{t: t} }

func (s stamp) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s.t = time.Time{}
	case time.Time:
		*s.t = v.UTC()
	case int64:
		*s.t = time.Unix(0, v).UTC()
	case string:
		return s.parse(v)
	case []byte:
		return s.parse(string(v))
	default:
		return fmt.Errorf("stored time of type %T", src)
	}
	return nil
}

func (s stamp) parse(v string) error {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return fmt.Errorf("parse stored time %q: %w", v, err)
	}
	*s.t = t.UTC()
	return nil
}

func key(s string) string { return strings.ToLower(s) }

// nullable is NULL for the empty string.
func nullable(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
