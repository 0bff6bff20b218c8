package lambda

import (
	"archive/zip"
	"bytes"
	"debug/elf"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestPackage runs scripts/package.sh and checks the Lambda zips: one executable `bootstrap`,
// a static (no interpreter: CGO_ENABLED=0), stripped Linux ELF for the zip's architecture.
func TestPackage(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles the function twice")
	}
	dist := t.TempDir()
	cmd := exec.Command("bash", filepath.Join("..", "..", "scripts", "package.sh"), "lambda")
	cmd.Env = append(os.Environ(), "DIST="+dist)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("package.sh lambda: %v\n%s", err, out)
	}
	for _, tc := range []struct {
		zip     string
		machine elf.Machine
	}{
		{"fedcost-lambda-arm64.zip", elf.EM_AARCH64},
		{"fedcost-lambda-amd64.zip", elf.EM_X86_64},
	} {
		t.Run(tc.zip, func(t *testing.T) {
			zr, err := zip.OpenReader(filepath.Join(dist, tc.zip))
			if err != nil {
				t.Fatal(err)
			}
			defer zr.Close()
			if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" {
				var names []string
				for _, f := range zr.File {
					names = append(names, f.Name)
				}
				t.Fatalf("zip holds %v; want exactly [bootstrap]", names)
			}
			zf := zr.File[0]
			if zf.Mode().Perm()&0o111 == 0 {
				t.Fatalf("bootstrap mode %v: not executable", zf.Mode())
			}
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			ef, err := elf.NewFile(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("bootstrap is not ELF: %v", err)
			}
			defer ef.Close()
			if ef.Machine != tc.machine || ef.Class != elf.ELFCLASS64 || ef.Type != elf.ET_EXEC {
				t.Fatalf("ELF machine %v class %v type %v; want %v, 64-bit executable", ef.Machine, ef.Class, ef.Type, tc.machine)
			}
			for _, p := range ef.Progs {
				if p.Type == elf.PT_INTERP {
					t.Fatal("bootstrap has a dynamic interpreter: built with cgo?")
				}
			}
			if ef.Section(".symtab") != nil {
				t.Fatal("bootstrap has a symbol table: not built with -ldflags -s")
			}
		})
	}
}
