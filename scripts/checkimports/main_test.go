package main

import "testing"

func TestViolation(t *testing.T) {
	t.Parallel()
	m := module + "/"
	tests := []struct {
		from, to string
		bad      bool
	}{
		{m + "refapp/web", m + "refapp/store", false},
		{m + "refapp/web", m + "mockidp", true},
		{m + "mockidp/oidcop", m + "refapp/store", true},
		{m + "mockidp/oidcop", m + "internal/httpx", true},
		{m + "refapp", m + "harness", true},
		{m + "refapp", m + "fixtures", true},
		{m + "mockidp", m + "cmd/mockidp", true},
		{m + "harness", m + "mockidp", false},
		{m + "harness/browser", m + "internal/httpx", false},
		{m + "harness", m + "refapp/store", true},
		{m + "specs", m + "harness", false},
		{m + "specs", m + "fixtures", false},
		{m + "specs", m + "mockidp", true},
		{m + "specs", m + "internal/httpx", true},
		{m + "internal/httpx", m + "harness", true},
		{m + "internal/httpx", m + "internal/slogx", false},
		{m + "cmd/refapp", m + "refapp", false},
		{m + "refapp", "github.com/crewjam/saml", false},
	}
	for _, tt := range tests {
		got := violation(tt.from, tt.to) != ""
		if got != tt.bad {
			t.Errorf("violation(%q, %q) = %v, want %v", rel(tt.from), rel(tt.to), got, tt.bad)
		}
	}
}
