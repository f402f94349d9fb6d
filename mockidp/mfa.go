package mockidp

import (
	"context"
	"fmt"
)

// SetRequireMFA sets the app's sign-on rule: with on, a sign-in to the app asks for the user's TOTP code
// (Okta's Google Authenticator challenge) once per Okta session, and the ID token's amr becomes
// ["pwd", "mfa", "otp"].
func (o *Org) SetRequireMFA(ctx context.Context, appID string, on bool) error {
	if err := o.dir.SetRequireMFA(appID, on); err != nil {
		return fmt.Errorf("set require mfa: %w", err)
	}
	return nil
}

// SetTOTPSecret enrols the user's TOTP factor with a fixed base32 secret, so a test can compute the codes
// (any RFC 6238 implementation: SHA-1, 30 seconds, 6 digits).
func (o *Org) SetTOTPSecret(ctx context.Context, userID, secret string) error {
	if err := o.dir.SetTOTPSecret(userID, secret); err != nil {
		return fmt.Errorf("set totp secret: %w", err)
	}
	return nil
}
