package cost

import (
	"fmt"
	"maps"
	"strings"
	"time"
)

// AssetType is the kind of an asset. JSON is its name ("Node", "Disk", …).
type AssetType int

// Asset types in OpenCost's enum order.
const (
	AnyAssetType AssetType = iota
	CloudAssetType
	ClusterManagementAssetType
	DiskAssetType
	LoadBalancerAssetType
	NetworkAssetType
	NodeAssetType
	SharedAssetType
)

var assetTypeNames = [...]string{"Asset", "Cloud", "ClusterManagement", "Disk", "LoadBalancer", "Network", "Node", "Shared"}

// String returns the OpenCost name of the type.
func (t AssetType) String() string {
	if t < 0 || int(t) >= len(assetTypeNames) {
		return fmt.Sprintf("AssetType(%d)", int(t))
	}
	return assetTypeNames[t]
}

// ParseAssetType accepts the names case-insensitively ("node", "Node", "any" or "asset").
func ParseAssetType(s string) (AssetType, error) {
	l := strings.ToLower(s)
	if l == "any" {
		return AnyAssetType, nil
	}
	for i, n := range assetTypeNames {
		if strings.ToLower(n) == l {
			return AssetType(i), nil
		}
	}
	return 0, fmt.Errorf("unknown asset type %q: want one of Cloud, ClusterManagement, Disk, LoadBalancer, Network, Node, Shared, Any", s)
}

