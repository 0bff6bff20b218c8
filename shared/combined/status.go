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
	FirstSeen    time.Time `json:"firstSeen"`
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

// Duplicate reports whether two installations wrote this cluster id at the same time: their
// [FirstSeen, LastSeen] spans overlap by more than tolerance. Two agents configured with the
// same cluster id overlap; an agent that restarted with a new install id does not (the old
// one's span ends before the new one's begins).
func (s *Status) Duplicate(tolerance time.Duration) bool {
	for i := range s.Installs {
		for j := i + 1; j < len(s.Installs); j++ {
			a, b := s.Installs[i], s.Installs[j]
			start, end := a.FirstSeen, a.LastSeen
			if b.FirstSeen.After(start) {
				start = b.FirstSeen
			}
			if b.LastSeen.Before(end) {
				end = b.LastSeen
			}
			if end.Sub(start) > tolerance {
				return true
			}
		}
	}
	return false
}

// SeeInstall records a sighting of an installation at in.LastSeen. It is idempotent and
// order-independent: FirstSeen is the earliest sighting, LastSeen the latest (with its agent
// version). It reports whether the status changed.
func (s *Status) SeeInstall(in Install) bool {
	if in.ID == "" {
		return false
	}
	if in.FirstSeen.IsZero() || in.FirstSeen.After(in.LastSeen) {
		in.FirstSeen = in.LastSeen
	}
	for i := range s.Installs {
		cur := &s.Installs[i]
		if cur.ID == in.ID {
			changed := false
			if in.FirstSeen.Before(cur.FirstSeen) {
				cur.FirstSeen = in.FirstSeen
				changed = true
			}
			if in.LastSeen.After(cur.LastSeen) {
				changed = true
				cur.LastSeen, cur.AgentVersion, cur.Source = in.LastSeen, in.AgentVersion, in.Source
			}
			return changed
		}
	}
	s.Installs = append(s.Installs, in)
	sort.Slice(s.Installs, func(i, j int) bool { return s.Installs[i].ID < s.Installs[j].ID })
	if len(s.Installs) > 16 { // keep the most recent 16
		sort.Slice(s.Installs, func(i, j int) bool { return s.Installs[i].LastSeen.After(s.Installs[j].LastSeen) })
		dropped := s.Installs[16]
		s.Installs = s.Installs[:16]
		sort.Slice(s.Installs, func(i, j int) bool { return s.Installs[i].ID < s.Installs[j].ID })
		return dropped.ID != in.ID // trimming away the sighting itself changes nothing
	}
	return true
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
