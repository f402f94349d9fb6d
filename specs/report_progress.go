package specs

import (
	"fmt"
	"io"
	"os"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
)

// reportProgress registers the progress rows of a partner run: "[37/84] SCIM-USR-PATCH-PATHS" as each
// selected spec ends, on a terminal only. Piped or redirected output (CI logs, tests) gets no rows,
// only the summary the caller prints at the end.
func (su *Suite) reportProgress() {
	if su.cfg.SCIM == nil && su.cfg.App == nil || !isTerminal(os.Stdout) {
		return
	}
	p := &progress{w: os.Stdout}
	ReportBeforeSuite(func(r types.Report) { p.total = r.PreRunStats.SpecsThatWillRun })
	ReportAfterEach(p.row)
}

// progress counts the specs that have ended.
type progress struct {
	w           io.Writer
	done, total int
}

// row writes one spec's row; specs outside the selection get none.
func (p *progress) row(sr types.SpecReport) {
	if sr.State == types.SpecStateSkipped && sr.Failure.Message == "" {
		return
	}
	p.done++
	id, _ := splitSpecText(sr.LeafNodeText)
	if id == "" {
		id = sr.LeafNodeText
	}
	state := ""
	if sr.State != types.SpecStatePassed {
		state = " " + sr.State.String()
	}
	fmt.Fprintf(p.w, "\n[%d/%d] %s%s ", p.done, p.total, id, state) // Ginkgo adds its mark after it
}

// isTerminal says whether f is a terminal rather than a pipe or a file.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
