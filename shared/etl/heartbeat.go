package etl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/fedcost/fedcost/shared/layout"
)

// MaxHeartbeatSize bounds a heartbeat object.
const MaxHeartbeatSize = 64 << 10

// Heartbeat is federated/<cluster>/heartbeat.json (plain JSON), rewritten by the agent every
// interval. The aggregator reads it for per-cluster status: agent version, install id (two
// install ids for one cluster id flag a duplicate), last builds.
type Heartbeat struct {
	FormatVersion int       `json:"formatVersion"`
	Cluster       string    `json:"cluster"`
	Producer      Producer  `json:"producer"`
	StartedAt     time.Time `json:"startedAt"`
	// Time is when this heartbeat was written.
	Time time.Time `json:"time"`
	// IntervalSeconds is the agent's upload interval; the aggregator derives staleness from it.
	IntervalSeconds int `json:"intervalSeconds"`
	// LastBuild is the end of the last successful build per "<kind>/<resolution>".
	LastBuild map[string]time.Time `json:"lastBuild,omitempty"`
	// LastUpload is when an upload last succeeded.
	LastUpload time.Time `json:"lastUpload,omitzero"`
	// SpoolFiles and SpoolBytes describe uploads waiting on local disk.
	SpoolFiles int   `json:"spoolFiles"`
	SpoolBytes int64 `json:"spoolBytes"`
	// Config summarises the agent's configuration; never secrets.
	Config map[string]string `json:"config,omitempty"`
}

// EncodeHeartbeat validates and marshals a heartbeat.
func EncodeHeartbeat(h *Heartbeat) ([]byte, error) {
	if h.FormatVersion == 0 {
		h.FormatVersion = FormatVersion
	}
	if err := layout.ValidateClusterID(h.Cluster); err != nil {
		return nil, fmt.Errorf("heartbeat: %w", err)
	}
	b, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("heartbeat: %w", err)
	}
	if len(b) > MaxHeartbeatSize {
		return nil, fmt.Errorf("heartbeat: %d bytes, limit %d", len(b), MaxHeartbeatSize)
	}
	return b, nil
}

// DecodeHeartbeat parses a heartbeat strictly; cluster must equal the key's cluster.
func DecodeHeartbeat(data []byte, cluster string) (*Heartbeat, error) {
	if len(data) > MaxHeartbeatSize {
		return nil, refuse(ReasonDecompressedTooLarge, "", "", "heartbeat of %d bytes, limit %d", len(data), MaxHeartbeatSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var h Heartbeat
	if err := dec.Decode(&h); err != nil {
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, refuse(ReasonBadJSON, "", "", "trailing data after the heartbeat")
	}
	if h.FormatVersion != FormatVersion {
		return nil, refuse(ReasonUnknownVersion, "", "formatVersion", "heartbeat version %d is not supported (this fedcost reads version %d)", h.FormatVersion, FormatVersion)
	}
	if h.Cluster != cluster {
		return nil, refuse(ReasonClusterMismatch, "", "cluster", "heartbeat says %q, key says %q", h.Cluster, cluster)
	}
	return &h, nil
}
