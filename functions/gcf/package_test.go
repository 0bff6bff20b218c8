package gcf

import (
	"archive/zip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPackageSource runs scripts/package.sh and checks the Cloud Functions source zip: go.mod
// and a root package importing functions/gcf at the top, only the packages it needs, no tests,
// and it builds offline from the module cache, as Cloud Build will build it online.
func TestPackageSource(t *testing.T) {
	if testing.Short() {
		t.Skip("stages and builds the function source")
	}
	dist := t.TempDir()
	cmd := exec.Command("bash", filepath.Join("..", "..", "scripts", "package.sh"), "gcf")
	cmd.Env = append(os.Environ(), "DIST="+dist, "CHECK=0") // the build is checked below
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("package.sh gcf: %v\n%s", err, out)
	}
	zr, err := zip.OpenReader(filepath.Join(dist, "fedcost-gcf-source.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	src := t.TempDir()
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
		if strings.Contains(f.Name, "..") || strings.HasPrefix(f.Name, "/") {
			t.Fatalf("unsafe entry %q", f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(src, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []string{"go.mod", "go.sum", "function.go", "functions/gcf/gcf.go", "functions/gcf/entry.go", "shared/ingest/core.go", "shared/store/gcs/store.go"} {
		if !names[want] {
			t.Errorf("zip lacks %s", want)
		}
	}
	for n := range names {
		switch {
		case strings.HasSuffix(n, "_test.go"), strings.Contains(n, "testdata/"):
			t.Errorf("zip holds test file %s", n)
		case strings.HasPrefix(n, "agent/"), strings.HasPrefix(n, "functions/query/"), strings.HasPrefix(n, "functions/lambda/"),
			strings.HasPrefix(n, "shared/store/s3/"), strings.HasPrefix(n, "shared/store/azure/"):
			t.Errorf("zip holds %s, which the function does not need", n)
		}
	}
	root, err := os.ReadFile(filepath.Join(src, "function.go"))
	if err != nil || !strings.Contains(string(root), `_ "github.com/fedcost/fedcost/functions/gcf"`) || strings.Contains(string(root), "package main") {
		t.Fatalf("function.go must be a library package importing functions/gcf:\n%s", root)
	}
	mod, _ := os.ReadFile(filepath.Join(src, "go.mod"))
	if !strings.HasPrefix(string(mod), "module github.com/fedcost/fedcost\n") || !strings.Contains(string(mod), "github.com/GoogleCloudPlatform/functions-framework-go") {
		t.Fatalf("go.mod:\n%s", mod)
	}
	build := exec.Command("go", "build", "./...")
	build.Dir = src
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("the staged source does not build offline: %v\n%s", err, out)
	}
}
