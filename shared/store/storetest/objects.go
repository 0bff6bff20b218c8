package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"testing"

	"github.com/fedcost/fedcost/shared/store"
)

// testLargeObject: an object larger than Options.LargeObjectSize round-trips byte for byte.
func testLargeObject(t *testing.T, s store.Store, base string, o Options) {
	ctx := context.Background()
	key := base + "large.bin"
	data := make([]byte, o.LargeObjectSize+1)
	_, _ = rand.Read(data)
	want := sha256.Sum256(data)
	v := mustPut(t, s, key, data)

	got, info := mustGet(t, s, key)
	if sha256.Sum256(got) != want {
		t.Errorf("Get: %d bytes with a different checksum (want %d bytes)", len(got), len(data))
	}
	checkInfo(t, "Get", info, key, len(data), v)

	r, _, err := s.GetReader(ctx, key)
	if err != nil {
		t.Fatalf("get reader: %v", err)
	}
	defer r.Close()
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		t.Fatalf("stream: %v", err)
	}
	if n != int64(len(data)) || !bytes.Equal(h.Sum(nil), want[:]) {
		t.Errorf("GetReader: %d bytes, checksum differs=%v", n, !bytes.Equal(h.Sum(nil), want[:]))
	}
	st, err := s.Stat(ctx, key)
	if err != nil {
		t.Fatalf("stat: %v", err)
	}
	checkInfo(t, "Stat", st, key, len(data), v)
}

// testContextCanceled: every operation given a cancelled context fails with an error wrapping
// context.Canceled, and writes nothing.
func testContextCanceled(t *testing.T, s store.Store, base string, _ Options) {
	key := base + "existing"
	fresh := base + "fresh"
	v := mustPut(t, s, key, []byte("data"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	ops := []struct {
		name string
		call func() error
	}{
		{"Get", func() error { _, _, err := s.Get(ctx, key); return err }},
		{"GetReader", func() error {
			r, _, err := s.GetReader(ctx, key)
			if r != nil {
				r.Close()
			}
			return err
		}},
		{"Stat", func() error { _, err := s.Stat(ctx, key); return err }},
		{"Put", func() error { _, err := s.Put(ctx, fresh, []byte("x")); return err }},
		{"PutIfAbsent", func() error { _, err := s.PutIfAbsent(ctx, fresh, []byte("x")); return err }},
		{"PutIfMatch", func() error { _, err := s.PutIfMatch(ctx, key, []byte("changed"), v); return err }},
		{"Delete", func() error { return s.Delete(ctx, key) }},
		{"List", func() error {
			return s.List(ctx, base, "", func(store.ObjectInfo) error { return nil })
		}},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			err := op.call()
			if err == nil {
				t.Fatalf("%s with a cancelled context succeeded", op.name)
			}
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s with a cancelled context: %v, want an error wrapping context.Canceled", op.name, err)
			}
		})
	}
	_, err := s.Stat(context.Background(), fresh)
	expectIs(t, "Stat of a key written with a cancelled context", err, store.ErrNotFound)
	got, info := mustGet(t, s, key)
	if string(got) != "data" || info.Version != v {
		t.Errorf("cancelled PutIfMatch/Delete changed the object: %q %q", got, info.Version)
	}
}
