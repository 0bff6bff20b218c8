package combined

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/fedcost/fedcost/shared/layout"
	"github.com/parquet-go/parquet-go"
)

// FleetFormat is the version of the fleet rollups object's index.
const FleetFormat = 1

// FleetIndexKey is the Parquet key-value metadata entry that holds a fleet object's index.
const FleetIndexKey = "fedcost.fleet.index"

// FleetIndex says which per-cluster rollups objects a fleet rollups object
// (layout.FleetKey) was built from. The object's rows are the rows of those objects, cluster
// after cluster in the order of Clusters, each cluster's rows in their stored order.
type FleetIndex struct {
	Format   int            `json:"format"`
	Clusters []FleetCluster `json:"clusters"`
}

// FleetCluster is one cluster's part of a fleet object.
type FleetCluster struct {
	ID      string `json:"id"`
	Version string `json:"version"` // the version of the cluster's rollups object the rows came from
	Rows    int    `json:"rows"`
}

// Validate checks the index against the object's row count: known format, valid and unique
// cluster ids in increasing order, non-negative row counts that add up to rows.
func (x *FleetIndex) Validate(rows int64) error {
	if x.Format != FleetFormat {
		return fmt.Errorf("fleet index format %d, this build reads %d", x.Format, FleetFormat)
	}
	var sum int64
	for i, c := range x.Clusters {
		if err := layout.ValidateClusterID(c.ID); err != nil {
			return fmt.Errorf("fleet index entry %d: %w", i, err)
		}
		if i > 0 && c.ID <= x.Clusters[i-1].ID {
			return fmt.Errorf("fleet index entry %d: cluster %q out of order or repeated", i, c.ID)
		}
		if c.Rows < 0 || c.Version == "" {
			return fmt.Errorf("fleet index entry %d (%s): rows %d, version %q", i, c.ID, c.Rows, c.Version)
		}
		sum += int64(c.Rows)
	}
	if sum != rows {
		return fmt.Errorf("fleet index counts %d rows, the object holds %d", sum, rows)
	}
	return nil
}

// WriteFleet encodes a fleet rollups object: rows as WriteRows does, the index in the footer.
func WriteFleet(x *FleetIndex, rows []AllocationRow) ([]byte, error) {
	if err := x.Validate(int64(len(rows))); err != nil {
		return nil, err
	}
	idx, err := json.Marshal(x)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[AllocationRow](&buf, parquet.Compression(&parquet.Zstd), parquet.CreatedBy(createdBy, "1", ""),
		parquet.PageBufferSize(256<<10), parquet.MaxRowsPerRowGroup(64<<10), parquet.KeyValueMetadata(FleetIndexKey, string(idx)))
	if _, err := w.Write(rows); err != nil {
		return nil, fmt.Errorf("write parquet rows: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("close parquet writer: %w", err)
	}
	return buf.Bytes(), nil
}

// FleetIndexOf reads and validates the index of an opened fleet object.
func FleetIndexOf(f *parquet.File) (*FleetIndex, error) {
	v, ok := f.Lookup(FleetIndexKey)
	if !ok {
		return nil, fmt.Errorf("no %s metadata: not a fleet rollups object", FleetIndexKey)
	}
	var x FleetIndex
	if err := json.Unmarshal([]byte(v), &x); err != nil {
		return nil, fmt.Errorf("fleet index: %w", err)
	}
	if err := x.Validate(f.NumRows()); err != nil {
		return nil, err
	}
	return &x, nil
}

// ReadFleet decodes a fleet rollups object written by WriteFleet.
func ReadFleet(data []byte) (*FleetIndex, []AllocationRow, error) {
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, nil, fmt.Errorf("read parquet: %w", err)
	}
	x, err := FleetIndexOf(f)
	if err != nil {
		return nil, nil, err
	}
	rows, err := ReadRows[AllocationRow](data)
	if err != nil {
		return nil, nil, err
	}
	return x, rows, nil
}
