package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fedcost/fedcost/shared/store"
)

func TestRoundTripAndSentinels(t *testing.T) {
	t.Parallel()
	f := newFakeS3(t, "fedcost-test")
	s := mustNew(t, fakeConfig(f, "fedcost-test"))
	ctx := context.Background()

	v1, err := s.PutIfAbsent(ctx, "a/b c+%ü.bin", []byte("one"))
	if err != nil {
		t.Fatalf("PutIfAbsent: %v", err)
	}
	if !strings.HasPrefix(string(v1), `"`) {
		t.Errorf("version %s: want the quoted ETag S3 returns", v1)
	}
	data, info, err := s.Get(ctx, "a/b c+%ü.bin")
	if err != nil || string(data) != "one" || info.Version != v1 || info.Size != 3 || info.Key != "a/b c+%ü.bin" {
		t.Fatalf("Get = %q, %+v, %v; want one, version %s", data, info, err, v1)
	}

	cases := []struct {
		name string
		op   func() error
		want error
	}{
		{"PutIfAbsent on existing", func() error { _, err := s.PutIfAbsent(ctx, "a/b c+%ü.bin", []byte("x")); return err }, store.ErrPreconditionFailed},
		{"PutIfMatch wrong version", func() error { _, err := s.PutIfMatch(ctx, "a/b c+%ü.bin", []byte("x"), `"0000"`); return err }, store.ErrPreconditionFailed},
		{"PutIfMatch missing object", func() error { _, err := s.PutIfMatch(ctx, "missing", []byte("x"), v1); return err }, store.ErrPreconditionFailed},
		{"PutIfMatch empty version", func() error { _, err := s.PutIfMatch(ctx, "a/b c+%ü.bin", []byte("x"), ""); return err }, store.ErrPreconditionFailed},
		{"Get missing", func() error { _, _, err := s.Get(ctx, "missing"); return err }, store.ErrNotFound},
		{"GetReader missing", func() error { _, _, err := s.GetReader(ctx, "missing"); return err }, store.ErrNotFound},
		{"Stat missing", func() error { _, err := s.Stat(ctx, "missing"); return err }, store.ErrNotFound},
		{"Delete missing", func() error { return s.Delete(ctx, "missing") }, nil},
		{"invalid key", func() error { _, err := s.Put(ctx, "/abs", nil); return err }, store.ErrInvalidKey},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.op()
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("err = %v; want %v", err, tc.want)
			}
		})
	}
	if d, _, _ := s.Get(ctx, "a/b c+%ü.bin"); string(d) != "one" {
		t.Fatalf("a failed conditional write changed the object to %q", d)
	}
	v2, err := s.PutIfMatch(ctx, "a/b c+%ü.bin", []byte("two"), v1)
	if err != nil || v2 == v1 {
		t.Fatalf("PutIfMatch(current) = %s, %v; want a new version", v2, err)
	}
}

func TestMissingBucketIsNotErrNotFound(t *testing.T) {
	t.Parallel()
	f := newFakeS3(t, "fedcost-test")
	s := mustNew(t, fakeConfig(f, "no-such-bucket"))
	_, _, err := s.Get(context.Background(), "k")
	if err == nil || errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get on a missing bucket = %v; want an error that is not ErrNotFound", err)
	}
}

func TestAccessDenied(t *testing.T) {
	t.Parallel()
	f := newFakeS3(t, "fedcost-test")
	f.setHook(func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>denied by bucket policy</Message></Error>`)
		return true
	})
	s := mustNew(t, fakeConfig(f, "fedcost-test"))
	_, err := s.Put(context.Background(), "k", []byte("x"))
	if !errors.Is(err, store.ErrAccessDenied) || !strings.Contains(err.Error(), "denied by bucket policy") {
		t.Fatalf("Put = %v; want ErrAccessDenied keeping the backend message", err)
	}
}

// conflictHook answers the first n conditional PUTs with 409 ConditionalRequestConflict.
func conflictHook(n int32, seen *atomic.Int32) func(w http.ResponseWriter, r *http.Request) bool {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPut || (r.Header.Get("If-None-Match") == "" && r.Header.Get("If-Match") == "") {
			return false
		}
		if seen.Add(1) > n {
			return false
		}
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusConflict)
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>ConditionalRequestConflict</Code><Message>A conflicting operation occurred</Message></Error>`)
		return true
	}
}

func TestConditionalConflictIsRetried(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		conflicts int32
		wantErr   error
		wantSeen  int32
	}{
		{"two conflicts then success", 2, nil, 3},
		{"conflicts until attempts run out", 1000, store.ErrPreconditionFailed, 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeS3(t, "fedcost-test")
			var seen atomic.Int32
			f.setHook(conflictHook(tc.conflicts, &seen))
			s := mustNew(t, fakeConfig(f, "fedcost-test"))
			s.conflict = conflictRetry{attempts: 4, base: time.Millisecond, max: 4 * time.Millisecond}
			_, err := s.PutIfAbsent(context.Background(), "k", []byte("x"))
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("PutIfAbsent = %v; want %v", err, tc.wantErr)
			}
			if seen.Load() != tc.wantSeen {
				t.Errorf("conditional PUTs = %d; want %d", seen.Load(), tc.wantSeen)
			}
			_, _, getErr := s.Get(context.Background(), "k")
			if (tc.wantErr == nil) != (getErr == nil) {
				t.Errorf("after PutIfAbsent err=%v, Get err=%v: the object exists iff the write succeeded", err, getErr)
			}
		})
	}
}

