package store

// KeyGrant is what an API key grants, read at once: the key, its organization and the organization's
// SSO connection. A request authenticated by an API key needs all three, and reading them in one
// joined query instead of three keeps authentication cheap without a cache (a revoked key stops
// working at once).
type KeyGrant struct {
	Key     APIKey
	Org     Org
	Conn    SSOConnection // the zero value when HasConn is false
	HasConn bool
}
