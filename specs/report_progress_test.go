package specs

import (
	"os"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"
)

func TestProgressRows(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	p := &progress{w: &b, total: 2}
	p.row(spec("SCIM-USR-PATCH-PATHS: patches paths", types.SpecStatePassed))
	p.row(types.SpecReport{LeafNodeType: types.NodeTypeIt, LeafNodeText: "SCIM-X: not selected", State: types.SpecStateSkipped})
	p.row(spec("SCIM-AUTH-BAD: refuses", types.SpecStateFailed))
	want := "\n[1/2] SCIM-USR-PATCH-PATHS \n[2/2] SCIM-AUTH-BAD failed "
	if b.String() != want {
		t.Errorf("rows %q, want %q", b.String(), want)
	}
}

func TestIsTerminalRefusesAFile(t *testing.T) {
	t.Parallel()
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Error("a file counted as a terminal")
	}
}
