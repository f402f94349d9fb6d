package sqlcore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

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
	if _, err := conn.ExecContext(ctx, s.schema(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at {{TIME}} NOT NULL)`)); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
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

// schema replaces the migrations' {{WORDS}} with the dialect's, and {{GRANT_EPOCH_BUMPS}} with its
// grant triggers.
func (s *Store) schema(sql string) string {
	pairs := []string{"{{GRANT_EPOCH_BUMPS}}", s.d.grantTriggers()}
	for word, text := range s.d.Schema {
		pairs = append(pairs, "{{"+word+"}}", text)
	}
	return strings.NewReplacer(pairs...).Replace(sql)
}

func (s *Store) applyMigration(ctx context.Context, conn *sql.Conn, path string) error {
	name := path[strings.LastIndex(path, "/")+1:]
	var version int
	if _, err := fmt.Sscanf(name, "%04d_", &version); err != nil {
		return fmt.Errorf("migration %s: name must start with a 4-digit number: %w", name, err)
	}
	body, err := migrationFS.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read migration %s: %w", name, err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: %w", name, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	var n int
	if err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), version).
		Scan(&n); err != nil {
		return fmt.Errorf("check migration %s: %w", name, err)
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, s.schema(string(body))); err != nil { // no arguments: several statements run
		return fmt.Errorf("apply migration %s: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
		s.bindArgs([]any{version, name, time.Now()})...); err != nil {
		return fmt.Errorf("record migration %s: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit migration %s: %w", name, err)
	}
	return nil
}
