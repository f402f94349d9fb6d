package pgstore

import (
	"context"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrate applies the pending migrations while holding a session advisory
// lock keyed by the schema, so processes starting at once take turns and the
// later ones find everything applied.
func (s *Store) migrate(ctx context.Context) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Release()
	lock := lockKey(s.schema)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, lock); err != nil {
		return fmt.Errorf("take the migration lock: %w", err)
	}
	defer func() {
		// Unlock even when ctx is gone; a failed unlock ends with the session.
		uctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := conn.Exec(uctx, `SELECT pg_advisory_unlock($1)`, lock); err != nil {
			_ = conn.Conn().Close(uctx)
		}
	}()
	return applyAll(ctx, conn, s.schema)
}

func applyAll(ctx context.Context, conn *pgxpool.Conn, schema string) error {
	if schema != "" {
		if _, err := conn.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{schema}.Sanitize()); err != nil {
			return fmt.Errorf("create schema %q: %w", schema, err)
		}
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := applyMigration(ctx, conn, name); err != nil {
			return err
		}
	}
	return nil
}

func applyMigration(ctx context.Context, conn *pgxpool.Conn, path string) error {
	base := path[strings.LastIndex(path, "/")+1:]
	var version int
	if _, err := fmt.Sscanf(base, "%04d_", &version); err != nil {
		return fmt.Errorf("migration %s: name must start with a 4-digit number: %w", base, err)
	}
	body, err := migrationFS.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read migration %s: %w", base, err)
	}
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, version).Scan(&n); err != nil {
			return fmt.Errorf("check migration %s: %w", base, err)
		}
		if n > 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, string(body)); err != nil { // no arguments: the simple protocol runs several statements
			return fmt.Errorf("apply migration %s: %w", base, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
			version, base, time.Now()); err != nil {
			return fmt.Errorf("record migration %s: %w", base, err)
		}
		return nil
	})
}

// lockKey is the advisory lock of the schema's migrations.
func lockKey(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("refapp-migrate:" + schema))
	return int64(h.Sum64())
}
