package cache

import (
	"encoding/json"
	"math/bits"

	"github.com/fedcost/fedcost/shared/combined"
	"github.com/fedcost/fedcost/shared/cost"
)

// chunk holds allocation rows of one derived object (the allocations or rollups object of one
// cluster and window), possibly only some of its dimensions, in columns. Immutable once built.
type chunk struct {
	cluster string
	winS    int64 // window start and end, ms (the same for every row)
	winE    int64
	dict    *dictionary
	segs    []segment            // one per dimension kept
	pvs     []cost.PVAllocations // distinct parsed volume maps; index 0 is nil
	lbs     []cost.LbAllocations // distinct parsed load balancer maps; index 0 is nil
	rows    int
	bytes   int // estimated memory, dictionary excluded
}

// segment is the rows of one dimension. A column is stored only when some row has a value in
// it (mask bit set); stored columns are laid out one after the other, n values each.
type segment struct {
	dim       string
	n         int
	strMask   uint16
	strs      []uint32 // dictionary ids
	mapMask   uint8
	maps      []uint32 // dictionary map ids
	floatMask uint32
	floats    []float64
	startOff  []int32 // ms after the window start; nil: every row starts with the window
	endOff    []int32 // ms before the window end; nil: every row ends with the window
	pvIdx     []uint16
	lbIdx     []uint16
	idle      []bool // nil: no idle row
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

// newChunk encodes the rows of the dimensions keep accepts (all when keep is nil), with
// strings and maps numbered in dict.
func newChunk(cluster string, winS, winE int64, rows []combined.AllocationRow, keep func(dim string) bool, dict *dictionary) *chunk {
	c := &chunk{cluster: intern(cluster), winS: winS, winE: winE, dict: dict, pvs: []cost.PVAllocations{nil}, lbs: []cost.LbAllocations{nil}}
	pvIdx, lbIdx := map[string]uint16{}, map[string]uint16{}
	for lo := 0; lo < len(rows); {
		hi := lo + 1
		for hi < len(rows) && rows[hi].Dimension == rows[lo].Dimension {
			hi++
		}
		if keep == nil || keep(rows[lo].Dimension) {
			c.segs = append(c.segs, c.segment(rows[lo:hi], pvIdx, lbIdx))
		}
		lo = hi
	}
	c.bytes += 160 + 24*(len(c.pvs)+len(c.lbs))
	return c
}

// segment encodes rows of one dimension.
func (c *chunk) segment(rows []combined.AllocationRow, pvIdx, lbIdx map[string]uint16) segment {
	n := len(rows)
	s := segment{dim: intern(rows[0].Dimension), n: n}
	for j, f := range strCols {
		for i := range rows {
			if *f(&rows[i]) != "" {
				s.strMask |= 1 << j
				break
			}
		}
	}
	for j, f := range mapCols {
		for i := range rows {
			if len(*f(&rows[i])) > 0 {
				s.mapMask |= 1 << j
				break
			}
		}
	}
	for j, f := range floatCols {
		for i := range rows {
			if *f(&rows[i]) != 0 {
				s.floatMask |= 1 << j
				break
			}
		}
	}
	s.strs = make([]uint32, 0, bits.OnesCount16(s.strMask)*n)
	for j, f := range strCols {
		if s.strMask&(1<<j) != 0 {
			for i := range rows {
				s.strs = append(s.strs, c.dict.str(*f(&rows[i])))
			}
		}
	}
	s.maps = make([]uint32, 0, bits.OnesCount8(s.mapMask)*n)
	for j, f := range mapCols {
		if s.mapMask&(1<<j) != 0 {
			for i := range rows {
				s.maps = append(s.maps, c.dict.mapID(*f(&rows[i])))
			}
		}
	}
	s.floats = make([]float64, 0, bits.OnesCount32(s.floatMask)*n)
	for j, f := range floatCols {
		if s.floatMask&(1<<j) != 0 {
			for i := range rows {
				s.floats = append(s.floats, *f(&rows[i]))
			}
		}
	}
	for i := range rows {
		r := &rows[i]
		if r.Start != c.winS && s.startOff == nil {
			s.startOff = make([]int32, n)
		}
		if r.End != c.winE && s.endOff == nil {
			s.endOff = make([]int32, n)
		}
		if r.PVs != "" && s.pvIdx == nil {
			s.pvIdx = make([]uint16, n)
		}
		if r.LoadBalancers != "" && s.lbIdx == nil {
			s.lbIdx = make([]uint16, n)
		}
		if r.Idle && s.idle == nil {
			s.idle = make([]bool, n)
		}
	}
	for i := range rows {
		r := &rows[i]
		if s.startOff != nil {
			s.startOff[i] = int32(r.Start - c.winS)
		}
		if s.endOff != nil {
			s.endOff[i] = int32(c.winE - r.End)
		}
		if s.pvIdx != nil && r.PVs != "" {
			s.pvIdx[i] = parsedIndex(pvIdx, r.PVs, &c.pvs)
		}
		if s.lbIdx != nil && r.LoadBalancers != "" {
			s.lbIdx[i] = parsedIndex(lbIdx, r.LoadBalancers, &c.lbs)
		}
		if s.idle != nil {
			s.idle[i] = r.Idle
		}
	}
	c.rows += n
	c.bytes += 200 + 4*len(s.strs) + 4*len(s.maps) + 8*len(s.floats) + 4*(len(s.startOff)+len(s.endOff)) +
		2*(len(s.pvIdx)+len(s.lbIdx)) + len(s.idle)
	return s
}

// parsedIndex numbers a JSON-encoded volume or load balancer map, parsed once per chunk.
func parsedIndex[M ~map[K]V, K comparable, V any](idx map[string]uint16, js string, dict *[]M) uint16 {
	if i, ok := idx[js]; ok {
		return i
	}
	var m M
	if err := json.Unmarshal([]byte(js), &m); err != nil || len(m) == 0 || len(*dict) >= 1<<16-1 {
		idx[js] = 0
		return 0
	}
	i := uint16(len(*dict))
	*dict = append(*dict, m)
	idx[js] = i
	return i
}

// rowReader materializes rows of one chunk.
type rowReader struct {
	c    *chunk
	strs []string
	maps []map[string]string
}

func (c *chunk) reader() rowReader {
	strs, maps := c.dict.reader()
	return rowReader{c: c, strs: strs, maps: maps}
}

// row rebuilds row i of segment s (without the PVs and LoadBalancers JSON: allocation takes
// them from the parsed dictionaries).
func (rr rowReader) row(s *segment, i int, r *combined.AllocationRow) {
	c := rr.c
	*r = combined.AllocationRow{Dimension: s.dim, WindowStart: c.winS, WindowEnd: c.winE, Start: c.winS, End: c.winE}
	if s.startOff != nil {
		r.Start += int64(s.startOff[i])
	}
	if s.endOff != nil {
		r.End -= int64(s.endOff[i])
	}
	if s.idle != nil {
		r.Idle = s.idle[i]
	}
	k := 0
	for j, f := range strCols {
		if s.strMask&(1<<j) != 0 {
			*f(r) = rr.strs[s.strs[k*s.n+i]]
			k++
		}
	}
	k = 0
	for j, f := range mapCols {
		if s.mapMask&(1<<j) != 0 {
			*f(r) = rr.maps[s.maps[k*s.n+i]]
			k++
		}
	}
	k = 0
	for j, f := range floatCols {
		if s.floatMask&(1<<j) != 0 {
			*f(r) = s.floats[k*s.n+i]
			k++
		}
	}
}

// allocation builds the allocation of row i of segment s with combined.AllocationRow.Allocation
// (the conversion the ingest core's read-back uses too). Maps are shared, never copied: sets
// are read-only.
func (rr rowReader) allocation(s *segment, i int) *cost.Allocation {
	var r combined.AllocationRow
	rr.row(s, i, &r)
	a := r.Allocation(rr.c.cluster)
	if s.pvIdx != nil {
		if p := rr.c.pvs[s.pvIdx[i]]; p != nil {
			a.PVs = p
		}
	}
	if s.lbIdx != nil {
		if lb := rr.c.lbs[s.lbIdx[i]]; lb != nil {
			a.LoadBalancers = lb
		}
	}
	return a
}
