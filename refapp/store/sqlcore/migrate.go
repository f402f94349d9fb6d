package sqlcore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"sort"
	"time"
)

// migrate applies the dialect's pending migrations in order, each in its own transaction with its row
// in schema_migrations, on one connection (after the dialect's BeforeMigrate hook).
func (s *Store) migrate(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close()
	if s.d.BeforeMigrate != nil {
		done, err := s.d.BeforeMigrate(ctx, conn)
		if err != nil {
			return err
		}
		defer done()
	}
	if _, err := conn.ExecContext(ctx, s.d.MigrationsTable); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := fs.Glob(s.d.Migrations, "*.sql")
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	if len(names) == 0 {
		return fmt.Errorf("no %s migrations", s.d.Name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := s.applyMigration(ctx, conn, name); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) applyMigration(ctx context.Context, conn *sql.Conn, name string) error {
	var version int
	if _, err := fmt.Sscanf(name, "%04d_", &version); err != nil {
		return fmt.Errorf("migration %s: name must start with a 4-digit number: %w", name, err)
	}
	body, err := fs.ReadFile(s.d.Migrations, name)
	if err != nil {
		return fmt.Errorf("read migration %s: %w", name, err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: %w", name, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	var n int
	if err := tx.QueryRowContext(ctx, s.rebind(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), version).
		Scan(&n); err != nil {
		return fmt.Errorf("check migration %s: %w", name, err)
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil { // no arguments: several statements run
		return fmt.Errorf("apply migration %s: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
		s.bindArgs([]any{version, name, time.Now()})...); err != nil {
		return fmt.Errorf("record migration %s: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit migration %s: %w", name, err)
	}
	return nil
}
