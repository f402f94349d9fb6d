package scimpush

import "testing"

func TestFilterURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ base, userName, want string }{
		{"https://app/scim/v2", "alice@acme.test",
			"https://app/scim/v2/Users?filter=userName%20eq%20%22alice%40acme.test%22&startIndex=1&count=100"},
		{"https://app/scim/v2/", `o"brien+x y&z`,
			"https://app/scim/v2/Users?filter=userName%20eq%20%22o%5C%22brien%2Bx%20y%26z%22&startIndex=1&count=100"},
	}
	for _, tc := range tests {
		if got := FilterURL(tc.base, tc.userName); got != tc.want {
			t.Errorf("FilterURL(%q, %q) =\n %s\nwant\n %s", tc.base, tc.userName, got, tc.want)
		}
	}
}
