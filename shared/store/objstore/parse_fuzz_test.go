package objstore_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fedcost/fedcost/shared/store/objstore"
)

// FuzzParse: Parse never panics, and what it accepts validates and summarises. (Secret
// redaction is tested on purpose-built files: a fuzzer can move a marker into a non-secret field.)
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"testdata/good", "testdata/bad"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := objstore.Parse(data)
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Parse accepted a config that Validate rejects: %v", err)
		}
		if !strings.HasPrefix(c.Summary(), "type="+string(c.Type)) {
			t.Fatalf("summary %q does not start with the type", c.Summary())
		}
	})
}
