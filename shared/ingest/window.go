package ingest

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/fedcost/fedcost/shared/combined"
	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
)

// input is what one upload kind contributes to a window.
type input struct {
	kind    layout.Kind
	doc     *etl.Document   // fresh: decoded current upload
	source  combined.Source // what the manifest will record
	kept    bool            // refused, empty or vanished: reuse the derived data of source
	absent  bool            // nothing to contribute
	refused string          // the refusal reason when the current upload was quarantined
}

// errRestart asks DeriveWindow to start a new attempt.
var errRestart = errors.New("restart")

// DeriveWindow (re)derives one window; see the package comment for the algorithm. force
// re-derives even when the manifest says the window is current (repair).
func (c *Core) DeriveWindow(ctx context.Context, cluster string, r layout.Resolution, w layout.Window, force bool) (Result, error) {
	res := Result{Cluster: cluster, Window: string(r) + " " + w.String()}
	for attempt := 1; ; attempt++ {
		res.Attempts = attempt
		out, refused, err := c.deriveOnce(ctx, cluster, r, w, force)
		if err == nil {
			res.Outcome, res.Refused = out, refused
			return res, nil
		}
		if !errors.Is(err, errRestart) {
			return res, err
		}
		c.m.conflict()
		if attempt >= c.max {
			return res, fmt.Errorf("derive %s %s %s: %w", cluster, r, w, ErrContention)
		}
		if err := c.sleep(ctx, backoff(attempt)); err != nil {
			return res, err
		}
	}
}

func (c *Core) deriveOnce(ctx context.Context, cluster string, r layout.Resolution, w layout.Window, force bool) (Outcome, map[layout.Kind]string, error) {
	out, inputs, err := c.deriveInputs(ctx, cluster, r, w, force)
	var refused map[layout.Kind]string
	for _, in := range inputs {
		if in.refused != "" {
			if refused == nil {
				refused = map[layout.Kind]string{}
			}
			refused[in.kind] = in.refused
		}
	}
	return out, refused, err
}

func (c *Core) deriveInputs(ctx context.Context, cluster string, r layout.Resolution, w layout.Window, force bool) (Outcome, []*input, error) {
	mkey := layout.ManifestKey(cluster, r, w)
	man, mver, err := c.readManifest(ctx, mkey)
	if err != nil {
		return "", nil, err
	}
	var inputs []*input
	for _, k := range layout.Kinds {
		in, err := c.readInput(ctx, layout.Upload{Cluster: cluster, Kind: k, Resolution: r, Window: w}, man)
		if err != nil {
			return "", inputs, err
		}
		inputs = append(inputs, in)
	}
	sources := map[layout.Kind]combined.Source{}
	for _, in := range inputs {
		if !in.absent {
			sources[in.kind] = in.source
		}
	}
	if len(sources) == 0 {
		return Ignored, inputs, nil // nothing uploaded (yet), or the upload vanished before we read it
	}
	current, err := c.statOutputs(ctx, cluster, r, w)
	if err != nil {
		return "", inputs, err
	}
	if !force && man != nil && sameSources(man.Sources, sources) && outputsIntact(man.Outputs, current) {
		if err := c.touchStatus(ctx, cluster, inputs, false); err != nil {
			return "", inputs, err
		}
		return Unchanged, inputs, nil
	}
	outs, err := c.derive(ctx, cluster, r, w, inputs, man, current)
	if err != nil {
		return "", inputs, err
	}
	written := map[layout.DerivedKind]combined.Output{}
	for _, kind := range layout.DerivedKinds {
		o, ok := outs[kind]
		if !ok {
			continue
		}
		key := layout.Derived{Kind: kind, Cluster: cluster, Resolution: r, Window: w}.Key()
		v, err := c.putCAS(ctx, key, o.data, current[kind])
		if err != nil {
			return "", inputs, err
		}
		written[kind] = combined.Output{Key: key, Version: string(v), Rows: o.rows, Bytes: len(o.data)}
		c.m.wrote(len(o.data))
	}
	next := &combined.Manifest{Cluster: cluster, Resolution: r, Window: cost.NewWindow(w.Start, w.End),
		Sources: sources, Outputs: written, DerivedAt: c.now().UTC()}
	mb, err := combined.EncodeManifest(next)
	if err != nil {
		return "", inputs, err
	}
	if _, err := c.putCAS(ctx, mkey, mb, mver); err != nil {
		return "", inputs, err
	}
	if err := c.touchStatus(ctx, cluster, inputs, true); err != nil {
		return "", inputs, err
	}
	return Derived, inputs, nil
}

