package directory

import (
	"encoding/base32"
	"fmt"
	"strings"
)

// SetTOTPSecret enrols the user in a TOTP (Google Authenticator) factor with a base32 secret; "" removes
// the factor.
func (o *Org) SetTOTPSecret(userID, secret string) error {
	secret = strings.ToUpper(strings.TrimRight(secret, "="))
	if _, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret); err != nil {
		return fmt.Errorf("set totp secret: not base32: %w", ErrInvalid)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	u, ok := o.users[userID]
	if !ok {
		return fmt.Errorf("set totp secret: user %q %w", userID, ErrNotFound)
	}
	u.TOTPSecret = secret
	return nil
}

// SetRequireMFA turns the app's "prompt for a second factor" sign-on rule on or off.
func (o *Org) SetRequireMFA(appID string, on bool) error {
	return o.updateApp(appID, func(a *App) error {
		a.RequireMFA = on
		return nil
	})
}
