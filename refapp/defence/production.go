//go:build !selftest

package defence

// Off is always false in a production build: no defence can be switched off.
func Off(Name) bool { return false }

// Announce does nothing in a production build.
func Announce(func(string)) {}
