package infratest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestGCPModuleContract guards, by reading the HCL, the properties of the GCP module that offline
// tests cannot evaluate (no google provider here, so no terraform validate/test): the finalize
// trigger retries, both entry points, the ingest outputs and writer prefixes are IAM conditions on
// resource.name, uniform access, and Hive-partitioned BigQuery tables.
func TestGCPModuleContract(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(infraDir(t), "terraform", "gcp")
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no .tf files in %s: %v", dir, err)
	}
	var all strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(data)
		all.WriteByte('\n')
	}
	src := all.String()
	for _, want := range []struct{ what, pattern string }{
		{"finalize trigger", `event_type\s+=\s+"google\.cloud\.storage\.object\.v1\.finalized"`},
		{"retries on failure", `retry_policy\s+=\s+"RETRY_POLICY_RETRY"`},
		{"ingest entry point", `entry_point\s+=\s+"FedcostIngest"`},
		{"reconcile entry point", `entry_point\s+=\s+"FedcostReconcile"`},
		{"scheduler calls reconcile with OIDC", `(?s)google_cloud_scheduler_job.*oidc_token`},
		{"uniform bucket-level access", `uniform_bucket_level_access\s+=\s+true`},
		{"public access prevention", `public_access_prevention\s+=\s+"enforced"`},
		{"ingest writes only combined/ and quarantine/", `resource\.name\.startsWith\(\\"\$\{local\.objects\}\$\{local\.combined\}\\"\) \|\| resource\.name\.startsWith\(\\"\$\{local\.objects\}\$\{local\.quarantine\}\\"\)`},
		{"writer limited to its prefix", `resource\.name\.startsWith\(\\"\$\{local\.objects\}\$\{local\.root\}\$\{id\}/\\"\)`},
		{"writer lists only its prefix", `objectListPrefix\\", \\"\\"\)\.startsWith\(\\"\$\{local\.root\}\$\{id\}/\\"\)`},
		{"workload identity binding", `roles/iam\.workloadIdentityUser`},
		{"Hive partitioning", `source_uri_prefix\s+=\s+"gs://\$\{var\.bucket_name\}/\$\{local\.combined\}\$\{each\.key\}/\{resolution:STRING\}/\{date:DATE\}/\{cluster:STRING\}"`},
		{"lifecycle delete", `type\s+=\s+"Delete"`},
	} {
		if !regexp.MustCompile(want.pattern).MatchString(src) {
			t.Errorf("GCP module: %s not found (pattern %s)", want.what, want.pattern)
		}
	}
	// The ingest service account must hold no unconditional write role on the bucket.
	for _, block := range regexp.MustCompile(`(?s)resource "google_storage_bucket_iam_member" "(\w+)" \{(.*?)\n\}`).FindAllStringSubmatch(src, -1) {
		name, body := block[1], block[2]
		if strings.Contains(body, "roles/storage.objectUser") && !strings.Contains(body, "condition {") {
			t.Errorf("google_storage_bucket_iam_member.%s grants objectUser without an IAM condition", name)
		}
		if strings.Contains(body, "roles/storage.objectAdmin") || strings.Contains(body, "roles/storage.admin") {
			t.Errorf("google_storage_bucket_iam_member.%s grants an admin role", name)
		}
	}
}
