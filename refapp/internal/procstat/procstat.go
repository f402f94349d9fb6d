// Package procstat reads what Linux says about the running process, for refapp's benchmarks.
package procstat

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// PeakRSSMB is the process's peak resident set size (VmHWM in /proc/self/status), in MiB.
func PeakRSSMB() (float64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("peak RSS: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				return 0, fmt.Errorf("peak RSS: %w", err)
			}
			return float64(kb) / 1024, nil
		}
	}
	return 0, errors.New("peak RSS: no VmHWM line in /proc/self/status")
}

// ReportPeakRSS adds the peak resident set to b's figures as peak-RSS-MB, or logs why it cannot.
func ReportPeakRSS(b *testing.B) {
	mb, err := PeakRSSMB()
	if err != nil {
		b.Logf("%v", err)
		return
	}
	b.ReportMetric(mb, "peak-RSS-MB")
}
