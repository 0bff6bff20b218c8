package ingest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/fedcost/fedcost/shared/combined"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
)

// WindowRef names one window of one cluster.
type WindowRef struct {
	Cluster    string
	Resolution layout.Resolution
	Window     layout.Window
}

func (w WindowRef) String() string {
	return w.Cluster + " " + string(w.Resolution) + " " + w.Window.String()
}

// ReconcileOptions scope a reconcile pass.
type ReconcileOptions struct {
	// Cluster limits the pass to one cluster ("" = all).
	Cluster string
	// Since skips windows that ended at or before it (zero = all).
	Since time.Time
	// Concurrency bounds parallel derivations (default 4).
	Concurrency int
	// Progress, if set, is called after each window with (done, total).
	Progress func(done, total int)
	// NoFleet skips the fleet compaction that a pass over all clusters ends with (Compact).
	NoFleet bool
}

// ReconcileReport counts what a pass did.
type ReconcileReport struct {
	Uploads    int // upload objects listed
	Windows    int // windows with at least one upload
	UpToDate   int // skipped: manifest and outputs match the uploads
	Derived    int
	Unchanged  int
	Refused    int // bad keys quarantined
	Heartbeats int
	Failed     int
	Errors     []error // the first few failures
	// Fleet is what the closing fleet compaction did (passes over all clusters only).
	Fleet CompactReport
}

type windowUploads map[layout.Kind]store.ObjectInfo

// Reconcile compares uploads with derived objects by source version and re-derives what is
// missing or stale: it heals dropped events and is safe beside live functions (it uses the
// same conditional writes). One listing of the uploads and of the derived objects, one small
// read per window's manifest, and full reads only for windows that need work.
func (c *Core) Reconcile(ctx context.Context, o ReconcileOptions) (ReconcileReport, error) {
	var rep ReconcileReport
	prefix := layout.Root
	if o.Cluster != "" {
		if err := layout.ValidateClusterID(o.Cluster); err != nil {
			return rep, err
		}
		prefix = layout.ClusterPrefix(o.Cluster)
	}
	windows := map[WindowRef]windowUploads{}
	var heartbeats, badKeys []string
	err := c.st.List(ctx, prefix, "", func(oi store.ObjectInfo) error {
		p, err := layout.Parse(oi.Key)
		switch {
		case err != nil && p.Class == layout.UploadClass:
			badKeys = append(badKeys, oi.Key)
		case err != nil:
		case p.Class == layout.HeartbeatClass:
			heartbeats = append(heartbeats, oi.Key)
		case p.Class == layout.UploadClass:
			u := p.Upload
			if !o.Since.IsZero() && !u.Window.End.After(o.Since) {
				return nil
			}
			rep.Uploads++
			ref := WindowRef{u.Cluster, u.Resolution, u.Window}
			if windows[ref] == nil {
				windows[ref] = windowUploads{}
			}
			windows[ref][u.Kind] = oi
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("list %s: %w", prefix, err)
	}
	outputs, err := c.listOutputs(ctx, o.Cluster)
	if err != nil {
		return rep, err
	}
	quarantined, err := c.quarantinedVersions(ctx, o.Cluster)
	if err != nil {
		return rep, err
	}
	refs := make([]WindowRef, 0, len(windows))
	for ref := range windows {
		refs = append(refs, ref)
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].String() < refs[j].String() })
	rep.Windows = len(refs)

	for _, k := range badKeys {
		res, err := c.Ingest(ctx, k)
		if err != nil {
			rep.fail(err)
		} else if res.Outcome == Refused {
			rep.Refused++
		}
	}
	for _, k := range heartbeats {
		if _, err := c.Ingest(ctx, k); err != nil {
			rep.fail(err)
		} else {
			rep.Heartbeats++
		}
	}

	conc := o.Concurrency
	if conc <= 0 {
		conc = 4
	}
	var mu sync.Mutex
	done := 0
	jobs := make(chan WindowRef)
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ref := range jobs {
				upToDate, err := c.upToDate(ctx, ref, windows[ref], outputs, quarantined)
				var res Result
				if err == nil && !upToDate {
					res, err = c.DeriveWindow(ctx, ref.Cluster, ref.Resolution, ref.Window, false)
				}
				mu.Lock()
				switch {
				case err != nil:
					rep.fail(fmt.Errorf("%s: %w", ref, err))
				case upToDate:
					rep.UpToDate++
				case res.Outcome == Derived:
					rep.Derived++
				default:
					rep.Unchanged++
				}
				done++
				if o.Progress != nil {
					o.Progress(done, len(refs))
				}
				mu.Unlock()
			}
		}()
	}
	for _, ref := range refs {
		if ctx.Err() != nil {
			break
		}
		jobs <- ref
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	if rep.Failed > 0 {
		return rep, fmt.Errorf("reconcile: %d windows failed (first: %w)", rep.Failed, rep.Errors[0])
	}
	if o.Cluster == "" && !o.NoFleet {
		var err error
		if rep.Fleet, err = c.Compact(ctx, CompactOptions{Since: o.Since, Concurrency: 2 * conc}); err != nil {
			return rep, fmt.Errorf("reconcile: %w", err)
		}
	}
	return rep, nil
}