// putCAS writes key only if its version is still expected ("" = must not exist). A lost
// race is errRestart.
func (c *Core) putCAS(ctx context.Context, key string, data []byte, expected store.Version) (store.Version, error) {
	var v store.Version
	var err error
	if expected == "" {
		v, err = c.st.PutIfAbsent(ctx, key, data)
	} else {
		v, err = c.st.PutIfMatch(ctx, key, data, expected)
	}
	if errors.Is(err, store.ErrPreconditionFailed) {
		return "", errRestart
	}
	if err != nil {
		return "", fmt.Errorf("write %s: %w", key, err)
	}
	return v, nil
}

func (c *Core) readManifest(ctx context.Context, key string) (*combined.Manifest, store.Version, error) {
	b, info, err := c.st.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("read manifest %s: %w", key, err)
	}
	m, err := combined.DecodeManifest(b)
	if err != nil {
		// A corrupt manifest is ours to replace: derive again over it.
		c.log.Warn("replacing unreadable manifest", "key", key, "err", err)
		return nil, info.Version, nil
	}
	return m, info.Version, nil
}

// readInput reads and validates the current upload of one kind.
func (c *Core) readInput(ctx context.Context, u layout.Upload, man *combined.Manifest) (*input, error) {
	in := &input{kind: u.Kind}
	var prev combined.Source
	var hasPrev bool
	if man != nil {
		prev, hasPrev = man.Sources[u.Kind]
	}
	keep := func() *input {
		if hasPrev && prev.Records > 0 {
			in.kept, in.source = true, prev
		} else {
			in.absent = true
		}
		return in
	}
	key := u.Key()
	data, info, err := c.st.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return keep(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	c.m.read(len(data))
	doc, err := etl.Decode(data, u, c.lim)
	if err != nil {
		var e *etl.Error
		if !errors.As(err, &e) {
			return nil, fmt.Errorf("decode %s: %w", key, err)
		}
		if err := c.quarantine(ctx, u.Cluster, key, info, e); err != nil {
			return nil, err
		}
		k := keep()
		k.refused = string(e.Reason)
		return k, nil
	}
	src := combined.Source{Key: key, Version: string(info.Version), Records: doc.Records(), Size: info.Size,
		Modified: info.Modified.UTC(), InstallID: doc.Producer.InstallID}
	if doc.Empty() && hasPrev && prev.Records > 0 {
		c.m.emptySkipped()
		k := keep()
		return k, nil
	}
	in.doc, in.source = doc, src
	return in, nil
}

func (c *Core) statOutputs(ctx context.Context, cluster string, r layout.Resolution, w layout.Window) (map[layout.DerivedKind]store.Version, error) {
	cur := map[layout.DerivedKind]store.Version{}
	for _, kind := range layout.DerivedKinds {
		key := layout.Derived{Kind: kind, Cluster: cluster, Resolution: r, Window: w}.Key()
		info, err := c.st.Stat(ctx, key)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("stat %s: %w", key, err)
		}
		cur[kind] = info.Version
	}
	return cur, nil
}

func sameSources(a, b map[layout.Kind]combined.Source) bool {
	return maps.EqualFunc(a, b, func(x, y combined.Source) bool { return x.Key == y.Key && x.Version == y.Version })
}

// outputsIntact: every output the manifest lists still has its recorded version, and no
// output exists that the manifest does not list.
func outputsIntact(outs map[layout.DerivedKind]combined.Output, current map[layout.DerivedKind]store.Version) bool {
	if len(outs) != len(current) {
		return false
	}
	for k, o := range outs {
		if current[k] != store.Version(o.Version) {
			return false
		}
	}
	return true
}
