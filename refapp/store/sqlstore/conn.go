package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"
)

// Statement handling: reads go through the pool with statements prepared
// once per query text (cached); writes go through one writer connection
// (writer), one at a time, with statements prepared on it once, BEGIN
// IMMEDIATE and COMMIT included. Parsing SQL was a third of the CPU of a SCIM
// push before statements were kept.

// cached runs reads on the pool through prepared statements kept per query text.
type cached struct{ s *Store }

func (s *Store) q() cached { return cached{s: s} }

// stmt returns the prepared statement for query, or nil when it cannot be
// kept (cache full or prepare failed; the plain call then reports any error).
func (c cached) stmt(ctx context.Context, query string) *sql.Stmt {
	c.s.mu.RLock()
	st := c.s.stmts[query]
	c.s.mu.RUnlock()
	if st != nil {
		return st
	}
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if st = c.s.stmts[query]; st == nil && len(c.s.stmts) < maxCachedStmts {
		var err error
		if st, err = c.s.db.PrepareContext(ctx, query); err != nil {
			return nil
		}
		c.s.stmts[query] = st
	}
	return st
}

func (c cached) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := c.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return c.s.db.ExecContext(ctx, query, args...)
}

func (c cached) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := c.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.s.db.QueryContext(ctx, query, args...)
}

func (c cached) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := c.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.s.db.QueryRowContext(ctx, query, args...)
}

// writer runs statements on the writer connection; only used with wmu held.
type writer struct{ s *Store }

func (w writer) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st := w.s.wstmts[query]; st != nil {
		return st, nil
	}
	st, err := w.s.wconn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if len(w.s.wstmts) < maxCachedStmts {
		w.s.wstmts[query] = st
	}
	return st, nil
}

func (w writer) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := w.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (w writer) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := w.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (w writer) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := w.stmt(ctx, query)
	if err != nil {
		return w.s.wconn.QueryRowContext(ctx, query, args...) // reports the error
	}
	return st.QueryRowContext(ctx, args...)
}

// txItem is one caller's transaction waiting for the writer.
type txItem struct {
	fn   func(tx querier) error
	done chan error // receives fn's outcome once its transaction has committed or failed
}

// inTx runs fn in a transaction on the writer connection and returns once it is committed; with
// synchronous=FULL the commit is on disk by then. Group commit: callers that arrive while the writer is
// busy queue up, and the next one to get the writer runs every queued fn in one transaction (BEGIN
// IMMEDIATE), each inside its own savepoint, so one fn's error rolls back only its own changes; one
// COMMIT (one fsync) then serves them all. A later fn sees an earlier one's writes, exactly as if they
// had run one after the other, and no caller returns before the commit that holds its writes.
func (s *Store) inTx(_ context.Context, fn func(tx querier) error) error {
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
	s.qmu.Lock()
	batch := s.queue
	s.queue = nil
	s.qmu.Unlock()
	s.runBatch(batch)
	s.wmu.Unlock()
	return <-it.done
}

// runBatch runs the queued transactions as one; wmu held. Every item gets exactly one result.
func (s *Store) runBatch(batch []*txItem) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // BEGIN/COMMIT outlive any one request
	defer cancel()
	w := writer{s: s}
	finish := func(errs []error) {
		for i, it := range batch {
			it.done <- errs[i]
		}
	}
	errs := make([]error, len(batch))
	if _, err := w.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		s.writerFailed(err)
		for i := range errs {
			errs[i] = fmt.Errorf("begin transaction: %w", err)
		}
		finish(errs)
		return
	}
	for i, it := range batch {
		if err := s.runItem(ctx, w, it); err != nil {
			errs[i] = err
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
	finish(errs)
}

// runItem runs one fn inside a savepoint, rolling back to it when fn fails.
func (s *Store) runItem(ctx context.Context, w writer, it *txItem) error {
	if _, err := w.ExecContext(ctx, "SAVEPOINT item"); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	err := it.fn(w)
	if err != nil {
		if _, rerr := w.ExecContext(ctx, "ROLLBACK TO item"); rerr != nil {
			err = errors.Join(err, fmt.Errorf("rollback to savepoint: %w", rerr))
		}
	}
	if _, rerr := w.ExecContext(ctx, "RELEASE item"); rerr != nil && err == nil {
		err = fmt.Errorf("release savepoint: %w", rerr)
	}
	return err
}

// exec runs one writing statement outside a transaction (autocommit) on the writer.
func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	res, err := writer{s: s}.ExecContext(ctx, query, args...)
	s.writerFailed(err)
	return res, err
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
	s.wconn, s.wstmts = c, map[string]*sql.Stmt{}
	return nil
}

func (s *Store) closeWriter() {
	for _, st := range s.wstmts {
		st.Close()
	}
	s.wstmts = nil
	if s.wconn != nil {
		s.wconn.Close()
		s.wconn = nil
	}
}