func (r *ReconcileReport) fail(err error) {
	r.Failed++
	if len(r.Errors) < 10 {
		r.Errors = append(r.Errors, err)
	}
}

type outputRef struct {
	kind layout.DerivedKind
	ref  WindowRef
}

func (c *Core) listOutputs(ctx context.Context, cluster string) (map[outputRef]store.Version, error) {
	out := map[outputRef]store.Version{}
	for _, kind := range layout.DerivedKinds {
		for _, r := range layout.Resolutions {
			prefix := layout.DerivedPrefix(kind, r)
			err := c.st.List(ctx, prefix, "", func(oi store.ObjectInfo) error {
				d, err := layout.ParseDerived(oi.Key)
				if err != nil || (cluster != "" && d.Cluster != cluster) {
					return nil
				}
				out[outputRef{kind, WindowRef{d.Cluster, d.Resolution, d.Window}}] = oi.Version
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("list %s: %w", prefix, err)
			}
		}
	}
	return out, nil
}

// quarantinedVersions maps upload key → refused version, from the status objects.
func (c *Core) quarantinedVersions(ctx context.Context, cluster string) (map[string]string, error) {
	q := map[string]string{}
	err := c.st.List(ctx, layout.StatusPrefix, "", func(oi store.ObjectInfo) error {
		if cluster != "" && oi.Key != layout.StatusKey(cluster) {
			return nil
		}
		b, _, err := c.st.Get(ctx, oi.Key)
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			return err
		}
		s, err := combined.DecodeStatus(b)
		if err != nil {
			return nil
		}
		for _, e := range s.QuarantinedUploads {
			q[e.Key] = e.Version
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list status: %w", err)
	}
	return q, nil
}

// upToDate reports whether a window's manifest vouches for the listed upload versions (or
// the listed version is a known refusal) and every output still has its recorded version.
func (c *Core) upToDate(ctx context.Context, ref WindowRef, ups windowUploads, outputs map[outputRef]store.Version, quarantined map[string]string) (bool, error) {
	man, _, err := c.readManifest(ctx, layout.ManifestKey(ref.Cluster, ref.Resolution, ref.Window))
	if err != nil || man == nil {
		return false, err
	}
	for kind, oi := range ups {
		if qv, ok := quarantined[oi.Key]; ok && qv != string(oi.Version) {
			return false, nil // status still lists an older, refused version: refresh it
		}
		src, ok := man.Sources[kind]
		if ok && src.Version == string(oi.Version) {
			continue
		}
		if quarantined[oi.Key] == string(oi.Version) {
			continue
		}
		return false, nil
	}
	current := map[layout.DerivedKind]store.Version{}
	for _, kind := range layout.DerivedKinds {
		if v, ok := outputs[outputRef{kind, ref}]; ok {
			current[kind] = v
		}
	}
	return outputsIntact(man.Outputs, current), nil
}
