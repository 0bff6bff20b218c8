package combined

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/layout"
)

// Source records which version of an upload a derivation read.
type Source struct {
	Key      string    `json:"key"`
	Version  string    `json:"version"`
	Records  int       `json:"records"`
	Size     int64     `json:"size"`
	Modified time.Time `json:"modified"`
	// InstallID of the agent that produced the upload.
	InstallID string `json:"installID,omitempty"`
}

// Output records one derived object the manifest vouches for.
type Output struct {
	Key     string `json:"key"`
	Version string `json:"version"`
	Rows    int    `json:"rows"`
	Bytes   int    `json:"bytes"`
}

// Manifest is federated/combined/manifests/<cluster>/<r>/<start>-<end>.json: the
// compare-and-swap point of one (cluster, resolution, window). It names the upload versions
// its derived objects came from and the versions of those objects; a derived object whose
// current version differs from the manifest's is being rewritten (or was torn by a crash) and
// the window is re-derived.
type Manifest struct {
	Cluster    string                        `json:"cluster"`
	Resolution layout.Resolution             `json:"resolution"`
	Window     cost.Window                   `json:"window"`
	Sources    map[layout.Kind]Source        `json:"sources"`
	Outputs    map[layout.DerivedKind]Output `json:"outputs"`
	DerivedAt  time.Time                     `json:"derivedAt"`
}

// EncodeManifest marshals a manifest.
func EncodeManifest(m *Manifest) ([]byte, error) { return json.Marshal(m) }

// DecodeManifest parses a manifest (at most 1 MiB).
func DecodeManifest(b []byte) (*Manifest, error) {
	if len(b) > 1<<20 {
		return nil, fmt.Errorf("manifest of %d bytes is larger than 1 MiB", len(b))
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode manifest: %w", err)
	}
	return &m, nil
}

// QuarantineRecord is federated/quarantine/<cluster>/<hash>.json: why an upload was refused.
// The upload itself is never modified or deleted.
type QuarantineRecord struct {
	Key     string    `json:"key"`
	Cluster string    `json:"cluster,omitempty"`
	Version string    `json:"version"`
	Reason  string    `json:"reason"`
	Detail  string    `json:"detail"`
	Time    time.Time `json:"time"`
}
