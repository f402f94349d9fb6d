package procstat

import "testing"

// TestPeakRSSMB: a running Go test process holds at least a megabyte and far less than a terabyte.
func TestPeakRSSMB(t *testing.T) {
	mb, err := PeakRSSMB()
	if err != nil {
		t.Fatal(err)
	}
	if mb < 1 || mb > 1<<20 {
		t.Fatalf("peak RSS %.1f MiB is not a plausible reading of VmHWM", mb)
	}
}
