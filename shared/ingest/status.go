package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/fedcost/fedcost/shared/combined"
	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
)

// updateStatus applies f to the cluster's status object with compare-and-swap, retrying on
// conflicts. f returns false when nothing changed (no write).
func (c *Core) updateStatus(ctx context.Context, cluster string, f func(s *combined.Status) bool) error {
	if c.noStat || layout.ValidateClusterID(cluster) != nil {
		return nil
	}
	key := layout.StatusKey(cluster)
	for attempt := 1; ; attempt++ {
		s := &combined.Status{Cluster: cluster}
		var ver store.Version
		b, info, err := c.st.Get(ctx, key)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return fmt.Errorf("read status %s: %w", key, err)
		default:
			ver = info.Version
			if got, derr := combined.DecodeStatus(b); derr == nil {
				s = got
			}
		}
		if !f(s) {
			return nil
		}
		nb, err := combined.EncodeStatus(s)
		if err != nil {
			return err
		}
		if _, err := c.putCAS(ctx, key, nb, ver); err == nil {
			return nil
		} else if !errors.Is(err, errRestart) {
			return err
		}
		c.m.conflict()
		if attempt >= c.max*2 {
			return fmt.Errorf("update status %s: %w", cluster, ErrContention)
		}
		if err := c.sleep(ctx, backoff(attempt)); err != nil {
			return err
		}
	}
}

// touchStatus records what a derivation (or a duplicate) saw: newest upload, installs, and
// uploads that are no longer refused.
func (c *Core) touchStatus(ctx context.Context, cluster string, inputs []*input, derived bool) error {
	now := c.now().UTC()
	return c.updateStatus(ctx, cluster, func(s *combined.Status) bool {
		changed := false
		for _, in := range inputs {
			if in.doc == nil {
				continue
			}
			src := in.source
			if src.Modified.After(s.LastUpload) {
				s.LastUpload, s.LastUploadKey = src.Modified, src.Key
				changed = true
			}
			if s.ClearQuarantined(src.Key) {
				changed = true
			}
			p := in.doc.Producer
			if s.SeeInstall(combined.Install{ID: p.InstallID, AgentVersion: p.Version, Source: p.Source, LastSeen: src.Modified}) {
				changed = true
			}
		}
		if derived {
			s.LastDerive = now
			changed = true
		}
		return changed
	})
}

// heartbeat records an agent heartbeat in the cluster's status.
func (c *Core) heartbeat(ctx context.Context, key, cluster string) (Result, error) {
	res := Result{Cluster: cluster}
	b, info, err := c.st.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		res.Outcome = Ignored
		return res, nil
	}
	if err != nil {
		return res, fmt.Errorf("read %s: %w", key, err)
	}
	hb, err := etl.DecodeHeartbeat(b, cluster)
	if err != nil {
		var e *etl.Error
		if errors.As(err, &e) {
			if qerr := c.quarantine(ctx, cluster, key, info, e); qerr != nil {
				return res, qerr
			}
			res.Outcome, res.Reason = Refused, string(e.Reason)
			return res, nil
		}
		return res, err
	}
	seen := hb.Time
	if seen.IsZero() {
		seen = info.Modified
	}
	in := combined.Install{ID: hb.Producer.InstallID, AgentVersion: hb.Producer.Version, Source: hb.Producer.Source, LastSeen: seen.UTC()}
	err = c.updateStatus(ctx, cluster, func(s *combined.Status) bool {
		changed := s.ClearQuarantined(key)
		if s.SeeInstall(in) {
			changed = true
		}
		if seen.After(s.LastHeartbeat) {
			s.LastHeartbeat, s.IntervalSeconds = seen.UTC(), hb.IntervalSeconds
			changed = true
		}
		return changed
	})
	if err != nil {
		return res, err
	}
	res.Outcome = Heartbeat
	return res, nil
}

// quarantine writes the refusal record of an upload version and lists it in status. The
// upload itself is never touched. Repeating it for the same version changes nothing.
func (c *Core) quarantine(ctx context.Context, cluster, key string, info store.ObjectInfo, e *etl.Error) error {
	c.m.refused(string(e.Reason))
	now := c.now().UTC()
	entry := combined.QuarantineEntry{Key: key, Version: string(info.Version), Reason: string(e.Reason), Detail: e.Error(), Time: now}
	already := false
	if !c.noStat && layout.ValidateClusterID(cluster) == nil {
		if b, _, err := c.st.Get(ctx, layout.StatusKey(cluster)); err == nil {
			if s, err := combined.DecodeStatus(b); err == nil {
				for _, q := range s.QuarantinedUploads {
					if q.Key == key && q.Version == entry.Version {
						already = true
					}
				}
			}
		}
	}
	if already {
		return nil
	}
	rec, _ := json.Marshal(combined.QuarantineRecord{Key: key, Cluster: cluster, Version: entry.Version, Reason: entry.Reason, Detail: entry.Detail, Time: now})
	if _, err := c.st.Put(ctx, layout.QuarantineKey(cluster, key), rec); err != nil {
		return fmt.Errorf("write quarantine record for %s: %w", key, err)
	}
	c.log.Warn("upload refused", "key", key, "cluster", cluster, "version", entry.Version, "reason", entry.Reason, "detail", entry.Detail)
	return c.updateStatus(ctx, cluster, func(s *combined.Status) bool {
		for _, q := range s.QuarantinedUploads {
			if q.Key == key && q.Version == entry.Version {
				return false
			}
		}
		s.SetQuarantined(entry)
		s.LastError, s.LastErrorTime = "refused "+key+": "+entry.Detail, now
		return true
	})
}
