package cache

import (
	"encoding/json"
	"slices"
	"unique"

	"github.com/fedcost/fedcost/shared/combined"
	"github.com/fedcost/fedcost/shared/cost"
)

// chunk holds the allocation rows of one derived object (allocations or rollups of one
// cluster and window) in columns. It is immutable once built.
type chunk struct {
	cluster string
	n       int
	dict    []string            // interned strings; index 0 is ""
	strs    [nStrCols][]uint32  // indexes into dict
	maps    []map[string]string // distinct label/annotation maps; index 0 is nil
	mapIdx  [nMapCols][]uint32  // indexes into maps
	floats  [nFloatCols][]float64
	start   []int64 // row start, ms
	end     []int64 // row end, ms
	winS    int64   // window start and end, ms (the same for every row)
	winE    int64
	pvs     []cost.PVAllocations // distinct parsed volume maps; index 0 is nil
	pvIdx   []uint32
	lbs     []cost.LbAllocations // distinct parsed load balancer maps; index 0 is nil
	lbIdx   []uint32
	idle    []bool
	bytes   int // estimated memory
}

// String columns.
const (
	colDimension = iota
	colName
	colNode
	colNamespace
	colControllerKind
	colController
	colPod
	colContainer
	colProviderID
	colServices
	nStrCols
)

var strCols = [nStrCols]func(*combined.AllocationRow) *string{
	func(r *combined.AllocationRow) *string { return &r.Dimension },
	func(r *combined.AllocationRow) *string { return &r.Name },
	func(r *combined.AllocationRow) *string { return &r.Node },
	func(r *combined.AllocationRow) *string { return &r.Namespace },
	func(r *combined.AllocationRow) *string { return &r.ControllerKind },
	func(r *combined.AllocationRow) *string { return &r.Controller },
	func(r *combined.AllocationRow) *string { return &r.Pod },
	func(r *combined.AllocationRow) *string { return &r.Container },
	func(r *combined.AllocationRow) *string { return &r.ProviderID },
	func(r *combined.AllocationRow) *string { return &r.Services },
}

// Map columns.
const (
	colLabels = iota
	colAnnotations
	colNamespaceLabels
	colNamespaceAnnotations
	nMapCols
)

var mapCols = [nMapCols]func(*combined.AllocationRow) *map[string]string{
	func(r *combined.AllocationRow) *map[string]string { return &r.Labels },
	func(r *combined.AllocationRow) *map[string]string { return &r.Annotations },
	func(r *combined.AllocationRow) *map[string]string { return &r.NamespaceLabels },
	func(r *combined.AllocationRow) *map[string]string { return &r.NamespaceAnnotations },
}

// floatCols are the numeric columns of a row (Minutes and TotalCost are derived).
var floatCols = [...]func(*combined.AllocationRow) *float64{
	func(r *combined.AllocationRow) *float64 { return &r.CPUCoreHours },
	func(r *combined.AllocationRow) *float64 { return &r.CPUCoreRequestAverage },
	func(r *combined.AllocationRow) *float64 { return &r.CPUCoreUsageAverage },
	func(r *combined.AllocationRow) *float64 { return &r.CPUCoreUsageMax },
	func(r *combined.AllocationRow) *float64 { return &r.CPUCost },
	func(r *combined.AllocationRow) *float64 { return &r.CPUCostAdjustment },
	func(r *combined.AllocationRow) *float64 { return &r.GPUHours },
	func(r *combined.AllocationRow) *float64 { return &r.GPURequestAverage },
	func(r *combined.AllocationRow) *float64 { return &r.GPUUsageAverage },
	func(r *combined.AllocationRow) *float64 { return &r.GPUCost },
	func(r *combined.AllocationRow) *float64 { return &r.GPUCostAdjustment },
	func(r *combined.AllocationRow) *float64 { return &r.RAMByteHours },
	func(r *combined.AllocationRow) *float64 { return &r.RAMBytesRequestAverage },
	func(r *combined.AllocationRow) *float64 { return &r.RAMBytesUsageAverage },
	func(r *combined.AllocationRow) *float64 { return &r.RAMBytesUsageMax },
	func(r *combined.AllocationRow) *float64 { return &r.RAMCost },
	func(r *combined.AllocationRow) *float64 { return &r.RAMCostAdjustment },
	func(r *combined.AllocationRow) *float64 { return &r.PVByteHours },
	func(r *combined.AllocationRow) *float64 { return &r.PVCost },
	func(r *combined.AllocationRow) *float64 { return &r.PVCostAdjustment },
	func(r *combined.AllocationRow) *float64 { return &r.NetworkTransferBytes },
	func(r *combined.AllocationRow) *float64 { return &r.NetworkReceiveBytes },
	func(r *combined.AllocationRow) *float64 { return &r.NetworkCost },
	func(r *combined.AllocationRow) *float64 { return &r.NetworkCrossZoneCost },
	func(r *combined.AllocationRow) *float64 { return &r.NetworkCrossRegionCost },
	func(r *combined.AllocationRow) *float64 { return &r.NetworkInternetCost },
	func(r *combined.AllocationRow) *float64 { return &r.NetworkCostAdjustment },
	func(r *combined.AllocationRow) *float64 { return &r.LoadBalancerCost },
	func(r *combined.AllocationRow) *float64 { return &r.LoadBalancerCostAdjustment },
	func(r *combined.AllocationRow) *float64 { return &r.SharedCost },
	func(r *combined.AllocationRow) *float64 { return &r.ExternalCost },
}

