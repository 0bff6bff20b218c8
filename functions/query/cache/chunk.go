package cache

import (
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
	segs    []segment // one per dimension kept
	rows    int
	bytes   int // estimated memory, dictionary excluded
}

// segment is the rows of one dimension. A column is stored only when some row has a value in
// it (mask bit set); stored columns are laid out one after the other, n values each.
type segment struct {
	dim       string
	n         int32
	strMask   uint16
	mapMask   uint8
	allIdle   bool // every row is an idle row
	floatMask uint32
	ids       []uint32 // dictionary ids: the stored string columns, then the stored map columns
	floats    []float64
	x         *extras // nil: every row spans the window, no volumes, no load balancers
}

// extras are the columns few segments need.
type extras struct {
	startOff []int32  // ms after the window start; nil: every row starts with the window
	endOff   []int32  // ms before the window end; nil: every row ends with the window
	pvIdx    []uint32 // dictionary ids of the parsed volume maps
	lbIdx    []uint32 // dictionary ids of the parsed load balancer maps
	idle     []bool
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

// newChunk encodes the rows of the dimensions keep accepts (all when keep is nil), with
// strings and maps numbered in dict.
func newChunk(cluster string, winS, winE int64, rows []combined.AllocationRow, keep func(dim string) bool, dict *dictionary) *chunk {
	c := &chunk{cluster: intern(cluster), winS: winS, winE: winE, dict: dict}
	for lo := 0; lo < len(rows); {
		hi := lo + 1
		for hi < len(rows) && rows[hi].Dimension == rows[lo].Dimension {
			hi++
		}
		if keep == nil || keep(rows[lo].Dimension) {
			c.segs = append(c.segs, c.segment(rows[lo:hi]))
		}
		lo = hi
	}
	c.bytes += 200 + 112*len(c.segs)
	return c
}

// segment encodes rows of one dimension.
func (c *chunk) segment(rows []combined.AllocationRow) segment {
	n := len(rows)
	s := segment{dim: intern(rows[0].Dimension), n: int32(n), allIdle: true}
	for j, f := range strCols {
		if j == colDimension {
			continue // s.dim
		}
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
	s.ids = make([]uint32, 0, (bits.OnesCount16(s.strMask)+bits.OnesCount8(s.mapMask))*n)
	for j, f := range strCols {
		if s.strMask&(1<<j) != 0 {
			for i := range rows {
				s.ids = append(s.ids, c.dict.str(*f(&rows[i])))
			}
		}
	}
	for j, f := range mapCols {
		if s.mapMask&(1<<j) != 0 {
			for i := range rows {
				s.ids = append(s.ids, c.dict.mapID(*f(&rows[i])))
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
	var x extras
	for i := range rows {
		r := &rows[i]
		s.allIdle = s.allIdle && r.Idle
		if r.Start != c.winS && x.startOff == nil {
			x.startOff = make([]int32, n)
		}
		if r.End != c.winE && x.endOff == nil {
			x.endOff = make([]int32, n)
		}
		if r.PVs != "" && x.pvIdx == nil {
			x.pvIdx = make([]uint32, n)
		}
		if r.LoadBalancers != "" && x.lbIdx == nil {
			x.lbIdx = make([]uint32, n)
		}
	}
	if !s.allIdle {
		for i := range rows {
			if rows[i].Idle {
				x.idle = make([]bool, n)
				break
			}
		}
	}
	for i := range rows {
		r := &rows[i]
		if x.startOff != nil {
			x.startOff[i] = int32(r.Start - c.winS)
		}
		if x.endOff != nil {
			x.endOff[i] = int32(c.winE - r.End)
		}
		if x.pvIdx != nil && r.PVs != "" {
			x.pvIdx[i] = c.dict.pvID(r.PVs)
		}
		if x.lbIdx != nil && r.LoadBalancers != "" {
			x.lbIdx[i] = c.dict.lbID(r.LoadBalancers)
		}
		if x.idle != nil {
			x.idle[i] = r.Idle
		}
	}
	c.bytes += 96 + 4*len(s.ids) + 8*len(s.floats)
	if x.startOff != nil || x.endOff != nil || x.pvIdx != nil || x.lbIdx != nil || x.idle != nil {
		s.x = &x
		c.bytes += 160 + 4*(len(x.startOff)+len(x.endOff)) + 4*(len(x.pvIdx)+len(x.lbIdx)) + len(x.idle)
	}
	c.rows += n
	return s
}

// rowReader materializes rows of one chunk.
type rowReader struct {
	c *chunk
	dictReader
}

func (c *chunk) reader() rowReader { return rowReader{c, c.dict.reader()} }

// row rebuilds row i of segment s (without the PVs and LoadBalancers JSON: allocation takes
// them from the parsed dictionaries).
func (rr rowReader) row(s *segment, i int, r *combined.AllocationRow) {
	c := rr.c
	*r = combined.AllocationRow{Dimension: s.dim, WindowStart: c.winS, WindowEnd: c.winE, Start: c.winS, End: c.winE, Idle: s.allIdle}
	if x := s.x; x != nil {
		if x.startOff != nil {
			r.Start += int64(x.startOff[i])
		}
		if x.endOff != nil {
			r.End -= int64(x.endOff[i])
		}
		if x.idle != nil {
			r.Idle = x.idle[i]
		}
	}
	n := int(s.n)
	k := 0
	for j, f := range strCols {
		if s.strMask&(1<<j) != 0 {
			*f(r) = rr.strs[s.ids[k*n+i]]
			k++
		}
	}
	for j, f := range mapCols {
		if s.mapMask&(1<<j) != 0 {
			*f(r) = rr.maps[s.ids[k*n+i]]
			k++
		}
	}
	k = 0
	for j, f := range floatCols {
		if s.floatMask&(1<<j) != 0 {
			*f(r) = s.floats[k*n+i]
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
	if x := s.x; x != nil && x.pvIdx != nil {
		if p := rr.pvs[x.pvIdx[i]]; p != nil {
			a.PVs = p
		}
	}
	if x := s.x; x != nil && x.lbIdx != nil {
		if lb := rr.lbs[x.lbIdx[i]]; lb != nil {
			a.LoadBalancers = lb
		}
	}
	return a
}
