//go:build !nodurability

package sqlcore

// Every write returns only once the transaction that holds it has committed. A build with the
// nodurability tag (nodurability.go) breaks exactly this, for the crash test's own test only.
const (
	ackBeforeCommit = false
	lateCommitDelay = 0
)
