package s3

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func TestEndpointRegionAndAddressing(t *testing.T) {
	cases := []struct {
		name, endpoint, region, lookup string
		insecure                       bool
		wantBase, wantRegion           string // wantBase "" = resolved by the SDK from the region
		wantPath                       bool
	}{
		{"AWS global", "s3.amazonaws.com", "", "auto", false, "", "us-east-1", false},
		{"AWS regional", "s3.eu-west-1.amazonaws.com", "", "auto", false, "", "eu-west-1", false},
		{"AWS legacy dash", "s3-us-west-2.amazonaws.com", "", "", false, "", "us-west-2", false},
		{"AWS region given wins", "s3.amazonaws.com", "ap-south-1", "auto", false, "", "ap-south-1", false},
		{"AWS forced path", "s3.eu-west-1.amazonaws.com", "", "path", false, "", "eu-west-1", true},
		{"MinIO auto is path style", "minio.internal:9000", "", "auto", true, "http://minio.internal:9000", "us-east-1", true},
		{"Ceph https", "ceph.example.com", "default", "auto", false, "https://ceph.example.com", "default", true},
		{"custom virtual-hosted", "storage.example.com", "", "virtual-hosted", false, "https://storage.example.com", "us-east-1", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			c.Bucket, c.Endpoint, c.Region, c.BucketLookupType, c.Insecure = "b", tc.endpoint, tc.region, tc.lookup, tc.insecure
			c.AccessKey, c.SecretKey = "AK", "SK"
			s := mustNew(t, c)
			o := s.client.Options()
			if got := aws.ToString(o.BaseEndpoint); got != tc.wantBase {
				t.Errorf("BaseEndpoint = %q; want %q", got, tc.wantBase)
			}
			if o.Region != tc.wantRegion {
				t.Errorf("Region = %q; want %q", o.Region, tc.wantRegion)
			}
			if o.UsePathStyle != tc.wantPath {
				t.Errorf("UsePathStyle = %v; want %v", o.UsePathStyle, tc.wantPath)
			}
		})
	}
}

func TestSTSURL(t *testing.T) {
	for in, want := range map[string]string{
		"sts.us-west-2.amazonaws.com": "https://sts.us-west-2.amazonaws.com",
		"https://sts.amazonaws.com":   "https://sts.amazonaws.com",
		"http://127.0.0.1:9999":       "http://127.0.0.1:9999",
	} {
		if got := stsURL(in); got != want {
			t.Errorf("stsURL(%q) = %q; want %q", in, got, want)
		}
	}
}
