package etl

import (
	"math"
	"unicode/utf8"

	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/layout"
)

// Field limits that keep one hostile record from bloating derived data.
const (
	maxNameLen   = 1024
	maxStringLen = 4096
	maxMapLen    = 1024
)

// Validate checks a decoded document against the identity its key promises (see the package
// comment). It fills what may be left implicit: record names from map keys, record windows
// and cluster properties from the document.
func Validate(d *Document, want layout.Upload, lim Limits) error {
	lim = lim.orDefault()
	if d.FormatVersion != FormatVersion {
		return refuse(ReasonUnknownVersion, "", "formatVersion", "version %d is not supported (this fedcost reads version %d)", d.FormatVersion, FormatVersion)
	}
	if d.Kind != want.Kind {
		return refuse(ReasonKindMismatch, "", "kind", "document says %q, key says %q", d.Kind, want.Kind)
	}
	if d.Resolution != want.Resolution {
		return refuse(ReasonResolutionMismatch, "", "resolution", "document says %q, key says %q", d.Resolution, want.Resolution)
	}
	if d.Cluster != want.Cluster {
		return refuse(ReasonClusterMismatch, "", "cluster", "document says %q, key says %q", d.Cluster, want.Cluster)
	}
	if err := layout.ValidateWindow(want.Resolution, d.Window.Start, d.Window.End); err != nil {
		return refuse(ReasonBadWindow, "", "window", "%v", err)
	}
	if !d.Window.Start.Equal(want.Window.Start) || !d.Window.End.Equal(want.Window.End) {
		return refuse(ReasonWindowMismatch, "", "window", "document says %s, key says %s", d.Window, want.Window)
	}
	if d.Records() > lim.MaxRecords {
		return refuse(ReasonTooManyRecords, "", "", "%d records, limit %d", d.Records(), lim.MaxRecords)
	}
	for _, s := range []struct{ f, v string }{{"producer.agent", d.Producer.Agent}, {"producer.version", d.Producer.Version}, {"producer.installID", d.Producer.InstallID}, {"producer.source", d.Producer.Source}} {
		if len(s.v) > 256 || !utf8.ValidString(s.v) {
			return refuse(ReasonTooLong, "", s.f, "at most 256 bytes of UTF-8")
		}
	}
	switch d.Kind {
	case layout.Allocations:
		if len(d.Assets) > 0 {
			return refuse(ReasonWrongSection, "", "assets", "an allocations document holds no assets")
		}
		for name, a := range d.Allocations {
			if err := validateAllocation(d, name, a); err != nil {
				return err
			}
		}
	case layout.Assets:
		if len(d.Allocations) > 0 {
			return refuse(ReasonWrongSection, "", "allocations", "an assets document holds no allocations")
		}
		for key, a := range d.Assets {
			if err := validateAsset(d, key, a); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkName(name string) *Error {
	switch {
	case name == "":
		return refuse(ReasonBadName, name, "name", "empty name")
	case len(name) > maxNameLen:
		return refuse(ReasonTooLong, name, "name", "longer than %d bytes", maxNameLen)
	case !utf8.ValidString(name):
		return refuse(ReasonBadName, name, "name", "not valid UTF-8")
	}
	return nil
}

// checkSpan checks a record's window and start/end and fills an empty window.
func checkSpan(d *Document, name string, w *cost.Window) *Error {
	if w.IsZero() {
		*w = d.Window
	}
	if !w.Start.Equal(d.Window.Start) || !w.End.Equal(d.Window.End) {
		return refuse(ReasonRecordOutsideWindow, name, "window", "record window %s differs from the document's %s", w, d.Window)
	}
	return nil
}

func checkStartEnd(d *Document, name string, startEnd cost.Window) *Error {
	if startEnd.Start.IsZero() && startEnd.End.IsZero() {
		return refuse(ReasonMissingField, name, "start", "start and end are required")
	}
	if startEnd.End.Before(startEnd.Start) {
		return refuse(ReasonRecordOutsideWindow, name, "end", "end %s is before start %s", startEnd.End, startEnd.Start)
	}
	if !d.Window.ContainsWindow(startEnd) {
		return refuse(ReasonRecordOutsideWindow, name, "start", "[%s, %s) is not inside the window %s", startEnd.Start.UTC(), startEnd.End.UTC(), d.Window)
	}
	return nil
}

type numCheck struct {
	field  string
	v      float64
	nonNeg bool
}

func checkNumbers(name string, nums []numCheck) *Error {
	for _, n := range nums {
		if math.IsNaN(n.v) || math.IsInf(n.v, 0) {
			return refuse(ReasonNotFinite, name, n.field, "%v is not a finite number", n.v)
		}
		if n.nonNeg && n.v < 0 {
			return refuse(ReasonNegative, name, n.field, "%v is negative; it must be ≥ 0", n.v)
		}
	}
	return nil
}

type strField struct{ name, v string }

func checkStrings(name string, fields []strField) *Error {
	for _, fv := range fields {
		f, s := fv.name, fv.v
		if len(s) > maxStringLen {
			return refuse(ReasonTooLong, name, f, "longer than %d bytes", maxStringLen)
		}
		if !utf8.ValidString(s) {
			return refuse(ReasonBadName, name, f, "not valid UTF-8")
		}
	}
	return nil
}

func checkMap(name, field string, m map[string]string) *Error {
	if len(m) > maxMapLen {
		return refuse(ReasonTooLong, name, field, "%d entries, at most %d", len(m), maxMapLen)
	}
	for k, v := range m {
		if len(k) > maxStringLen || len(v) > maxStringLen {
			return refuse(ReasonTooLong, name, field+"["+truncate(k, 64)+"]", "longer than %d bytes", maxStringLen)
		}
	}
	return nil
}

func validateAllocation(d *Document, key string, a *cost.Allocation) error {
	if a == nil {
		return refuse(ReasonMissingField, key, "", "null allocation")
	}
	if err := checkName(key); err != nil {
		return err
	}
	if a.Name == "" {
		a.Name = key
	}
	if a.Name != key {
		return refuse(ReasonNameMismatch, key, "name", "record name %q differs from its key", a.Name)
	}
	if err := checkSpan(d, key, &a.Window); err != nil {
		return err
	}
	if err := checkStartEnd(d, key, cost.Window{Start: a.Start, End: a.End}); err != nil {
		return err
	}
	if a.Properties == nil {
		a.Properties = &cost.AllocationProperties{}
	}
	p := a.Properties
	if p.Cluster == "" {
		p.Cluster = d.Cluster
	}
	if p.Cluster != d.Cluster {
		return refuse(ReasonClusterMismatch, key, "properties.cluster", "%q, but the document is cluster %q", p.Cluster, d.Cluster)
	}
	if err := checkStrings(key, []strField{{"properties.node", p.Node}, {"properties.namespace", p.Namespace},
		{"properties.pod", p.Pod}, {"properties.container", p.Container}, {"properties.controller", p.Controller},
		{"properties.controllerKind", p.ControllerKind}, {"properties.providerID", p.ProviderID}}); err != nil {
		return err
	}
	for _, m := range []struct {
		f string
		m map[string]string
	}{{"properties.labels", p.Labels}, {"properties.annotations", p.Annotations},
		{"properties.namespaceLabels", p.NamespaceLabels}, {"properties.namespaceAnnotations", p.NamespaceAnnotations}} {
		if err := checkMap(key, m.f, m.m); err != nil {
			return err
		}
	}
	if len(p.Services) > maxMapLen {
		return refuse(ReasonTooLong, key, "properties.services", "%d services, at most %d", len(p.Services), maxMapLen)
	}
	nums := []numCheck{
		{"cpuCoreHours", a.CPUCoreHours, true}, {"cpuCoreRequestAverage", a.CPUCoreRequestAverage, true},
		{"cpuCoreUsageAverage", a.CPUCoreUsageAverage, true}, {"cpuCost", a.CPUCost, true}, {"cpuCostAdjustment", a.CPUCostAdjustment, false},
		{"gpuHours", a.GPUHours, true}, {"gpuRequestAverage", a.GPURequestAverage, true}, {"gpuUsageAverage", a.GPUUsageAverage, true},
		{"gpuCost", a.GPUCost, true}, {"gpuCostAdjustment", a.GPUCostAdjustment, false},
		{"networkTransferBytes", a.NetworkTransferBytes, true}, {"networkReceiveBytes", a.NetworkReceiveBytes, true},
		{"networkCost", a.NetworkCost, true}, {"networkCrossZoneCost", a.NetworkCrossZoneCost, true},
		{"networkCrossRegionCost", a.NetworkCrossRegionCost, true}, {"networkInternetCost", a.NetworkInternetCost, true},
		{"networkCostAdjustment", a.NetworkCostAdjustment, false},
		{"loadBalancerCost", a.LoadBalancerCost, true}, {"loadBalancerCostAdjustment", a.LoadBalancerCostAdjustment, false},
		{"pvCostAdjustment", a.PVCostAdjustment, false},
		{"ramByteHours", a.RAMByteHours, true}, {"ramByteRequestAverage", a.RAMBytesRequestAverage, true},
		{"ramByteUsageAverage", a.RAMBytesUsageAverage, true}, {"ramCost", a.RAMCost, true}, {"ramCostAdjustment", a.RAMCostAdjustment, false},
		{"sharedCost", a.SharedCost, true}, {"externalCost", a.ExternalCost, true},
	}
	if err := checkNumbers(key, nums); err != nil {
		return err
	}
	for k, pv := range a.PVs {
		if pv == nil {
			return refuse(ReasonMissingField, key, "pvs["+k.String()+"]", "null volume")
		}
		if err := checkNumbers(key, []numCheck{{"pvs[" + k.String() + "].byteHours", pv.ByteHours, true}, {"pvs[" + k.String() + "].cost", pv.Cost, true}}); err != nil {
			return err
		}
	}
	for k, lb := range a.LoadBalancers {
		if lb == nil {
			return refuse(ReasonMissingField, key, "lbAllocations["+k+"]", "null load balancer")
		}
		if err := checkNumbers(key, []numCheck{{"lbAllocations[" + k + "].cost", lb.Cost, true}, {"lbAllocations[" + k + "].hours", lb.Hours, true}}); err != nil {
			return err
		}
	}
	if r := a.RawAllocationOnly; r != nil {
		if err := checkNumbers(key, []numCheck{{"rawAllocationOnly.cpuCoreUsageMax", r.CPUCoreUsageMax, true}, {"rawAllocationOnly.ramByteUsageMax", r.RAMBytesUsageMax, true}}); err != nil {
			return err
		}
	}
	return nil
}

func validateAsset(d *Document, key string, a *cost.Asset) error {
	if a == nil {
		return refuse(ReasonMissingField, key, "", "null asset")
	}
	if err := checkName(key); err != nil {
		return err
	}
	if err := checkSpan(d, key, &a.Window); err != nil {
		return err
	}
	if err := checkStartEnd(d, key, cost.Window{Start: a.Start, End: a.End}); err != nil {
		return err
	}
	p := &a.Properties
	if p.Cluster == "" {
		p.Cluster = d.Cluster
	}
	if p.Cluster != d.Cluster {
		return refuse(ReasonClusterMismatch, key, "properties.cluster", "%q, but the document is cluster %q", p.Cluster, d.Cluster)
	}
	if err := checkStrings(key, []strField{{"properties.name", p.Name}, {"properties.providerID", p.ProviderID},
		{"properties.category", p.Category}, {"properties.provider", p.Provider}, {"properties.account", p.Account},
		{"properties.project", p.Project}, {"properties.service", p.Service}, {"nodeType", a.NodeType}, {"storageClass", a.StorageClass}}); err != nil {
		return err
	}
	if err := checkMap(key, "labels", a.Labels); err != nil {
		return err
	}
	nums := []numCheck{
		{"cost", a.Cost, true}, {"adjustment", a.Adjustment, false}, {"credit", a.Credit, false},
		{"cpuCoreHours", a.CPUCoreHours, true}, {"ramByteHours", a.RAMByteHours, true}, {"gpuHours", a.GPUHours, true},
		{"gpuCount", a.GPUCount, true}, {"cpuCost", a.CPUCost, true}, {"gpuCost", a.GPUCost, true}, {"ramCost", a.RAMCost, true},
		{"byteHours", a.ByteHours, true}, {"local", a.Local, true},
	}
	if err := checkNumbers(key, nums); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"discount", a.Discount}, {"preemptible", a.Preemptible}} {
		if err := checkNumbers(key, []numCheck{{f.name, f.v, true}}); err != nil {
			return err
		}
		if f.v > 1 {
			return refuse(ReasonOutOfRange, key, f.name, "%v is above 1; it is a fraction", f.v)
		}
	}
	return nil
}