// MarshalText writes the type name.
func (t AssetType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText parses a type name.
func (t *AssetType) UnmarshalText(b []byte) error {
	v, err := ParseAssetType(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// AssetProperties identify an asset. JSON keys as OpenCost's assetprops.go.
type AssetProperties struct {
	Category   string `json:"category,omitempty"`
	Provider   string `json:"provider,omitempty"`
	Account    string `json:"account,omitempty"`
	Project    string `json:"project,omitempty"`
	Service    string `json:"service,omitempty"`
	Cluster    string `json:"cluster,omitempty"`
	Name       string `json:"name,omitempty"`
	ProviderID string `json:"providerID,omitempty"`
}

// Asset categories.
const (
	ComputeCategory    = "Compute"
	StorageCategory    = "Storage"
	NetworkCategory    = "Network"
	ManagementCategory = "Management"
	SharedCategory     = "Shared"
	OtherCategory      = "Other"
)

// Breakdown splits a resource's time into idle, other, system and user fractions.
type Breakdown struct {
	Idle   float64 `json:"idle"`
	Other  float64 `json:"other"`
	System float64 `json:"system"`
	User   float64 `json:"user"`
}

// NodeOverhead is the fraction of a node reserved by the system.
type NodeOverhead struct {
	CPUOverheadFraction  float64 `json:"cpuOverheadFraction"`
	RAMOverheadFraction  float64 `json:"ramOverheadFraction"`
	OverheadCostFraction float64 `json:"overheadCostFraction"`
}

// Asset is one priced infrastructure item over a window. One struct serves every type;
// fields that do not apply to a type stay zero (and are omitted from JSON). TotalCost depends
// on the type (see the package comment).
type Asset struct {
	Type       AssetType         `json:"type"`
	Properties AssetProperties   `json:"properties"`
	Labels     map[string]string `json:"labels,omitempty"`
	Window     Window            `json:"window"`
	Start      time.Time         `json:"start"`
	End        time.Time         `json:"end"`
	Adjustment float64           `json:"adjustment"`

	// Cost is the base cost of every type but Node (whose cost is per resource).
	Cost float64 `json:"cost,omitempty"`
	// Credit applies to Cloud assets.
	Credit float64 `json:"credit,omitempty"`

	// Node fields.
	NodeType     string        `json:"nodeType,omitempty"`
	CPUCoreHours float64       `json:"cpuCoreHours,omitempty"`
	RAMByteHours float64       `json:"ramByteHours,omitempty"`
	GPUHours     float64       `json:"gpuHours,omitempty"`
	GPUCount     float64       `json:"gpuCount,omitempty"`
	CPUBreakdown *Breakdown    `json:"cpuBreakdown,omitempty"`
	RAMBreakdown *Breakdown    `json:"ramBreakdown,omitempty"`
	CPUCost      float64       `json:"cpuCost,omitempty"`
	GPUCost      float64       `json:"gpuCost,omitempty"`
	RAMCost      float64       `json:"ramCost,omitempty"`
	Discount     float64       `json:"discount,omitempty"`
	Preemptible  float64       `json:"preemptible,omitempty"`
	Overhead     *NodeOverhead `json:"overhead,omitempty"`

	// Disk fields.
	ByteHours      float64    `json:"byteHours,omitempty"`
	ByteHoursUsed  *float64   `json:"byteHoursUsed,omitempty"`
	ByteUsageMax   *float64   `json:"byteUsageMax,omitempty"`
	Local          float64    `json:"local,omitempty"`
	Breakdown      *Breakdown `json:"breakdown,omitempty"`
	StorageClass   string     `json:"storageClass,omitempty"`
	VolumeName     string     `json:"volumeName,omitempty"`
	ClaimName      string     `json:"claimName,omitempty"`
	ClaimNamespace string     `json:"claimNamespace,omitempty"`

	// LoadBalancer fields.
	Private bool   `json:"private,omitempty"`
	IP      string `json:"ip,omitempty"`
}

// TotalCost is the asset's cost after discount and adjustment, by type.
func (a *Asset) TotalCost() float64 {
	switch a.Type {
	case NodeAssetType:
		return (a.CPUCost+a.RAMCost)*(1-a.Discount) + a.GPUCost + a.Adjustment
	case CloudAssetType:
		return a.Cost + a.Adjustment + a.Credit
	case SharedAssetType:
		return a.Cost
	default:
		return a.Cost + a.Adjustment
	}
}

// Minutes is End − Start in minutes.
func (a *Asset) Minutes() float64 { return a.End.Sub(a.Start).Minutes() }

// Clone returns a deep copy.
func (a *Asset) Clone() *Asset {
	c := *a
	c.Labels = maps.Clone(a.Labels)
	for _, p := range []**Breakdown{&c.CPUBreakdown, &c.RAMBreakdown, &c.Breakdown} {
		if *p != nil {
			b := **p
			*p = &b
		}
	}
	if a.Overhead != nil {
		o := *a.Overhead
		c.Overhead = &o
	}
	for _, p := range []**float64{&c.ByteHoursUsed, &c.ByteUsageMax} {
		if *p != nil {
			v := **p
			*p = &v
		}
	}
	return &c
}

// Key is the default asset key provider/account/project/category/cluster/type/service/
// providerID/name, with __undefined__ for empty parts (OpenCost AssetSet default key).
func (a *Asset) Key() string {
	p := a.Properties
	parts := []string{p.Provider, p.Account, p.Project, p.Category, p.Cluster, a.Type.String(), p.Service, p.ProviderID, p.Name}
	for i, s := range parts {
		if s == "" {
			parts[i] = UndefinedAssetProperty
		}
	}
	return strings.Join(parts, "/")
}

// Add merges b into a. Different types give an Any asset holding the summed total cost.
// Node discount and preemptible are cost-weighted; breakdowns are weighted by CPU/RAM cost.
// Properties keep only what both share.
func (a *Asset) Add(b *Asset) {
	a.Properties = intersectAssetProps(a.Properties, b.Properties)
	a.Labels = intersectMaps(a.Labels, b.Labels)
	a.Window = a.Window.Expand(b.Window)
	if b.Start.Before(a.Start) || a.Start.IsZero() {
		a.Start = b.Start
	}
	if b.End.After(a.End) {
		a.End = b.End
	}
	if a.Type != b.Type {
		total := a.TotalCost() + b.TotalCost()
		*a = Asset{Type: AnyAssetType, Properties: a.Properties, Labels: a.Labels, Window: a.Window, Start: a.Start, End: a.End, Cost: total}
		return
	}
	if a.Type == NodeAssetType {
		ac, bc := a.CPUCost+a.RAMCost, b.CPUCost+b.RAMCost
		if ac+bc > 0 {
			a.Discount = (a.Discount*ac + b.Discount*bc) / (ac + bc)
		}
		at, bt := a.TotalCost(), b.TotalCost()
		if at+bt > 0 {
			a.Preemptible = (a.Preemptible*at + b.Preemptible*bt) / (at + bt)
		}
		a.CPUBreakdown = weightBreakdown(a.CPUBreakdown, a.CPUCost, b.CPUBreakdown, b.CPUCost)
		a.RAMBreakdown = weightBreakdown(a.RAMBreakdown, a.RAMCost, b.RAMBreakdown, b.RAMCost)
		if a.NodeType != b.NodeType {
			a.NodeType = ""
		}
		a.Overhead = nil
	}
	if a.Type == DiskAssetType {
		a.Breakdown = weightBreakdown(a.Breakdown, a.ByteHours, b.Breakdown, b.ByteHours)
		a.ByteHoursUsed = addPtr(a.ByteHoursUsed, b.ByteHoursUsed)
		if b.ByteUsageMax != nil && (a.ByteUsageMax == nil || *b.ByteUsageMax > *a.ByteUsageMax) {
			v := *b.ByteUsageMax
			a.ByteUsageMax = &v
		}
		if a.StorageClass != b.StorageClass {
			a.StorageClass = ""
		}
	}
	a.Adjustment += b.Adjustment
	a.Cost += b.Cost
	a.Credit += b.Credit
	a.CPUCoreHours += b.CPUCoreHours
	a.RAMByteHours += b.RAMByteHours
	a.GPUHours += b.GPUHours
	a.GPUCount += b.GPUCount
	a.CPUCost += b.CPUCost
	a.RAMCost += b.RAMCost
	a.GPUCost += b.GPUCost
	a.ByteHours += b.ByteHours
	a.Local = max(a.Local, b.Local)
}

func addPtr(a, b *float64) *float64 {
	if a == nil && b == nil {
		return nil
	}
	var v float64
	if a != nil {
		v += *a
	}
	if b != nil {
		v += *b
	}
	return &v
}

func weightBreakdown(a *Breakdown, aw float64, b *Breakdown, bw float64) *Breakdown {
	if a == nil && b == nil {
		return nil
	}
	if aw+bw <= 0 {
		if a != nil {
			return a
		}
		return b
	}
	var r Breakdown
	if a != nil {
		r.Idle, r.Other, r.System, r.User = a.Idle*aw, a.Other*aw, a.System*aw, a.User*aw
	}
	if b != nil {
		r.Idle += b.Idle * bw
		r.Other += b.Other * bw
		r.System += b.System * bw
		r.User += b.User * bw
	}
	t := aw + bw
	r.Idle, r.Other, r.System, r.User = r.Idle/t, r.Other/t, r.System/t, r.User/t
	return &r
}

func intersectAssetProps(a, b AssetProperties) AssetProperties {
	return AssetProperties{
		Category: same(a.Category, b.Category), Provider: same(a.Provider, b.Provider),
		Account: same(a.Account, b.Account), Project: same(a.Project, b.Project),
		Service: same(a.Service, b.Service), Cluster: same(a.Cluster, b.Cluster),
		Name: same(a.Name, b.Name), ProviderID: same(a.ProviderID, b.ProviderID),
	}
}

// AssetSet is the assets of one window, keyed by name (the ETL key, normally Asset.Key()).
type AssetSet struct {
	Window Window
	Assets map[string]*Asset
}

// NewAssetSet returns an empty set for the window.
func NewAssetSet(w Window) *AssetSet { return &AssetSet{Window: w, Assets: map[string]*Asset{}} }

// Insert adds a copy of a under key, merging with an existing asset of that key.
func (s *AssetSet) Insert(key string, a *Asset) {
	if cur, ok := s.Assets[key]; ok {
		cur.Add(a)
		return
	}
	s.Assets[key] = a.Clone()
}

// TotalCost sums the total cost of every asset.
func (s *AssetSet) TotalCost() float64 {
	var t float64
	for _, a := range s.Assets {
		t += a.TotalCost()
	}
	return t
}
