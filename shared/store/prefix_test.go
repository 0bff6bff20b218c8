package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/memory"
)

func TestWithPrefixMapsKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	inner := memory.New("b")
	p := store.WithPrefix(inner, "/tenants/a/")
	if got, want := p.Name(), "memory://b/tenants/a"; got != want {
		t.Errorf("Name = %q, want %q", got, want)
	}
	if _, err := p.Put(ctx, "federated/c1/x", []byte("1")); err != nil {
		t.Fatal(err)
	}
	if _, err := inner.Put(ctx, "tenants/ab/y", []byte("outside")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := inner.Get(ctx, "tenants/a/federated/c1/x"); err != nil {
		t.Errorf("object not stored under the prefix: %v", err)
	}
	var keys []string
	if err := p.List(ctx, "", "", func(i store.ObjectInfo) error { keys = append(keys, i.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0] != "federated/c1/x" {
		t.Errorf("List = %q, want the one key, prefix stripped", keys)
	}
	_, info, err := p.Get(ctx, "federated/c1/x")
	if err != nil || info.Key != "federated/c1/x" {
		t.Errorf("Get info.Key = %q, %v", info.Key, err)
	}
	if s := store.WithPrefix(inner, "/"); s != store.Store(inner) {
		t.Error("an empty prefix must return the store itself")
	}
}

func TestWithPrefixInvalid(t *testing.T) {
	t.Parallel()
	p := store.WithPrefix(memory.New("b"), "a/../b")
	if _, err := p.Put(context.Background(), "k", nil); !errors.Is(err, store.ErrInvalidKey) {
		t.Errorf("Put under an invalid prefix: %v, want ErrInvalidKey", err)
	}
	err := p.List(context.Background(), "", "", func(store.ObjectInfo) error { return nil })
	if !errors.Is(err, store.ErrInvalidKey) {
		t.Errorf("List under an invalid prefix: %v, want ErrInvalidKey", err)
	}
}
