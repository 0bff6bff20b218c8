package layout

import (
	"errors"
	"fmt"
	"strings"
	"time"
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
	return fmt.Sprintf("%s%s/resolution=%s/%s/cluster=%s/%s", CombinedPrefix, d.Kind, d.Resolution,
		DatePartition(d.Window.Start), d.Cluster, d.Window.FileName(".parquet"))
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
	c, ok := strings.CutPrefix(p[3], "cluster=")
	if !ok {
		return bad("missing cluster= partition")
	}
	if err := ValidateClusterID(c); err != nil {
		return bad(err.Error())
	}
	d.Cluster = c
	res, w, err := parseWindowPath(p[1], p[2], p[4])
	if err != nil {
		return bad(err.Error())
	}
	d.Resolution, d.Window = res, w
	return d, nil
}

// DatePartition is the date=<YYYY-MM-DD> partition of the day t falls on (UTC).
func DatePartition(t time.Time) string { return "date=" + t.UTC().Format("2006-01-02") }

// parseWindowPath parses the resolution=<r>, date=<d> and <start>-<end>.parquet parts of a
// derived or fleet key: a valid window of that resolution on that date.
func parseWindowPath(resPart, datePart, file string) (Resolution, Window, error) {
	r, ok := strings.CutPrefix(resPart, "resolution=")
	if !ok {
		return "", Window{}, errors.New("missing resolution= partition")
	}
	res, err := ParseResolution(r)
	if err != nil {
		return "", Window{}, err
	}
	name, ok := strings.CutSuffix(file, ".parquet")
	if !ok {
		return "", Window{}, errors.New("not a .parquet object")
	}
	w, err := ParseWindowName(name)
	if err != nil {
		return "", Window{}, err
	}
	if err := ValidateWindow(res, w.Start, w.End); err != nil {
		return "", Window{}, err
	}
	if datePart != DatePartition(w.Start) {
		return "", Window{}, fmt.Errorf("partition %q does not match the window's date", datePart)
	}
	return res, w, nil
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
	return fmt.Sprintf("%s%s/%s/resolution=%s/%s/%s", CombinedPrefix, FleetDir, FleetVersion, r,
		DatePartition(w.Start), w.FileName(".parquet"))
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
	res, w, err := parseWindowPath(p[0], p[1], p[2])
	if err != nil {
		return bad(err.Error())
	}
	return res, w, nil
}
