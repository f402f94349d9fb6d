package storetest

import (
	"crypto/rand"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// PostgresVar names the environment variable that holds the DSN of the PostgreSQL database the store's
// PostgreSQL tests run on; they skip when it is unset.
const PostgresVar = "REFAPP_TEST_POSTGRES_DSN"

// PostgresDSN returns the DSN in PostgresVar, or skips the test, saying how to set it.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(PostgresVar)
	if dsn == "" {
		t.Skip(PostgresVar + " is unset, so the PostgreSQL store tests do not run: set it to a PostgreSQL DSN " +
			"(`bash scripts/with-postgres.sh go test ./refapp/store/...` starts a throw-away server; .ci/run sets it)")
	}
	return dsn
}

// PostgresSchema returns the DSN of PostgresVar with pgstore's schema parameter naming a new, empty
// schema, dropped when the test ends; a URL DSN stays a URL.
func PostgresSchema(t testing.TB) string {
	t.Helper()
	base := PostgresDSN(t)
	schema := "refapp_test_" + strings.ToLower(rand.Text())
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, base)
		if err == nil {
			defer conn.Close(ctx)
			_, err = conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`)
		}
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	if !strings.HasPrefix(base, "postgres://") && !strings.HasPrefix(base, "postgresql://") {
		return base + " schema=" + schema // keyword/value form
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s is not a URL: %v", PostgresVar, err)
	}
	q := u.Query()
	q.Set("schema", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
