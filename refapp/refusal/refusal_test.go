package refusal

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
)

func TestErrorKeepsThePublicMessageApartFromTheCause(t *testing.T) {
	t.Parallel()
	cause := errors.New("token endpoint said 401")
	err := fmt.Errorf("finish: %w", New(http.StatusBadGateway, cause, "Okta refused the app's client credentials (%s)", "invalid_client"))
	var re *Error
	if !errors.As(err, &re) {
		t.Fatal("errors.As did not find the refusal")
	}
	if re.Status != http.StatusBadGateway || re.Message != "Okta refused the app's client credentials (invalid_client)" {
		t.Errorf("refusal = %+v", re)
	}
	if !errors.Is(err, cause) || re.Error() != re.Message+": token endpoint said 401" {
		t.Errorf("cause lost: %v", re)
	}
	if New(http.StatusForbidden, nil, "no").Error() != "no" {
		t.Error("a refusal without a cause reads as its message")
	}
}