func TestUploadHeaders(t *testing.T) {
	t.Parallel()
	keyFile := filepath.Join(t.TempDir(), "sse-c.key")
	if err := os.WriteFile(keyFile, bytes.Repeat([]byte{7}, 32), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		edit func(*Config)
		want map[string]string // header → value ("" = must be absent)
	}{
		{"acl and user metadata", func(c *Config) {
			c.PutUserMetadata = map[string]string{"X-Amz-Acl": "bucket-owner-full-control", "X-Amz-Meta-Team": "cost", "owner": "ops"}
		}, map[string]string{"X-Amz-Acl": "bucket-owner-full-control", "X-Amz-Meta-Team": "cost", "X-Amz-Meta-Owner": "ops", "X-Amz-Server-Side-Encryption": ""}},
		{"SSE-S3", func(c *Config) { c.SSEConfig = SSEConfig{Type: SSES3} },
			map[string]string{"X-Amz-Server-Side-Encryption": "AES256", "X-Amz-Acl": ""}},
		{"SSE-KMS with context", func(c *Config) {
			c.SSEConfig = SSEConfig{Type: SSEKMS, KMSKeyID: "arn:aws:kms:us-east-1:1:key/k", KMSEncryptionContext: map[string]string{"team": "cost"}}
		}, map[string]string{
			"X-Amz-Server-Side-Encryption":                "aws:kms",
			"X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id": "arn:aws:kms:us-east-1:1:key/k",
			"X-Amz-Server-Side-Encryption-Context":        "eyJ0ZWFtIjoiY29zdCJ9", // base64 {"team":"cost"}
		}},
		{"SSE-C", func(c *Config) { c.SSEConfig = SSEConfig{Type: SSEC, EncryptionKey: keyFile} },
			map[string]string{"X-Amz-Server-Side-Encryption-Customer-Algorithm": "AES256", "X-Amz-Server-Side-Encryption": ""}},
		{"content md5 by default", func(c *Config) {}, map[string]string{"Content-Md5": "Mhw89IbtUJFk7eweGYH+yA=="}}, // base64(md5("payload")), from openssl
		{"no content md5 when disabled", func(c *Config) { c.SendContentMD5 = false }, map[string]string{"Content-Md5": ""}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeS3(t, "fedcost-test")
			c := fakeConfig(f, "fedcost-test")
			tc.edit(&c)
			s := mustNew(t, c)
			if _, err := s.Put(context.Background(), "k", []byte("payload")); err != nil {
				t.Fatalf("Put: %v", err)
			}
			puts := f.find(http.MethodPut, "")
			if len(puts) != 1 {
				t.Fatalf("%d PUT requests; want 1", len(puts))
			}
			for h, want := range tc.want {
				if got := puts[0].Header.Get(h); got != want {
					t.Errorf("header %s = %q; want %q", h, got, want)
				}
			}
		})
	}
}

func TestMultipartCarriesConditionToCompletion(t *testing.T) {
	t.Parallel()
	f := newFakeS3(t, "fedcost-test")
	c := fakeConfig(f, "fedcost-test")
	c.PartSize = MinPartSize
	c.PutUserMetadata = map[string]string{"X-Amz-Acl": "bucket-owner-full-control"}
	s := mustNew(t, c)
	data := bytes.Repeat([]byte("0123456789abcdef"), (2*MinPartSize+1000)/16)
	if _, err := s.PutIfAbsent(context.Background(), "big", data); err != nil {
		t.Fatalf("PutIfAbsent: %v", err)
	}
	got, _, err := s.Get(context.Background(), "big")
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Get: %d bytes, %v; want the %d bytes written", len(got), err, len(data))
	}
	if parts := f.find(http.MethodPut, "partNumber="); len(parts) != 3 {
		t.Errorf("%d parts uploaded; want 3", len(parts))
	}
	if creates := f.find(http.MethodPost, "uploads"); len(creates) != 1 || creates[0].Header.Get("X-Amz-Acl") != "bucket-owner-full-control" {
		t.Errorf("CreateMultipartUpload requests %+v; want one with X-Amz-Acl", creates)
	}
	completes := f.find(http.MethodPost, "uploadId=")
	if len(completes) != 1 || completes[0].Header.Get("If-None-Match") != "*" {
		t.Fatalf("CompleteMultipartUpload requests %+v; want one with If-None-Match: *", completes)
	}
}

func TestXMLSafePrefix(t *testing.T) {
	cases := map[string]string{
		"a/b":              "a/b",
		"k00695\x00":       "k00695",
		"k\x01z":           "k",
		"tab\tnew\nline":   "tab\tnew\nline",
		"cr\rx":            "cr",
		"bad\xffutf8":      "bad",
		"ümlaut/日本":        "ümlaut/日本",
		"nonchar\uFFFEend": "nonchar",
	}
	for in, want := range cases {
		if got := xmlSafePrefix(in); got != want {
			t.Errorf("xmlSafePrefix(%q) = %q; want %q", in, got, want)
		}
	}
}
