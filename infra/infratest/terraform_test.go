package infratest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fedcost/fedcost/shared/testenv"
)

const terraformHint = "Terraform >= 1.9 on PATH (not go-installable; see shared TOOLCHAIN.md)"

// providerMirror returns a filesystem mirror directory holding registry.terraform.io/hashicorp/aws,
// from FEDCOST_TF_PLUGIN_MIRROR or the image's /opt/tf-plugins. Without one the AWS module cannot be
// initialised offline: the test skips, or fails under FEDCOST_REQUIRE_TOOLS=1.
func providerMirror(t *testing.T) string {
	t.Helper()
	for _, dir := range []string{os.Getenv("FEDCOST_TF_PLUGIN_MIRROR"), "/opt/tf-plugins"} {
		if dir == "" {
			continue
		}
		if fi, err := os.Stat(filepath.Join(dir, "registry.terraform.io", "hashicorp", "aws")); err == nil && fi.IsDir() {
			return dir
		}
	}
	msg := "no filesystem mirror of registry.terraform.io/hashicorp/aws (set FEDCOST_TF_PLUGIN_MIRROR to a directory laid out like /opt/tf-plugins)"
	if testenv.Required() {
		t.Fatalf("%s; FEDCOST_REQUIRE_TOOLS=1 forbids skipping", msg)
	}
	t.Skipf("skipping: %s", msg)
	return ""
}

// terraformEnv writes a project-owned CLI configuration that installs the mirrored providers and
// never the network, and returns the environment for terraform commands.
func terraformEnv(t *testing.T, mirror string, providers ...string) []string {
	t.Helper()
	quoted := make([]string, len(providers))
	for i, p := range providers {
		quoted[i] = fmt.Sprintf("%q", "registry.terraform.io/hashicorp/"+p)
	}
	list := strings.Join(quoted, ", ")
	cfg := fmt.Sprintf(`provider_installation {
  filesystem_mirror {
    path    = %q
    include = [%s]
  }
  direct {
    exclude = [%s]
  }
}
`, mirror, list, list)
	path := filepath.Join(t.TempDir(), "terraform.rc")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{
		"TF_CLI_CONFIG_FILE=" + path,
		"TF_IN_AUTOMATION=1",
		"TF_INPUT=0",
		"CHECKPOINT_DISABLE=1",
		"TF_PLUGIN_CACHE_DIR=",
		"TF_DATA_DIR=", // each copy keeps its own .terraform inside the temp dir
	}
}

func TestTerraformFmt(t *testing.T) {
	t.Parallel()
	tf := testenv.Tool(t, "terraform", terraformHint)
	dir := filepath.Join(infraDir(t), "terraform")
	out, err := runErr(dir, []string{"TF_CLI_CONFIG_FILE=" + os.DevNull}, tf, "fmt", "-check", "-recursive", "-diff", ".")
	if err != nil {
		t.Fatalf("terraform fmt -check found unformatted files under infra/terraform (run `terraform fmt -recursive infra/terraform`): %v\n%s", err, out)
	}
}

func TestTerraformAWS(t *testing.T) {
	t.Parallel()
	tf := testenv.Tool(t, "terraform", terraformHint)
	mirror := providerMirror(t)
	env := terraformEnv(t, mirror, "aws")

	work := t.TempDir()
	copyTree(t, filepath.Join(infraDir(t), "terraform", "aws"), work)

	run(t, work, env, tf, "init", "-backend=false", "-input=false", "-no-color")
	run(t, work, env, tf, "validate", "-no-color")

	out, err := runErr(work, env, tf, "test", "-no-color")
	t.Logf("terraform test (aws module, mock_provider \"aws\"):\n%s", out)
	if err != nil {
		t.Fatalf("terraform test failed: %v", err)
	}
	m := regexp.MustCompile(`(\d+) passed, (\d+) failed`).FindStringSubmatch(out)
	if m == nil || m[2] != "0" || m[1] == "0" {
		t.Fatalf("terraform test summary not found or not clean: %v", m)
	}
	// The test file must still hold the runs the module's promises rest on.
	for _, name := range []string{
		"notification_matches_uploads_only", "queue_and_dead_letter_queue",
		"function_iam_writes_only_outputs", "writer_iam_confined_to_own_prefix", "lifecycle_rules",
	} {
		if !strings.Contains(out, fmt.Sprintf("run %q... pass", name)) {
			t.Errorf("run %q did not pass (or is missing)", name)
		}
	}

	example := filepath.Join(work, "examples", "complete")
	run(t, example, env, tf, "init", "-backend=false", "-input=false", "-no-color")
	run(t, example, env, tf, "validate", "-no-color")
}

func TestTerraformGCP(t *testing.T) {
	t.Parallel()
	tf := testenv.Tool(t, "terraform", terraformHint)
	// fmt and tflint cover the GCP module in TestTerraformFmt and TestTFLint; validate needs the
	// google provider, which the offline mirror does not hold.
	mirror := ""
	for _, dir := range []string{os.Getenv("FEDCOST_TF_PLUGIN_MIRROR"), "/opt/tf-plugins"} {
		if dir == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "registry.terraform.io", "hashicorp", "google")); err == nil {
			mirror = dir
			break
		}
	}
	if mirror == "" {
		t.Skip("GCP module: terraform validate skipped — no hashicorp/google provider in an offline mirror; the module is checked with terraform fmt -check and tflint only")
	}
	env := terraformEnv(t, mirror, "google")
	work := t.TempDir()
	copyTree(t, filepath.Join(infraDir(t), "terraform", "gcp"), work)
	run(t, work, env, tf, "init", "-backend=false", "-input=false", "-no-color")
	run(t, work, env, tf, "validate", "-no-color")
}

func TestTFLint(t *testing.T) {
	t.Parallel()
	tflint := testenv.Tool(t, "tflint", "scripts/install-tools.sh tflint")
	for _, module := range []string{"aws", "gcp"} {
		t.Run(module, func(t *testing.T) {
			work := t.TempDir()
			copyTree(t, filepath.Join(infraDir(t), "terraform", module), work)
			cfg := filepath.Join(work, ".tflint.hcl")
			if _, err := os.Stat(cfg); err != nil {
				t.Fatalf("infra/terraform/%s/.tflint.hcl: %v", module, err)
			}
			// --recursive lints the module and its examples; warnings fail (exit status 2).
			out := run(t, work, []string{"TFLINT_PLUGIN_DIR=" + t.TempDir()}, tflint, "--recursive", "--config", cfg, "--no-color", "--format", "compact")
			if out = strings.TrimSpace(out); out == "" {
				out = "no issues (bundled terraform ruleset, preset all)"
			}
			t.Logf("tflint %s: %s", module, out)
		})
	}
}
