package specs_test

import (
	"os"
	"testing"

	// The Ginkgo CLI runs a package as a Ginkgo suite (parallel processes, merged reports) only when one
	// of its test files imports Ginkgo; the specs themselves live in package specs.
	"github.com/onsi/ginkgo/v2"

	"github.com/ssoconform/ssoconform/specs"
)

var _ = ginkgo.GinkgoT

// TestConformance runs every spec against the reference stack. SSOCONFORM_REFAPP_BIN names a built
// refapp (make does this); without it the suite builds one.
func TestConformance(t *testing.T) {
	specs.Test(t, specs.Config{
		RefAppBin: os.Getenv("SSOCONFORM_REFAPP_BIN"),
		ReportDir: os.Getenv("SSOCONFORM_REPORT_DIR"),
	})
}
