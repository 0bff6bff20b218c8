package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/filesystem"
	"github.com/fedcost/fedcost/shared/store/objstore"
)

// storeFlags are the bucket flags every command shares: --store (a Kubecost
// federated-store.yaml) or, for a directory used as a bucket, --dir.
type storeFlags struct {
	config string
	dir    string
}

func (s *storeFlags) register(fs *flag.FlagSet, allowDir bool) {
	fs.StringVar(&s.config, "store", os.Getenv("FEDCOST_STORE"), "path of a federated-store.yaml (Kubecost/Thanos objstore format: S3, GCS, AZURE, FILESYSTEM) [env FEDCOST_STORE]")
	if allowDir {
		fs.StringVar(&s.dir, "dir", "", "treat this directory as the bucket (same as a FILESYSTEM federated-store.yaml)")
	}
}

func (s *storeFlags) open(ctx context.Context) (store.Store, error) {
	switch {
	case s.config != "" && s.dir != "":
		return nil, errors.New("--store and --dir are mutually exclusive: give one")
	case s.dir != "":
		fi, err := os.Stat(s.dir)
		if err != nil {
			return nil, fmt.Errorf("--dir: %w", err)
		}
		if !fi.IsDir() {
			return nil, fmt.Errorf("--dir %s is not a directory", s.dir)
		}
		return filesystem.New(ctx, filesystem.Config{Directory: s.dir})
	case s.config != "":
		c, err := objstore.Load(s.config)
		if err != nil {
			return nil, err
		}
		return objstore.Open(ctx, c)
	}
	return nil, errors.New("no bucket given: pass --store federated-store.yaml (or set FEDCOST_STORE)")
}
