// Package etl is the upload format: one gzip-compressed JSON document per (cluster, kind,
// resolution, window), written by the agent to layout.Upload.Key() and read by the ingest core.
// README.md in this folder documents it field by field.
//
// Decode never trusts its input: sizes, the decompression ratio and the record count are
// limited before memory is spent; numbers must be finite and costs non-negative; the window
// must be exactly one UTC-aligned hour or day; every record must lie inside it; the cluster id,
// kind and resolution must match the key. Every refusal is an *Error naming the reason, the
// record and the field. Encode produces exactly what Decode accepts.
package etl

import (
	"time"

	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/layout"
)

// FormatVersion is the only document version this code reads and writes.
const FormatVersion = 1

// Producer says who built a document.
type Producer struct {
	// Agent is the producing program: "fedcost-agent" or "fedcost-simulator".
	Agent string `json:"agent"`
	// Version is the producing program's version.
	Version string `json:"version"`
	// InstallID identifies one installation of the agent; two install ids writing one cluster
	// id reveal a duplicate cluster id.
	InstallID string `json:"installID"`
	// Source is where the data came from: "prometheus", "opencost" or "simulator".
	Source string `json:"source,omitempty"`
	// BuiltAt is when the document was built (UTC).
	BuiltAt time.Time `json:"builtAt"`
}

// Document is one upload.
type Document struct {
	FormatVersion int               `json:"formatVersion"`
	Kind          layout.Kind       `json:"kind"`
	Resolution    layout.Resolution `json:"resolution"`
	Cluster       string            `json:"cluster"`
	Window        cost.Window       `json:"window"`
	Producer      Producer          `json:"producer"`
	// Allocations, keyed by allocation name (kind "allocations" only).
	Allocations map[string]*cost.Allocation `json:"allocations,omitempty"`
	// Assets, keyed by asset key (kind "assets" only).
	Assets map[string]*cost.Asset `json:"assets,omitempty"`
}

// Upload is the key identity of the document.
func (d *Document) Upload() layout.Upload {
	return layout.Upload{Cluster: d.Cluster, Kind: d.Kind, Resolution: d.Resolution,
		Window: layout.Window{Start: d.Window.Start, End: d.Window.End}}
}

// Records is the number of allocations or assets.
func (d *Document) Records() int { return len(d.Allocations) + len(d.Assets) }

// Empty reports whether the document holds no records.
func (d *Document) Empty() bool { return d.Records() == 0 }

// AllocationSet returns the allocations as a set of the document's window.
func (d *Document) AllocationSet() *cost.AllocationSet {
	s := cost.NewAllocationSet(d.Window)
	for _, a := range d.Allocations {
		s.Allocations[a.Name] = a
	}
	return s
}

// AssetSet returns the assets as a set of the document's window.
func (d *Document) AssetSet() *cost.AssetSet {
	s := cost.NewAssetSet(d.Window)
	for k, a := range d.Assets {
		s.Assets[k] = a
	}
	return s
}

// NewDocument returns an empty document for an upload identity.
func NewDocument(u layout.Upload, p Producer) *Document {
	d := &Document{FormatVersion: FormatVersion, Kind: u.Kind, Resolution: u.Resolution, Cluster: u.Cluster,
		Window: cost.NewWindow(u.Window.Start, u.Window.End), Producer: p}
	if u.Kind == layout.Allocations {
		d.Allocations = map[string]*cost.Allocation{}
	} else {
		d.Assets = map[string]*cost.Asset{}
	}
	return d
}
