package combined

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// MaxQuarantineEntries bounds the quarantined uploads listed in a status object; Quarantined
// still counts them all.
const MaxQuarantineEntries = 100

// Install is one agent installation seen writing a cluster id.
type Install struct {
	ID           string    `json:"id"`
	AgentVersion string    `json:"agentVersion"`
	Source       string    `json:"source,omitempty"`
	LastSeen     time.Time `json:"lastSeen"`
}

// QuarantineEntry is a refused upload as listed in status.
type QuarantineEntry struct {
	Key     string    `json:"key"`
	Version string    `json:"version"`
	Reason  string    `json:"reason"`
	Detail  string    `json:"detail"`
	Time    time.Time `json:"time"`
}

// Status is federated/combined/status/<cluster>.json, updated by every ingest of that cluster
// (compare-and-swap). The query service serves it as federation status.
type Status struct {
	Cluster string `json:"cluster"`
	// LastUpload is the newest modification time of an upload seen.
	LastUpload time.Time `json:"lastUpload"`
	// LastUploadKey is that upload's key.
	LastUploadKey string `json:"lastUploadKey,omitempty"`
	// LastDerive is when a derivation of this cluster last completed.
	LastDerive time.Time `json:"lastDerive"`
	// LastHeartbeat is the time written in the last heartbeat read.
	LastHeartbeat time.Time `json:"lastHeartbeat,omitzero"`
	// IntervalSeconds is the agent's upload interval from its heartbeat (0 if unknown).
	IntervalSeconds int `json:"intervalSeconds,omitempty"`
	// Installs are the agent installations seen (by heartbeat and by uploads).
	Installs []Install `json:"installs"`
	// LastError is the last ingest failure or refusal.
	LastError     string    `json:"lastError,omitempty"`
	LastErrorTime time.Time `json:"lastErrorTime,omitzero"`
	// Quarantined counts uploads whose current version is refused; QuarantinedUploads lists up
	// to MaxQuarantineEntries of them, newest first.
	Quarantined        int               `json:"quarantined"`
	QuarantinedUploads []QuarantineEntry `json:"quarantinedUploads"`
}

// AgentVersion is the version of the most recently seen installation.
func (s *Status) AgentVersion() string {
	var best Install
	for _, in := range s.Installs {
		if in.LastSeen.After(best.LastSeen) {
			best = in
		}
	}
	return best.AgentVersion
}

// Duplicate reports whether two or more installations wrote this cluster id within window of
// each other: two agents configured with the same cluster id.
func (s *Status) Duplicate(window time.Duration) bool {
	for i := range s.Installs {
		for j := i + 1; j < len(s.Installs); j++ {
			d := s.Installs[i].LastSeen.Sub(s.Installs[j].LastSeen)
			if d < 0 {
				d = -d
			}
			if d <= window {
				return true
			}
		}
	}
	return false
}

// SeeInstall records an installation (idempotent; keeps the latest LastSeen).
func (s *Status) SeeInstall(in Install) {
	if in.ID == "" {
		return
	}
	for i := range s.Installs {
		if s.Installs[i].ID == in.ID {
			if in.LastSeen.After(s.Installs[i].LastSeen) {
				s.Installs[i] = in
			}
			return
		}
	}
	s.Installs = append(s.Installs, in)
	sort.Slice(s.Installs, func(i, j int) bool { return s.Installs[i].ID < s.Installs[j].ID })
	if len(s.Installs) > 16 { // keep the most recent 16
		sort.Slice(s.Installs, func(i, j int) bool { return s.Installs[i].LastSeen.After(s.Installs[j].LastSeen) })
		s.Installs = s.Installs[:16]
		sort.Slice(s.Installs, func(i, j int) bool { return s.Installs[i].ID < s.Installs[j].ID })
	}
}

// SetQuarantined records that key's current version is refused (replacing an older entry).
func (s *Status) SetQuarantined(e QuarantineEntry) {
	s.ClearQuarantined(e.Key)
	s.QuarantinedUploads = append([]QuarantineEntry{e}, s.QuarantinedUploads...)
	s.Quarantined++
	if len(s.QuarantinedUploads) > MaxQuarantineEntries {
		s.QuarantinedUploads = s.QuarantinedUploads[:MaxQuarantineEntries]
	}
}

// ClearQuarantined forgets key (its current version was accepted). It reports whether key
// was listed.
func (s *Status) ClearQuarantined(key string) bool {
	for i, e := range s.QuarantinedUploads {
		if e.Key == key {
			s.QuarantinedUploads = append(s.QuarantinedUploads[:i:i], s.QuarantinedUploads[i+1:]...)
			if s.Quarantined > 0 {
				s.Quarantined--
			}
			return true
		}
	}
	return false
}

// EncodeStatus marshals a status object.
func EncodeStatus(s *Status) ([]byte, error) { return json.Marshal(s) }

// DecodeStatus parses a status object (at most 4 MiB).
func DecodeStatus(b []byte) (*Status, error) {
	if len(b) > 4<<20 {
		return nil, fmt.Errorf("status of %d bytes is larger than 4 MiB", len(b))
	}
	var s Status
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("decode status: %w", err)
	}
	return &s, nil
}
