package objstore_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/fedcost/fedcost/shared/store/objstore"
)

// Every credential in the documented examples is held in a store.Secret: printing or
// re-encoding a loaded config in any common way never shows it. (A backend that declared a
// secret as a plain string would fail here.)
func TestLoadedConfigsNeverShowSecrets(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/good/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			c, err := objstore.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			y, err := yaml.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			j, err := json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			for name, out := range map[string]string{
				"%v": fmt.Sprintf("%v", c), "%+v": fmt.Sprintf("%+v", c), "%#v": fmt.Sprintf("%#v", c),
				"%+v S3": fmt.Sprintf("%+v", c.S3), "%+v GCS": fmt.Sprintf("%+v", c.GCS),
				"%+v Azure": fmt.Sprintf("%+v", c.Azure), "yaml": string(y), "json": string(j),
			} {
				if strings.Contains(out, secretMarker) {
					t.Errorf("%s shows a secret: %s", name, out)
				}
			}
		})
	}
}

func TestServiceAccountDecodedWhole(t *testing.T) {
	t.Parallel()
	c, err := objstore.Load("testdata/good/gcs_kubecost_service_account.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var key map[string]string
	if err := json.Unmarshal([]byte(c.GCS.ServiceAccount.Value()), &key); err != nil {
		t.Fatalf("service_account is not the JSON key: %v", err)
	}
	if key["type"] != "service_account" || !strings.Contains(key["private_key"], secretMarker) {
		t.Errorf("service_account decoded wrongly")
	}
}
