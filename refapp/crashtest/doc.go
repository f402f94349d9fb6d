// Package crashtest is refapp's crash test, in its _test.go file: a child refapp takes SCIM pushes at
// concurrency 8, is killed with SIGKILL mid-run and restarted on the same database (SQLite, and
// PostgreSQL when REFAPP_TEST_POSTGRES_DSN is set), and every user it answered 201 for must be there.
// A child whose store answers before it writes shows the test catches lost writes. It lives beside the
// app, not the store, because it drives a whole refapp, as the soak does.
package crashtest
