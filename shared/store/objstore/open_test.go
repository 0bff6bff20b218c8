package objstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/fedcost/fedcost/shared/store/objstore"
)

// Opening builds clients without contacting a server, so the documented examples open offline;
// the prefix shows in the store's name.
func TestOpenDocumentedExamples(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"s3_kubecost_aws.yaml":         "s3://kubecost-federated-storage-bucket",
		"s3_minio.yaml":                "s3://kubecost",
		"s3_irsa_prefix.yaml":          "s3://shared-bucket/kubecost/prod",
		"gcs_emulator.yaml":            "kubecost-gcs",
		"azure_kubecost.yaml":          "kubecost-federated",
		"azure_connection_string.yaml": "kubecost-federated/clusters",
	}
	for file, wantName := range cases {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			c, err := objstore.Load("testdata/good/" + file)
			if err != nil {
				t.Fatal(err)
			}
			s, err := objstore.Open(context.Background(), c)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			if !strings.Contains(s.Name(), wantName) {
				t.Errorf("Name = %q, want it to contain %q", s.Name(), wantName)
			}
			if strings.Contains(s.Name(), secretMarker) {
				t.Errorf("Name leaks a secret: %q", s.Name())
			}
		})
	}
}
