package sqlcore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
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
		return r.s.writerStmt(ctx, query)
	case r.tx != nil:
		return nil
	}
	return r.s.poolStmt(ctx, query)
}

func (r runner) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	args = r.s.bindArgs(args)
	if st := r.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return r.plain().ExecContext(ctx, r.s.rebind(query), args...)
}

func (r runner) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	args = r.s.bindArgs(args)
	if st := r.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return r.plain().QueryContext(ctx, r.s.rebind(query), args...)
}

func (r runner) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	args = r.s.bindArgs(args)
	if st := r.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return r.plain().QueryRowContext(ctx, r.s.rebind(query), args...)
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

func (s *Store) poolStmt(ctx context.Context, query string) *sql.Stmt {
	s.mu.RLock()
	st := s.stmts[query]
	s.mu.RUnlock()
	if st != nil {
		return st
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st = s.stmts[query]; st == nil && len(s.stmts) < maxCachedStmts {
		var err error
		if st, err = s.db.PrepareContext(ctx, s.rebind(query)); err != nil {
			return nil
		}
		s.stmts[query] = st
	}
	return st
}

// writerStmt prepares query on the writer connection; wmu held.
func (s *Store) writerStmt(ctx context.Context, query string) *sql.Stmt {
	if st := s.wstmts[query]; st != nil {
		return st
	}
	if len(s.wstmts) >= maxCachedStmts {
		return nil
	}
	st, err := s.wconn.PrepareContext(ctx, s.rebind(query))
	if err != nil {
		return nil
	}
	s.wstmts[query] = st
	return st
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
	if s.d.GroupCommit && !ackBeforeCommit {
		return s.groupCommit(fn)
	}
	txCtx := ctx
	if ackBeforeCommit { // the late commit outlives the request, whose end would roll it back
		txCtx = context.WithoutCancel(ctx)
	}
	tx, err := s.db.BeginTx(txCtx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(runner{s: s, tx: tx}); err != nil {
		return errors.Join(err, ignoreDone(tx.Rollback()))
	}
	if ackBeforeCommit { // only in a nodurability build (one transaction at a time on SQLite, none grouped)
		go func() { time.Sleep(lateCommitDelay); _ = tx.Commit() }()
		return nil
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
// own changes; one COMMIT (one fsync) then serves them all. A later fn sees an earlier one's writes,
// exactly as if they had run one after the other, and no caller returns before the commit that holds
// its writes.
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
	w := runner{s: s, w: true}
	errs := make([]error, len(batch))
	defer func() {
		for i, it := range batch {
			it.done <- errs[i]
		}
	}()
	if _, err := w.ExecContext(ctx, s.d.Begin); err != nil {
		s.writerFailed(err)
		for i := range errs {
			errs[i] = fmt.Errorf("begin transaction: %w", err)
		}
		return
	}
	if len(batch) == 1 { // alone in its transaction: no savepoint needed, a failure rolls back the whole
		if errs[0] = batch[0].fn(w); errs[0] != nil {
			s.rollback(errs[0])
			return
		}
	} else {
		for i, it := range batch {
			errs[i] = s.runItem(ctx, w, it)
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
