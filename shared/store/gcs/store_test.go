package gcs

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/fedcost/fedcost/shared/store"
)

func TestConditionsAndSentinels(t *testing.T) {
	for _, tc := range []struct {
		name string
		size int
	}{
		{"simple upload", 10},
		{"resumable upload", 3 * chunkQuantum},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, f := startFake(t, "fedcost-test")
			c.ChunkSizeBytes = chunkQuantum
			s := mustNew(t, c)
			ctx := context.Background()
			data := bytes.Repeat([]byte("g"), tc.size)
			v1, err := s.PutIfAbsent(ctx, "k", data)
			if err != nil {
				t.Fatalf("PutIfAbsent: %v", err)
			}
			cases := []struct {
				name string
				op   func() error
				want error
			}{
				{"PutIfAbsent on existing", func() error { _, err := s.PutIfAbsent(ctx, "k", data); return err }, store.ErrPreconditionFailed},
				{"PutIfMatch stale generation", func() error { _, err := s.PutIfMatch(ctx, "k", data, "1"); return err }, store.ErrPreconditionFailed},
				{"PutIfMatch not a generation", func() error { _, err := s.PutIfMatch(ctx, "k", data, `"etag"`); return err }, store.ErrPreconditionFailed},
				{"PutIfMatch missing object", func() error { _, err := s.PutIfMatch(ctx, "missing", data, v1); return err }, store.ErrPreconditionFailed},
				{"Get missing", func() error { _, _, err := s.Get(ctx, "missing"); return err }, store.ErrNotFound},
				{"Stat missing", func() error { _, err := s.Stat(ctx, "missing"); return err }, store.ErrNotFound},
				{"Delete missing", func() error { return s.Delete(ctx, "missing") }, nil},
			}
			for _, tc := range cases {
				err := tc.op()
				if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
					t.Errorf("%s: err = %v; want %v", tc.name, err, tc.want)
				}
			}
			got, info, err := s.Get(ctx, "k")
			if err != nil || !bytes.Equal(got, data) || info.Version != v1 {
				t.Fatalf("after failed conditional writes: Get = %d bytes, %s, %v; want the first write, %s", len(got), info.Version, err, v1)
			}
			v2, err := s.PutIfMatch(ctx, "k", data, v1)
			if err != nil || v2 == v1 {
				t.Fatalf("PutIfMatch(current) = %s, %v; want a new generation even for identical content", v2, err)
			}
			if tc.size > chunkQuantum {
				if r := f.requests("uploadType=resumable", "ifGenerationMatch="); len(r) == 0 {
					t.Errorf("no resumable upload carried ifGenerationMatch; requests: %v", f.requests("upload"))
				}
			}
		})
	}
}

func TestMissingBucketIsNotErrNotFound(t *testing.T) {
	c, _ := startFake(t, "fedcost-test")
	c.Bucket = "no-such-bucket"
	s := mustNew(t, c)
	if _, err := s.Put(context.Background(), "k", []byte("x")); err == nil || errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Put into a missing bucket = %v; want an error that is not ErrNotFound", err)
	}
}

func TestAccessDenied(t *testing.T) {
	c, f := startFake(t, "fedcost-test")
	s := mustNew(t, c)
	f.mu.Lock()
	f.deny = true
	f.mu.Unlock()
	ctx := context.Background()
	ops := map[string]func() error{
		"Put":         func() error { _, err := s.Put(ctx, "k", []byte("x")); return err },
		"PutIfAbsent": func() error { _, err := s.PutIfAbsent(ctx, "k", []byte("x")); return err },
		"Get":         func() error { _, _, err := s.Get(ctx, "k"); return err },
		"List":        func() error { return s.List(ctx, "", "", func(store.ObjectInfo) error { return nil }) },
	}
	for name, op := range ops {
		err := op()
		if !errors.Is(err, store.ErrAccessDenied) || !strings.Contains(err.Error(), "does not have storage.objects.create access") {
			t.Errorf("%s = %v; want ErrAccessDenied keeping the backend message", name, err)
		}
	}
}
