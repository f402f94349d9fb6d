package sqlcore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Statement handling: every statement is prepared once per query text and kept (parsing SQL was a
// third of the CPU of a SCIM push before statements were kept). Reads go through the pool. Writes go,
// with GroupCommit, through one writer connection, one batch at a time; otherwise through a pool
// transaction each.

// querier runs statements written with "?" placeholders.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// runner is a querier on the pool (reads), on the writer connection (w; wmu held) or in a pool
// transaction (tx).
type runner struct {
	s  *Store
	w  bool
	tx *sql.Tx
}

func (s *Store) q() runner { return runner{s: s} }

// stmt returns the prepared statement for query, or nil when it cannot be kept (the plain call then
// runs the query and reports any error). Pool transactions run plain calls: preparing on the pool
// while holding a transaction's connection could wait for a connection forever, and the drivers that
// use pool transactions (pgx) keep statements prepared per connection themselves.
func (r runner) stmt(ctx context.Context, query string) *sql.Stmt {
	switch {
	case r.w:
		return r.s.wstmts.get(ctx, r.s.wconn, &r.s.d, query)
	case r.tx != nil:
		return nil
	}
	return r.s.stmts.get(ctx, r.s.db, &r.s.d, query)
}

func (r runner) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	args = r.s.bindArgs(args)
	if st := r.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return r.plain().ExecContext(ctx, r.s.d.rebind(query), args...)
}

func (r runner) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	args = r.s.bindArgs(args)
	if st := r.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return r.plain().QueryContext(ctx, r.s.d.rebind(query), args...)
}

func (r runner) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	args = r.s.bindArgs(args)
	if st := r.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return r.plain().QueryRowContext(ctx, r.s.d.rebind(query), args...)
}

// plain is where a statement that is not kept prepared runs.
func (r runner) plain() querier {
	switch {
	case r.w:
		return r.s.wconn
	case r.tx != nil:
		return r.tx
	}
	return r.s.db
}

// stmtCache keeps prepared statements by query text, at most maxCachedStmts.
type stmtCache struct {
	mu sync.RWMutex
	m  map[string]*sql.Stmt
}

