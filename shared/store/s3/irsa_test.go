package s3

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestWebIdentityWithSTSEndpoint: with aws_sdk_auth and an IRSA environment (role ARN and a
// projected token file), credentials come from AssumeRoleWithWebIdentity at sts_endpoint, and
// the S3 requests are signed with them.
func TestWebIdentityWithSTSEndpoint(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte("projected-sa-token"), 0o600); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"AWS_ROLE_ARN":                "arn:aws:iam::123456789012:role/kubecost-federated",
		"AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile,
		"AWS_ROLE_SESSION_NAME":       "fedcost-test",
		"AWS_ACCESS_KEY_ID":           "",
		"AWS_SECRET_ACCESS_KEY":       "",
		"AWS_SESSION_TOKEN":           "",
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             filepath.Join(dir, "no-config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "no-credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_ENDPOINT_URL":            "",
		"AWS_ENDPOINT_URL_STS":        "",
	} {
		t.Setenv(k, v)
	}

	var mu sync.Mutex
	var stsForms []string
	sts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		stsForms = append(stsForms, r.Form.Encode())
		mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <Credentials>
      <AccessKeyId>ASIAIRSATESTKEY</AccessKeyId>
      <SecretAccessKey>irsa-secret</SecretAccessKey>
      <SessionToken>irsa-session-token</SessionToken>
      <Expiration>2099-01-01T00:00:00Z</Expiration>
    </Credentials>
    <SubjectFromWebIdentityToken>system:serviceaccount:kubecost:agent</SubjectFromWebIdentityToken>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>`)
	}))
	t.Cleanup(sts.Close)

	f := newFakeS3(t, "fedcost-irsa")
	c := DefaultConfig()
	c.Bucket, c.Endpoint, c.Insecure = "fedcost-irsa", f.host(), true
	c.AWSSDKAuth = true
	c.STSEndpoint = sts.URL
	s := mustNew(t, c)
	if _, err := s.Put(context.Background(), "k", []byte("x")); err != nil {
		t.Fatalf("Put: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(stsForms) == 0 || !strings.Contains(stsForms[0], "Action=AssumeRoleWithWebIdentity") || !strings.Contains(stsForms[0], "WebIdentityToken=projected-sa-token") {
		t.Fatalf("STS requests %v; want AssumeRoleWithWebIdentity with the projected token", stsForms)
	}
	puts := f.find(http.MethodPut, "")
	if len(puts) != 1 {
		t.Fatalf("%d PUTs; want 1", len(puts))
	}
	if a := puts[0].Header.Get("Authorization"); !strings.Contains(a, "Credential=ASIAIRSATESTKEY/") {
		t.Errorf("Authorization %q: not signed with the web-identity credentials", a)
	}
	if tok := puts[0].Header.Get("X-Amz-Security-Token"); tok != "irsa-session-token" {
		t.Errorf("X-Amz-Security-Token %q; want the STS session token", tok)
	}
}
