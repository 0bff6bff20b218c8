package combined

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/fedcost/fedcost/shared/layout"
	"github.com/parquet-go/parquet-go"
)

// FleetFormat is the version of the fleet rollups object's layout and index.
const FleetFormat = 2

// FleetIndexKey is the Parquet key-value metadata entry that holds a fleet object's index.
const FleetIndexKey = "fedcost.fleet.index"

// FleetIndex says which per-cluster rollups objects a fleet rollups object
// (layout.FleetKey) was built from, and where their rows are. The object holds two sections,
// each starting a row group: first the rows of the dimensions a reader keeps resident
// (FleetFirst: namespace and idle) of every cluster, cluster after cluster in the order of
// Clusters, then the other dimensions' rows (controller, node) in the same cluster order;
// within a section a cluster's rows keep their stored order. A reader decodes only the
// section it needs.
type FleetIndex struct {
	Format   int            `json:"format"`
	Clusters []FleetCluster `json:"clusters"`
}

// FleetCluster is one cluster's part of a fleet object.
type FleetCluster struct {
	ID      string `json:"id"`
	Version string `json:"version"` // the version of the cluster's rollups object the rows came from
	Rows    int    `json:"rows"`    // all its rows
	First   int    `json:"first"`   // of which in the first section
}

// FleetFirst reports whether rows of a rollups dimension go to a fleet object's first section.
func FleetFirst(dim string) bool { return dim == "namespace" || dim == "idle" }

// FleetOrder returns a cluster's rollups rows in the order a fleet object keeps them: the
// first section's rows, then the others, each in their stored order.
func FleetOrder(rows []AllocationRow) []AllocationRow {
	out := make([]AllocationRow, 0, len(rows))
	for _, first := range []bool{true, false} {
		for _, r := range rows {
			if FleetFirst(r.Dimension) == first {
				out = append(out, r)
			}
		}
	}
	return out
}

// FirstRows is the number of rows of the first section.
func (x *FleetIndex) FirstRows() int64 {
	var n int64
	for _, c := range x.Clusters {
		n += int64(c.First)
	}
	return n
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
		if c.First < 0 || c.Rows < c.First || c.Version == "" {
			return fmt.Errorf("fleet index entry %d (%s): rows %d, first %d, version %q", i, c.ID, c.Rows, c.First, c.Version)
		}
		sum += int64(c.Rows)
	}
	if sum != rows {
		return fmt.Errorf("fleet index counts %d rows, the object holds %d", sum, rows)
	}
	return nil
}

// WriteFleet encodes a fleet rollups object from the rows of each cluster of x, cluster after
// cluster (x.Clusters[i].Rows each, any order of dimensions); it sets each entry's First.
func WriteFleet(x *FleetIndex, rows []AllocationRow) ([]byte, error) {
	var first, rest []AllocationRow
	at := 0
	for i := range x.Clusters {
		c := &x.Clusters[i]
		if c.Rows < 0 || at+c.Rows > len(rows) {
			return nil, fmt.Errorf("fleet index entry %d (%s): %d rows past the %d given", i, c.ID, c.Rows, len(rows))
		}
		c.First = 0
		for _, r := range rows[at : at+c.Rows] {
			if FleetFirst(r.Dimension) {
				first = append(first, r)
				c.First++
			} else {
				rest = append(rest, r)
			}
		}
		at += c.Rows
	}
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
	for _, section := range [][]AllocationRow{first, rest} {
		if len(section) == 0 {
			continue
		}
		if _, err := w.Write(section); err != nil {
			return nil, fmt.Errorf("write parquet rows: %w", err)
		}
		if err := w.Flush(); err != nil { // the next section starts a row group
			return nil, fmt.Errorf("write parquet rows: %w", err)
		}
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

// ReadFleet decodes a fleet rollups object written by WriteFleet: its index and the rows of
// each cluster, cluster after cluster, each cluster's rows in FleetOrder.
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
	return x, x.ClusterMajor(rows), nil
}

// ClusterMajor reorders an object's rows (both sections, as stored) cluster after cluster.
func (x *FleetIndex) ClusterMajor(rows []AllocationRow) []AllocationRow {
	out := make([]AllocationRow, 0, len(rows))
	a, b := 0, int(x.FirstRows())
	for _, c := range x.Clusters {
		out = append(out, rows[a:a+c.First]...)
		out = append(out, rows[b:b+c.Rows-c.First]...)
		a += c.First
		b += c.Rows - c.First
	}
	return out
}
