//go:build nodurability

package sqlcore

import (
	"fmt"
	"os"
	"time"
)

// A nodurability build acknowledges writes before committing them and waits lateCommitDelay before the
// commit, so a process killed in that window loses writes its callers were told had succeeded. It
// exists only so that TestCrashTestCatchesLostWrites (refapp/crashtest) can show the crash test failing; production
// builds do not contain it (that test also checks this).
const (
	ackBeforeCommit = true
	lateCommitDelay = 20 * time.Millisecond
)

func init() {
	fmt.Fprintln(os.Stderr, "sqlcore: NODURABILITY BUILD: writes are acknowledged before they are committed")
}