const nFloatCols = len(floatCols)

// intern returns the canonical copy of s, so equal strings across chunks share memory.
func intern(s string) string {
	if s == "" {
		return ""
	}
	return unique.Make(s).Value()
}

// newChunk encodes rows (which it may modify) as columns.
func newChunk(cluster string, winS, winE int64, rows []combined.AllocationRow) *chunk {
	n := len(rows)
	c := &chunk{cluster: intern(cluster), n: n, winS: winS, winE: winE,
		dict: []string{""}, maps: []map[string]string{nil}, pvs: []cost.PVAllocations{nil}, lbs: []cost.LbAllocations{nil}}
	strIdx := map[string]uint32{"": 0}
	str := func(s string) uint32 {
		if i, ok := strIdx[s]; ok {
			return i
		}
		i := uint32(len(c.dict))
		c.dict = append(c.dict, intern(s))
		strIdx[s] = i
		c.bytes += 16
		return i
	}
	mapIdx := map[string]uint32{}
	mp := func(m map[string]string) uint32 {
		if len(m) == 0 {
			return 0
		}
		k := mapKey(m)
		if i, ok := mapIdx[k]; ok {
			return i
		}
		i := uint32(len(c.maps))
		im := make(map[string]string, len(m))
		for k, v := range m {
			im[intern(k)] = intern(v)
		}
		c.maps = append(c.maps, im)
		mapIdx[k] = i
		c.bytes += 48 + 40*len(m)
		return i
	}
	pvIdx, lbIdx := map[string]uint32{}, map[string]uint32{}
	for j := range c.strs {
		c.strs[j] = make([]uint32, n)
	}
	for j := range c.mapIdx {
		c.mapIdx[j] = make([]uint32, n)
	}
	c.start, c.end, c.idle = make([]int64, n), make([]int64, n), make([]bool, n)
	c.pvIdx, c.lbIdx = make([]uint32, n), make([]uint32, n)
	for i := range rows {
		r := &rows[i]
		for j, f := range strCols {
			c.strs[j][i] = str(*f(r))
		}
		for j, f := range mapCols {
			c.mapIdx[j][i] = mp(*f(r))
		}
		c.start[i], c.end[i], c.idle[i] = r.Start, r.End, r.Idle
		if r.PVs != "" {
			c.pvIdx[i] = parsedIndex(pvIdx, r.PVs, &c.pvs)
		}
		if r.LoadBalancers != "" {
			c.lbIdx[i] = parsedIndex(lbIdx, r.LoadBalancers, &c.lbs)
		}
	}
	for j, f := range floatCols {
		var col []float64
		for i := range rows {
			if v := *f(&rows[i]); v != 0 {
				if col == nil {
					col = make([]float64, n)
				}
				col[i] = v
			}
		}
		c.floats[j] = col
		if col != nil {
			c.bytes += 8 * n
		}
	}
	c.bytes += 200 + n*(4*nStrCols+4*nMapCols+8+8+4+4+1)
	return c
}

// parsedIndex interns a JSON-encoded volume or load balancer map, parsed once per chunk.
func parsedIndex[M ~map[K]V, K comparable, V any](idx map[string]uint32, js string, dict *[]M) uint32 {
	if i, ok := idx[js]; ok {
		return i
	}
	var m M
	if err := json.Unmarshal([]byte(js), &m); err != nil || len(m) == 0 {
		idx[js] = 0
		return 0
	}
	i := uint32(len(*dict))
	*dict = append(*dict, m)
	idx[js] = i
	return i
}

// mapKey is a canonical string of a map (sorted k=v pairs).
func mapKey(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	n := 0
	for _, k := range keys {
		n += len(k) + len(m[k]) + 2
	}
	b := make([]byte, 0, n)
	for _, k := range keys {
		b = append(b, k...)
		b = append(b, 0)
		b = append(b, m[k]...)
		b = append(b, 1)
	}
	return string(b)
}

// str returns string column col of row i.
func (c *chunk) str(col, i int) string { return c.dict[c.strs[col][i]] }

// row rebuilds row i (without the PVs and LoadBalancers JSON, which allocation sets from the
// parsed dictionaries).
func (c *chunk) row(i int, r *combined.AllocationRow) {
	*r = combined.AllocationRow{WindowStart: c.winS, WindowEnd: c.winE, Start: c.start[i], End: c.end[i], Idle: c.idle[i]}
	for j, f := range strCols {
		*f(r) = c.dict[c.strs[j][i]]
	}
	for j, f := range mapCols {
		*f(r) = c.maps[c.mapIdx[j][i]]
	}
	for j, f := range floatCols {
		if col := c.floats[j]; col != nil {
			*f(r) = col[i]
		}
	}
}

// allocation builds the allocation of row i with combined.AllocationRow.Allocation (the one
// conversion the ingest core's read-back uses too). Maps are shared, never copied: sets are
// read-only.
func (c *chunk) allocation(i int) *cost.Allocation {
	var r combined.AllocationRow
	c.row(i, &r)
	a := r.Allocation(c.cluster)
	if p := c.pvs[c.pvIdx[i]]; p != nil {
		a.PVs = p
	}
	if lb := c.lbs[c.lbIdx[i]]; lb != nil {
		a.LoadBalancers = lb
	}
	return a
}