// get returns the statement for query, prepared by p (in d's placeholders) when it is not kept yet; nil
// when it cannot be.
func (c *stmtCache) get(ctx context.Context, p preparer, d *Dialect, query string) *sql.Stmt {
	c.mu.RLock()
	st := c.m[query]
	c.mu.RUnlock()
	if st != nil {
		return st
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st = c.m[query]; st == nil && len(c.m) < maxCachedStmts {
		var err error
		if st, err = p.PrepareContext(ctx, d.rebind(query)); err != nil {
			return nil
		}
		if c.m == nil {
			c.m = map[string]*sql.Stmt{}
		}
		c.m[query] = st
	}
	return st
}

// reset closes every kept statement.
func (c *stmtCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
}

// preparer is the pool (*sql.DB) or the writer connection (*sql.Conn).
type preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// Reads scan each record with a scanFunc through one (a single row) or all (every row); get and list are
// the same on the pool with the error mapped. Writes that stand alone go through write or writeOne.

// scanner is a row to scan: *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// scanFunc reads one record from a row.
type scanFunc[T any] func(scanner) (T, error)

// fields is the scanFunc of a record whose columns scan into dest(&record), in order.
func fields[T any](dest func(*T) []any) scanFunc[T] {
	return func(sc scanner) (v T, err error) {
		err = sc.Scan(dest(&v)...)
		return v, err
	}
}

// one scans the row query returns with scan; sql.ErrNoRows when there is none.
func one[T any](ctx context.Context, q querier, scan scanFunc[T], query string, args ...any) (T, error) {
	v, err := scan(q.QueryRowContext(ctx, query, args...))
	if err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}

// all scans every row query returns with scan.
func all[T any](ctx context.Context, q querier, scan scanFunc[T], query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// get is one on the pool, its error mapped for op.
func get[T any](ctx context.Context, s *Store, op string, scan scanFunc[T], query string, args ...any) (T, error) {
	v, err := one(ctx, s.q(), scan, query, args...)
	return v, s.mapErr(op, err)
}

// list is all on the pool, its error mapped for op.
func list[T any](ctx context.Context, s *Store, op string, scan scanFunc[T], query string, args ...any) ([]T, error) {
	vs, err := all(ctx, s.q(), scan, query, args...)
	return vs, s.mapErr(op, err)
}

// count scans a single number (a COUNT, a counter).
func count(sc scanner) (int, error) {
	var n int
	err := sc.Scan(&n)
	return n, err
}

// write runs one writing statement as its own committed transaction, its error mapped for op.
func (s *Store) write(ctx context.Context, op, query string, args ...any) error {
	_, err := s.exec(ctx, query, args...)
	return s.mapErr(op, err)
}

// writeOne is write for a statement that must change a row: ErrNotFound when it changes none.
func (s *Store) writeOne(ctx context.Context, op, query string, args ...any) error {
	return s.mapErr(op, affected(s.exec(ctx, query, args...)))
}

// execOne runs a statement that must change a row: sql.ErrNoRows when it changes none.
func execOne(ctx context.Context, q querier, query string, args ...any) error {
	return affected(q.ExecContext(ctx, query, args...))
}

// affected turns "no row changed" into sql.ErrNoRows.
func affected(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return sql.ErrNoRows
	}
	return nil
}

// tx runs fn in a transaction (inTx), its error mapped for op.
func (s *Store) tx(ctx context.Context, op string, fn func(tx querier) error) error {
	return s.mapErr(op, s.inTx(ctx, fn))
}

// exec runs one writing statement as its own committed transaction.
func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if !s.d.GroupCommit {
		return s.q().ExecContext(ctx, query, args...)
	}
	var res sql.Result
	err := s.inTx(ctx, func(tx querier) error {
		var err error
		res, err = tx.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}

// inTx runs fn in a transaction and returns once it is committed.
func (s *Store) inTx(ctx context.Context, fn func(tx querier) error) error {
	if s.d.GroupCommit {
		return s.groupCommit(fn)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(runner{s: s, tx: tx}); err != nil {
		return errors.Join(err, ignoreDone(tx.Rollback()))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// txItem is one caller's transaction waiting for the writer.
type txItem struct {
	fn   func(tx querier) error
	done chan error // receives fn's outcome once its transaction has committed or failed
}

// groupCommit runs fn in a transaction on the writer connection and returns once it is committed.
// Callers that arrive while the writer is busy queue up, and the next one to get the writer runs every
// queued fn in one transaction, each inside its own savepoint, so one fn's error rolls back only its
// own changes; callers that queue while that batch runs join it before its COMMIT, so one fsync serves
// as many as possible. A later fn sees an earlier one's writes, exactly as if they had run one after
// the other, and no caller returns before the commit that holds its writes.
func (s *Store) groupCommit(fn func(tx querier) error) error {
	it := &txItem{fn: fn, done: make(chan error, 1)}
	s.qmu.Lock()
	s.queue = append(s.queue, it)
	s.qmu.Unlock()

	s.wmu.Lock()
	select {
	case err := <-it.done: // the previous holder of the writer ran it
		s.wmu.Unlock()
		return err
	default:
	}
	s.runBatch()
	s.wmu.Unlock()
	return <-it.done
}

// maxBatch bounds how many callers one transaction serves, so the first of them is not kept waiting
// for its commit while others keep joining.
const maxBatch = 64

// takeQueued removes up to n items from the queue.
func (s *Store) takeQueued(n int) []*txItem {
	s.qmu.Lock()
	defer s.qmu.Unlock()
	n = min(n, len(s.queue))
	batch := s.queue[:n:n]
	s.queue = s.queue[n:]
	return batch
}

// runBatch runs the queued transactions as one; wmu held. Every item it takes gets exactly one result,
// sent when its transaction has committed or failed.
func (s *Store) runBatch() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // BEGIN/COMMIT outlive any one request
	defer cancel()
	w := runner{s: s, w: true}
	batch := s.takeQueued(maxBatch)
	var errs []error
	defer func() {
		for i, it := range batch {
			it.done <- errs[i]
		}
	}()
	if _, err := w.ExecContext(ctx, s.d.Begin); err != nil {
		s.writerFailed(err)
		for range batch {
			errs = append(errs, fmt.Errorf("begin transaction: %w", err))
		}
		return
	}
	if len(batch) == 1 && s.queueEmpty() { // alone: no savepoint needed
		if errs = append(errs, batch[0].fn(w)); errs[0] != nil { // a failure rolls back the whole
			s.rollback(errs[0])
			return
		}
	} else {
		for len(errs) < len(batch) {
			errs = append(errs, s.runItem(ctx, w, batch[len(errs)]))
			if len(errs) == len(batch) { // those who queued meanwhile share this commit
				batch = append(batch, s.takeQueued(maxBatch-len(batch))...)
			}
		}
	}
	if _, err := w.ExecContext(ctx, "COMMIT"); err != nil {
		s.rollback(err)
		for i := range errs {
			if errs[i] == nil {
				errs[i] = fmt.Errorf("commit: %w", err)
			}
		}
	}
}

func (s *Store) queueEmpty() bool {
	s.qmu.Lock()
	defer s.qmu.Unlock()
	return len(s.queue) == 0
}

// runItem runs one fn inside a savepoint, rolling back to it when fn fails.
func (s *Store) runItem(ctx context.Context, w runner, it *txItem) error {
	if _, err := w.ExecContext(ctx, "SAVEPOINT item"); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	err := it.fn(w)
	if err != nil {
		if _, rerr := w.ExecContext(ctx, "ROLLBACK TO SAVEPOINT item"); rerr != nil {
			err = errors.Join(err, fmt.Errorf("rollback to savepoint: %w", rerr))
		}
	}
	if _, rerr := w.ExecContext(ctx, "RELEASE SAVEPOINT item"); rerr != nil && err == nil {
		err = fmt.Errorf("release savepoint: %w", rerr)
	}
	return err
}

// rollback ends a failed transaction, even when the request's context is gone.
func (s *Store) rollback(cause error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.wconn.ExecContext(ctx, "ROLLBACK"); err != nil {
		s.writerFailed(errors.Join(cause, err))
	}
}

// writerFailed replaces the writer connection when err says it is broken.
func (s *Store) writerFailed(err error) {
	if !errors.Is(err, driver.ErrBadConn) && !errors.Is(err, sql.ErrConnDone) {
		return
	}
	_ = s.resetWriter(context.Background())
}

// resetWriter (re)opens the writer connection; wmu held or not yet shared.
func (s *Store) resetWriter(ctx context.Context) error {
	s.closeWriter()
	c, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("open writer connection: %w", err)
	}
	s.wconn = c
	return nil
}

func (s *Store) closeWriter() {
	s.wstmts.reset()
	if s.wconn != nil {
		s.wconn.Close()
		s.wconn = nil
	}
}
