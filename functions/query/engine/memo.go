package engine

import (
	"container/list"
	"context"
	"fmt"
	"strings"
	"sync"
	"weak"

	"github.com/fedcost/fedcost/shared/cost"
)

// Memo remembers AggregateSet results per (input set, options), so that repeated queries —
// dashboards asking for the last 30 days by namespace every minute — fold 30 small remembered
// results instead of re-reading every row. Input sets are identified by a weak pointer: a
// Source must replace, never modify, a set it has handed out (see source.Source), and sets the
// Source drops are not kept alive by the Memo. Results are shared and never modified: the
// folding code copies them before merging into them.
//
// The Memo holds results of at most maxBytes in total, by an estimate of their size (least
// recently used evicted first); a single result larger than maxBytes/10 is not remembered.
// Safe for concurrent use.
type Memo struct {
	mu       sync.Mutex
	maxBytes int
	bytes    int
	lru      *list.List // of *memoEntry, most recent first
	entries  map[memoKey]*list.Element
}

type memoKey struct {
	set  weak.Pointer[cost.AllocationSet] // or, for a SetRef with an ID, zero
	id   string
	opts string
}

type memoEntry struct {
	key   memoKey
	set   *Set
	bytes int
}

// NewMemo returns a Memo holding results of about maxBytes at most.
func NewMemo(maxBytes int) *Memo {
	return &Memo{maxBytes: maxBytes, lru: list.New(), entries: map[memoKey]*list.Element{}}
}

// sizeOf estimates the memory a result holds: the allocation structs, their volume and load
// balancer maps, labels and names.
func sizeOf(s *Set) int {
	n := 256
	for name, a := range s.Allocations {
		n += 640 + 2*len(name) + 160*len(a.PVs) + 200*len(a.LoadBalancers)
		if p := a.Properties; p != nil {
			n += 64 * (len(p.Labels) + len(p.Annotations) + len(p.NamespaceLabels) + len(p.NamespaceAnnotations) + len(p.Services))
		}
	}
	return n
}

// memoOptions is the part of o that determines the result for set in; ok is false when o
// cannot be keyed (a filter without its AST).
func (o *Options) memoOptions(w cost.Window) (string, bool) {
	if o.Filter != nil && o.FilterNode == nil {
		return "", false
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%q|%+v|%t%t%t%t%t|%q|%q|%d|%v", o.AggregateBy, o.LabelConfig, o.IncludeIdle, o.ShareIdle,
		o.SplitIdle, o.IdleByNode, o.IncludeExternal, o.ShareNamespaces, o.ShareLabels, o.ShareSplit,
		o.SharedHourlyCost*o.overheadHours(w))
	if o.FilterNode != nil {
		b.WriteString("|")
		b.WriteString(o.FilterNode.String())
	}
	return b.String(), true
}

func (m *Memo) get(k memoKey) (*Set, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[k]
	if !ok {
		return nil, false
	}
	m.lru.MoveToFront(e)
	return e.Value.(*memoEntry).set, true
}

func (m *Memo) put(k memoKey, s *Set) {
	n := sizeOf(s)
	if n > m.maxBytes/10 {
		return
	}
	s.shared = true
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.entries[k]; ok {
		return
	}
	m.entries[k] = m.lru.PushFront(&memoEntry{key: k, set: s, bytes: n})
	m.bytes += n
	for m.bytes > m.maxBytes {
		last := m.lru.Back()
		e := last.Value.(*memoEntry)
		m.lru.Remove(last)
		delete(m.entries, e.key)
		m.bytes -= e.bytes
	}
}

// Len is the number of remembered results.
func (m *Memo) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

// aggregateRef is AggregateSet of the ref's set through the memo (if any): a ref with an ID
// that the memo remembers is not loaded at all.
func (o *Options) aggregateRef(ctx context.Context, r SetRef) (*Set, error) {
	opts, ok := "", false
	if o.Memo != nil {
		opts, ok = o.memoOptions(r.Window)
	}
	var k memoKey
	if ok && r.ID != "" {
		k = memoKey{id: r.ID, opts: opts}
		if s, hit := o.Memo.get(k); hit {
			return s, nil
		}
	}
	in, err := r.load(ctx)
	if err != nil {
		return nil, err
	}
	if ok && r.ID == "" {
		k = memoKey{set: weak.Make(in), opts: opts}
		if s, hit := o.Memo.get(k); hit {
			return s, nil
		}
	}
	s := AggregateSet(in, o)
	if ok {
		o.Memo.put(k, s)
	}
	return s, nil
}
