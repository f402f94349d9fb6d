// Command checkimports fails when a package of the module imports another package of the module that the
// architecture's import rules forbid (see ../../README.md and the design notes):
//
//  1. refapp/... and mockidp/... never import each other, nor harness, specs, fixtures or cmd;
//  2. harness/... never imports refapp/...;
//  3. specs/... imports harness and fixtures only (of the module's packages);
//  4. internal/... imports nothing else from the module.
//
// Test files count: a refapp test that imported mockidp would make both agree on a shared bug.
//
// Usage:
//
//	go run ./scripts/checkimports            # checks ./...
//	go run ./scripts/checkimports ./refapp/...
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
)

const module = "github.com/ssoconform/ssoconform"

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "checkimports:", err)
		os.Exit(1)
	}
}

// pkg is the part of `go list -json` output the rules need.
type pkg struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
}

func run(patterns []string, out io.Writer) error {
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	pkgs, err := list(patterns)
	if err != nil {
		return err
	}
	var bad []string
	for _, p := range pkgs {
		for _, imp := range allImports(p) {
			if v := violation(p.ImportPath, imp); v != "" {
				bad = append(bad, fmt.Sprintf("%s imports %s: %s", rel(p.ImportPath), rel(imp), v))
			}
		}
	}
	sort.Strings(bad)
	for _, b := range bad {
		fmt.Fprintln(out, b)
	}
	if len(bad) > 0 {
		return fmt.Errorf("%d import(s) break the architecture's rules", len(bad))
	}
	fmt.Fprintf(out, "checkimports: %d packages, no forbidden imports\n", len(pkgs))
	return nil
}

func list(patterns []string) ([]pkg, error) {
	args := append([]string{"list", "-json=ImportPath,Imports,TestImports,XTestImports"}, patterns...)
	cmd := exec.Command("go", args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go list: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	var pkgs []pkg
	dec := json.NewDecoder(&stdout)
	for {
		var p pkg
		err := dec.Decode(&p)
		if errors.Is(err, io.EOF) {
			return pkgs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("decode go list output: %w", err)
		}
		pkgs = append(pkgs, p)
	}
}

func allImports(p pkg) []string {
	seen := map[string]bool{}
	var out []string
	for _, list := range [][]string{p.Imports, p.TestImports, p.XTestImports} {
		for _, imp := range list {
			if !seen[imp] {
				seen[imp] = true
				out = append(out, imp)
			}
		}
	}
	return out
}

// violation returns why importer may not import imported, or "" when the edge is allowed.
func violation(importer, imported string) string {
	from, to := area(importer), area(imported)
	if from == "" || to == "" || from == to {
		return ""
	}
	switch from {
	case "refapp", "mockidp":
		return "refapp and mockidp stand alone: they import no other part of the project (rule 1)"
	case "harness":
		if to == "refapp" {
			return "the harness tests refapp as a black box, through its binary and HTTP (rule 2)"
		}
	case "specs":
		if to != "harness" && to != "fixtures" {
			return "specs import harness and fixtures only (rule 3)"
		}
	case "internal":
		return "internal imports nothing else from the project (rule 4)"
	}
	return ""
}

// area names the top-level part of the module a package belongs to, or "" outside the module.
func area(path string) string {
	if path != module && !strings.HasPrefix(path, module+"/") {
		return ""
	}
	rest := strings.TrimPrefix(strings.TrimPrefix(path, module), "/")
	if rest == "" {
		return "root"
	}
	top, _, _ := strings.Cut(rest, "/")
	return top
}

func rel(path string) string {
	if r := strings.TrimPrefix(path, module+"/"); r != path {
		return r
	}
	return path
}
