// Package build turns one window's cost sets into the encoded ETL files the agent uploads:
// one allocations and one assets document per (cluster, resolution, window), keyed by
// layout.Upload. The agent runtime and the simulator both use it, so their files are the same.
package build

import (
	"bytes"
	"fmt"
	"github.com/klauspost/compress/gzip"
	"io"
	"sync"
	"time"

	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/layout"
)

// File is one encoded upload.
type File struct {
	Upload  layout.Upload
	Data    []byte // etl.Encode output
	Records int    // allocations or assets in the document
	// BuiltAt is the producer's build time: a file built before its window ended is partial.
	BuiltAt time.Time
}

// Key is the upload's object key (relative to the store prefix).
func (f File) Key() string { return f.Upload.Key() }

// Empty reports whether the document holds no records. The agent never lets an empty file
// replace a non-empty one.
func (f File) Empty() bool { return f.Records == 0 }

// Documents returns the allocations and assets documents of one window. Allocations are keyed
// by name and assets by Asset.Key() (assets sharing a key are merged); records are not copied. A nil set gives an empty document.
func Documents(cluster string, r layout.Resolution, w layout.Window, allocs *cost.AllocationSet, assets *cost.AssetSet, p etl.Producer) (*etl.Document, *etl.Document) {
	ad := etl.NewDocument(layout.Upload{Cluster: cluster, Kind: layout.Allocations, Resolution: r, Window: w}, p)
	if allocs != nil {
		for name, a := range allocs.Allocations {
			ad.Allocations[name] = a
		}
	}
	sd := etl.NewDocument(layout.Upload{Cluster: cluster, Kind: layout.Assets, Resolution: r, Window: w}, p)
	if assets != nil {
		for _, a := range assets.Assets {
			k := a.Key()
			if cur, ok := sd.Assets[k]; ok { // two assets with one key: merge, never drop
				merged := cur.Clone()
				merged.Add(a)
				a = merged
			}
			sd.Assets[k] = a
		}
	}
	return ad, sd
}

// Encoder encodes files and reuses gzip writers between calls (each holds about 1 MB of
// compressor state; the simulator encodes hundreds of thousands of documents). The zero value
// is ready to use and safe for concurrent use.
type Encoder struct{ pool sync.Pool }

// encode is etl.Encode with a reused gzip writer: the same validation (etl.EncodeJSON), the
// same level and header, hence byte-identical output (TestEncodeMatchesEtl).
func (e *Encoder) encode(d *etl.Document) ([]byte, error) {
	raw, err := etl.EncodeJSON(d)
	if err != nil {
		return nil, err
	}
	zw, _ := e.pool.Get().(*gzip.Writer)
	if zw == nil {
		zw, _ = gzip.NewWriterLevel(io.Discard, gzip.DefaultCompression)
	}
	defer e.pool.Put(zw)
	var buf bytes.Buffer
	buf.Grow(len(raw) / 8)
	zw.Reset(&buf)
	if _, err := zw.Write(raw); err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	return buf.Bytes(), nil
}

// Files encodes both documents of one window with a one-off Encoder.
func Files(cluster string, r layout.Resolution, w layout.Window, allocs *cost.AllocationSet, assets *cost.AssetSet, p etl.Producer) ([]File, error) {
	var e Encoder
	return e.Files(cluster, r, w, allocs, assets, p)
}

// Files encodes both documents of one window (allocations first). An error names the upload.
func (e *Encoder) Files(cluster string, r layout.Resolution, w layout.Window, allocs *cost.AllocationSet, assets *cost.AssetSet, p etl.Producer) ([]File, error) {
	ad, sd := Documents(cluster, r, w, allocs, assets, p)
	out := make([]File, 0, 2)
	for _, d := range []*etl.Document{ad, sd} {
		data, err := e.encode(d)
		if err != nil {
			return nil, fmt.Errorf("build %s: %w", d.Upload().Key(), err)
		}
		out = append(out, File{Upload: d.Upload(), Data: data, Records: d.Records(), BuiltAt: p.BuiltAt})
	}
	return out, nil
}
