package layout

import (
	"fmt"
	"strings"
)

// CombinedPrefix is federated/combined/.
const CombinedPrefix = Root + CombinedDir + "/"

// DerivedKind is a kind of derived dataset under federated/combined/.
type DerivedKind string

// Derived datasets. Each is Parquet, Hive-partitioned by resolution, date and cluster, one
// current object per (cluster, resolution, window).
const (
	DerivedAllocations DerivedKind = "allocations" // container rows + per-node idle rows
	DerivedAssets      DerivedKind = "assets"
	DerivedRollups     DerivedKind = "rollups" // by namespace, controller and node
)

// DerivedKinds lists every derived dataset.
var DerivedKinds = []DerivedKind{DerivedAllocations, DerivedAssets, DerivedRollups}

// Derived identifies one derived object.
type Derived struct {
	Kind       DerivedKind
	Cluster    string
	Resolution Resolution
	Window     Window
}

// Key is federated/combined/<kind>/resolution=<r>/date=<YYYY-MM-DD>/cluster=<id>/<start>-<end>.parquet.
func (d Derived) Key() string {
	return fmt.Sprintf("%s%s/resolution=%s/date=%s/cluster=%s/%s", CombinedPrefix, d.Kind, d.Resolution,
		d.Window.Start.UTC().Format("2006-01-02"), d.Cluster, d.Window.FileName(".parquet"))
}

// DerivedPrefix is federated/combined/<kind>/resolution=<r>/ — list it to find every object of a
// dataset at one resolution.
func DerivedPrefix(k DerivedKind, r Resolution) string {
	return CombinedPrefix + string(k) + "/resolution=" + string(r) + "/"
}

// ParseDerived parses a derived object key.
func ParseDerived(key string) (Derived, error) {
	bad := func(why string) (Derived, error) {
		return Derived{}, &KeyError{Key: key, Class: CombinedClass, Reason: why}
	}
	rest, ok := strings.CutPrefix(key, CombinedPrefix)
	if !ok {
		return bad("not under " + CombinedPrefix)
	}
	p := strings.Split(rest, "/")
	if len(p) != 5 {
		return bad("want <kind>/resolution=<r>/date=<d>/cluster=<id>/<start>-<end>.parquet")
	}
	var d Derived
	switch DerivedKind(p[0]) {
	case DerivedAllocations, DerivedAssets, DerivedRollups:
		d.Kind = DerivedKind(p[0])
	default:
		return bad(fmt.Sprintf("unknown derived kind %q", p[0]))
	}
	r, ok := strings.CutPrefix(p[1], "resolution=")
	if !ok {
		return bad("missing resolution= partition")
	}
	res, err := ParseResolution(r)
	if err != nil {
		return bad(err.Error())
	}
	d.Resolution = res
	c, ok := strings.CutPrefix(p[3], "cluster=")
	if !ok {
		return bad("missing cluster= partition")
	}
	if err := ValidateClusterID(c); err != nil {
		return bad(err.Error())
	}
	d.Cluster = c
	name, ok := strings.CutSuffix(p[4], ".parquet")
	if !ok {
		return bad("not a .parquet object")
	}
	w, err := ParseWindowName(name)
	if err != nil {
		return bad(err.Error())
	}
	if err := ValidateWindow(res, w.Start, w.End); err != nil {
		return bad(err.Error())
	}
	if p[2] != "date="+w.Start.UTC().Format("2006-01-02") {
		return bad(fmt.Sprintf("partition %q does not match the window's date", p[2]))
	}
	d.Window = w
	return d, nil
}

// ManifestKey is the per-window manifest that records which upload versions the derived
// objects of (cluster, resolution, window) came from: federated/combined/manifests/<cluster>/<r>/<start>-<end>.json.
// It is the compare-and-swap point of ingestion.
func ManifestKey(cluster string, r Resolution, w Window) string {
	return CombinedPrefix + "manifests/" + cluster + "/" + string(r) + "/" + w.FileName(".json")
}

// ManifestPrefix is federated/combined/manifests/ (or that of one cluster when cluster != "").
func ManifestPrefix(cluster string) string {
	if cluster == "" {
		return CombinedPrefix + "manifests/"
	}
	return CombinedPrefix + "manifests/" + cluster + "/"
}

// StatusKey is federated/combined/status/<cluster>.json, the per-cluster status object.
func StatusKey(cluster string) string { return CombinedPrefix + "status/" + cluster + ".json" }

// StatusPrefix is federated/combined/status/.
const StatusPrefix = CombinedPrefix + "status/"

// FleetDir is the folder of the fleet rollups under federated/combined/, and FleetVersion the
// folder of the current format inside it (it changes with shared/combined.FleetFormat, so a
// reader never meets an object of another format; the compaction deletes older folders).
const (
	FleetDir     = "fleet"
	FleetVersion = "v2"
)

// FleetKey is federated/combined/fleet/v2/resolution=<r>/date=<YYYY-MM-DD>/<start>-<end>.parquet:
// the rollups of every cluster for one window in one object, with an index of the per-cluster
// rollups object versions it was built from (shared/combined.FleetIndex). It is an accelerator
// for the query service's cold start (one read per window instead of one per cluster and
// window), written by the reconciler; the per-cluster rollups stay the source of truth, and a
// reader uses a cluster's rows only where the version recorded matches the current object.
// External engines should read rollups/, not fleet/ (the same rows twice).
func FleetKey(r Resolution, w Window) string {
	return fmt.Sprintf("%s%s/%s/resolution=%s/date=%s/%s", CombinedPrefix, FleetDir, FleetVersion, r,
		w.Start.UTC().Format("2006-01-02"), w.FileName(".parquet"))
}

// FleetPrefix is federated/combined/fleet/v2/resolution=<r>/.
func FleetPrefix(r Resolution) string {
	return CombinedPrefix + FleetDir + "/" + FleetVersion + "/resolution=" + string(r) + "/"
}

// ParseFleet parses a fleet rollups key.
func ParseFleet(key string) (Resolution, Window, error) {
	bad := func(why string) (Resolution, Window, error) {
		return "", Window{}, &KeyError{Key: key, Class: CombinedClass, Reason: why}
	}
	rest, ok := strings.CutPrefix(key, CombinedPrefix+FleetDir+"/"+FleetVersion+"/")
	if !ok {
		return bad("not under " + CombinedPrefix + FleetDir + "/" + FleetVersion + "/")
	}
	p := strings.Split(rest, "/")
	if len(p) != 3 {
		return bad("want resolution=<r>/date=<d>/<start>-<end>.parquet")
	}
	r, ok := strings.CutPrefix(p[0], "resolution=")
	if !ok {
		return bad("missing resolution= partition")
	}
	res, err := ParseResolution(r)
	if err != nil {
		return bad(err.Error())
	}
	name, ok := strings.CutSuffix(p[2], ".parquet")
	if !ok {
		return bad("not a .parquet object")
	}
	w, err := ParseWindowName(name)
	if err != nil {
		return bad(err.Error())
	}
	if err := ValidateWindow(res, w.Start, w.End); err != nil {
		return bad(err.Error())
	}
	if p[1] != "date="+w.Start.UTC().Format("2006-01-02") {
		return bad(fmt.Sprintf("partition %q does not match the window's date", p[1]))
	}
	return res, w, nil
}
