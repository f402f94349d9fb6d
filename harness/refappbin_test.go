package harness

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// refAppBin returns SSOCONFORM_REFAPP_BIN, or builds refapp into a temporary directory.
func refAppBin(tb testing.TB) string {
	tb.Helper()
	if bin := os.Getenv("SSOCONFORM_REFAPP_BIN"); bin != "" {
		return bin
	}
	bin := filepath.Join(tb.TempDir(), "refapp")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/ssoconform/ssoconform/cmd/refapp").CombinedOutput()
	if err != nil {
		tb.Fatalf("build refapp: %v\n%s", err, out)
	}
	return bin
}
