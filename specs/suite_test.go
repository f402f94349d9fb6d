package specs_test

import (
	"os"
	"testing"

	"github.com/ssoconform/ssoconform/specs"
)

// TestConformance runs every spec against the reference stack. SSOCONFORM_REFAPP_BIN names a built
// refapp (make does this); without it the suite builds one.
func TestConformance(t *testing.T) {
	specs.Test(t, specs.Config{
		RefAppBin: os.Getenv("SSOCONFORM_REFAPP_BIN"),
		ReportDir: os.Getenv("SSOCONFORM_REPORT_DIR"),
	})
}
