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

// inTx runs fn in a transaction on the writer connection (BEGIN IMMEDIATE)
// and commits; with synchronous=FULL the commit is on disk when inTx returns.
func (s *Store) inTx(ctx context.Context, fn func(tx querier) error) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	w := writer{s: s}
	if _, err := w.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		s.writerFailed(err)
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(w); err != nil {
		s.rollback(err)
		return err
	}
	if _, err := w.ExecContext(ctx, "COMMIT"); err != nil {
		s.rollback(err)
		return fmt.Errorf("commit: %w", err)
	}
	return nil
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
