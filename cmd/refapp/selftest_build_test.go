package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestProductionBuildHasNoDefenceSwitches: only a build with the selftest tag can switch a defence off
// (refapp/defence). The production binary holds neither the environment variable it reads, nor the
// self-test banner, nor the defences' names; the self-test binary holds all three, so the search can
// find them when they are there.
func TestProductionBuildHasNoDefenceSwitches(t *testing.T) {
	if testing.Short() {
		t.Skip("builds refapp twice")
	}
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := t.TempDir()
	build := func(name string, tags ...string) []byte {
		bin := filepath.Join(dir, name)
		args := append(append([]string{"build"}, tags...), "-o", bin, ".")
		if out, err := exec.CommandContext(ctx, "go", args...).CombinedOutput(); err != nil {
			t.Fatalf("go %v: %v\n%s", args, err, out)
		}
		b, err := os.ReadFile(bin)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	prod, self := build("refapp"), build("refapp-selftest", "-tags", "selftest")
	for _, marker := range []string{"REFAPP_SELFTEST_DEFENCES_OFF", "SELFTEST BUILD", "plan-gate", "require-sso-members"} {
		if bytes.Contains(prod, []byte(marker)) {
			t.Errorf("the production build contains %q: a defence switch leaked into it", marker)
		}
		if !bytes.Contains(self, []byte(marker)) {
			t.Errorf("the selftest build lacks %q: the search would prove nothing", marker)
		}
	}
}
