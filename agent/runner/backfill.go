package runner

import (
	"context"
	"fmt"
	"time"

	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
)

// backfill builds the missing past windows of every resolution, oldest first. It fails only
// when the bucket cannot be listed (Tick then retries it next time); build errors are logged.
func (r *Runner) backfill(ctx context.Context, now time.Time) error {
	for _, res := range layout.Resolutions {
		span := r.cfg.Backfill[res]
		if span <= 0 {
			continue
		}
		done, err := r.existing(ctx, res)
		if err != nil {
			r.log.Warn("cannot list existing uploads; backfill postponed", "resolution", res, "err", err)
			return fmt.Errorf("backfill %s: %w", res, err)
		}
		open := layout.WindowFor(res, now)
		first := layout.WindowFor(res, now.Add(-span))
		built := 0
		for w := first; w.Start.Before(open.Start); w = next(res, w) {
			if err := ctx.Err(); err != nil {
				return err
			}
			missing := map[layout.Kind]bool{}
			for _, k := range layout.Kinds {
				info, ok := done[k][w.Start.Unix()]
				key := layout.Upload{Cluster: r.cfg.Cluster, Kind: k, Resolution: res, Window: w}.Key()
				if !ok || info.Modified.Before(w.End) || r.partial[key] {
					missing[k] = true
				}
			}
			if len(missing) == 0 {
				continue
			}
			_ = r.buildAndUpload(ctx, res, w, missing, "backfill")
			built++
		}
		r.log.Info("backfill finished", "resolution", res, "windows_built", built, "span", span.String())
	}
	return nil
}

// existing lists the cluster's uploads of one resolution by kind and window start.
func (r *Runner) existing(ctx context.Context, res layout.Resolution) (map[layout.Kind]map[int64]store.ObjectInfo, error) {
	out := map[layout.Kind]map[int64]store.ObjectInfo{}
	for _, k := range layout.Kinds {
		out[k] = map[int64]store.ObjectInfo{}
		err := r.cfg.Store.List(ctx, layout.UploadPrefix(r.cfg.Cluster, k, res), "", func(info store.ObjectInfo) error {
			p, err := layout.Parse(info.Key)
			if err != nil || p.Class != layout.UploadClass {
				return nil
			}
			out[k][p.Upload.Window.Start.Unix()] = info
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
