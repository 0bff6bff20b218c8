package cache

import (
	"strings"

	"github.com/fedcost/fedcost/shared/combined"
	"github.com/fedcost/fedcost/shared/cost"
)

// assetChunk holds the asset rows of one assets object in columns. Immutable once built.
type assetChunk struct {
	cluster string
	n       int
	dict    []string
	strs    [nAssetStrCols][]uint32
	labels  []map[string]string
	labIdx  []uint32
	floats  [nAssetFloatCols][]float64
	start   []int64
	end     []int64
	winS    int64
	winE    int64
	private []bool
	bytes   int
}

var assetStrCols = [...]func(*combined.AssetRow) *string{
	func(r *combined.AssetRow) *string { return &r.Key },
	func(r *combined.AssetRow) *string { return &r.Name },
	func(r *combined.AssetRow) *string { return &r.Type },
	func(r *combined.AssetRow) *string { return &r.Category },
	func(r *combined.AssetRow) *string { return &r.Provider },
	func(r *combined.AssetRow) *string { return &r.Account },
	func(r *combined.AssetRow) *string { return &r.Project },
	func(r *combined.AssetRow) *string { return &r.Service },
	func(r *combined.AssetRow) *string { return &r.ProviderID },
	func(r *combined.AssetRow) *string { return &r.NodeType },
	func(r *combined.AssetRow) *string { return &r.StorageClass },
	func(r *combined.AssetRow) *string { return &r.VolumeName },
	func(r *combined.AssetRow) *string { return &r.ClaimName },
	func(r *combined.AssetRow) *string { return &r.ClaimNamespace },
	func(r *combined.AssetRow) *string { return &r.IP },
	func(r *combined.AssetRow) *string { return &r.Detail },
}

const nAssetStrCols = len(assetStrCols)

var assetFloatCols = [...]func(*combined.AssetRow) *float64{
	func(r *combined.AssetRow) *float64 { return &r.CPUCoreHours },
	func(r *combined.AssetRow) *float64 { return &r.RAMByteHours },
	func(r *combined.AssetRow) *float64 { return &r.GPUHours },
	func(r *combined.AssetRow) *float64 { return &r.GPUCount },
	func(r *combined.AssetRow) *float64 { return &r.CPUCost },
	func(r *combined.AssetRow) *float64 { return &r.RAMCost },
	func(r *combined.AssetRow) *float64 { return &r.GPUCost },
	func(r *combined.AssetRow) *float64 { return &r.Discount },
	func(r *combined.AssetRow) *float64 { return &r.Preemptible },
	func(r *combined.AssetRow) *float64 { return &r.ByteHours },
	func(r *combined.AssetRow) *float64 { return &r.Adjustment },
	func(r *combined.AssetRow) *float64 { return &r.Cost },
	func(r *combined.AssetRow) *float64 { return &r.Credit },
}

const nAssetFloatCols = len(assetFloatCols)

func newAssetChunk(cluster string, winS, winE int64, rows []combined.AssetRow) *assetChunk {
	n := len(rows)
	c := &assetChunk{cluster: intern(cluster), n: n, winS: winS, winE: winE, dict: []string{""}, labels: []map[string]string{nil}}
	strIdx := map[string]uint32{"": 0}
	labIdx := map[string]uint32{}
	for j := range c.strs {
		c.strs[j] = make([]uint32, n)
	}
	c.labIdx, c.start, c.end, c.private = make([]uint32, n), make([]int64, n), make([]int64, n), make([]bool, n)
	for i := range rows {
		r := &rows[i]
		for j, f := range assetStrCols {
			s := *f(r)
			k, ok := strIdx[s]
			if !ok {
				k = uint32(len(c.dict))
				c.dict = append(c.dict, intern(s))
				strIdx[s] = k
				c.bytes += 16 + len(s)
			}
			c.strs[j][i] = k
		}
		if len(r.Labels) > 0 {
			key := mapKey(r.Labels)
			k, ok := labIdx[key]
			if !ok {
				k = uint32(len(c.labels))
				m := make(map[string]string, len(r.Labels))
				for lk, lv := range r.Labels {
					m[intern(lk)] = intern(lv)
				}
				c.labels = append(c.labels, m)
				labIdx[key] = k
				c.bytes += 48 + 40*len(m)
			}
			c.labIdx[i] = k
		}
		c.start[i], c.end[i], c.private[i] = r.Start, r.End, r.Private
	}
	for j, f := range assetFloatCols {
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
	c.bytes += 200 + n*(4*nAssetStrCols+4+17)
	return c
}

// asset rebuilds row i with combined.AssetRow.Asset and returns it with its set key. Keys
// that do not name the cluster are prefixed with it, so a fleet-wide set never merges two
// clusters' assets.
func (c *assetChunk) asset(i int) (string, *cost.Asset) {
	r := combined.AssetRow{WindowStart: c.winS, WindowEnd: c.winE, Start: c.start[i], End: c.end[i], Private: c.private[i],
		Labels: c.labels[c.labIdx[i]]}
	for j, f := range assetStrCols {
		*f(&r) = c.dict[c.strs[j][i]]
	}
	for j, f := range assetFloatCols {
		if col := c.floats[j]; col != nil {
			*f(&r) = col[i]
		}
	}
	key := r.Key
	if !strings.HasPrefix(key, c.cluster+"/") {
		key = c.cluster + "/" + key
	}
	return key, r.Asset(c.cluster)
}
