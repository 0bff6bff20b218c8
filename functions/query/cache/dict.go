package cache

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"unique"

	"github.com/fedcost/fedcost/shared/cost"
)

// dictionary numbers distinct strings and label maps. The cache's resident rollups share one
// (a namespace, controller or label map is stored once however many windows repeat it); a
// lazily loaded chunk gets its own, dropped with it. Safe for concurrent use.
type dictionary struct {
	mu     sync.RWMutex
	strIDs map[string]uint32
	strs   []string
	mapIDs map[string]uint32
	maps   []map[string]string
	pvIDs  map[string]uint32 // by JSON (a volume used all day gives the same JSON every day)
	pvs    []cost.PVAllocations
	lbIDs  map[string]uint32
	lbs    []cost.LbAllocations
	bytes  int
}

func newDictionary() *dictionary {
	return &dictionary{strIDs: map[string]uint32{"": 0}, strs: []string{""}, mapIDs: map[string]uint32{"": 0}, maps: []map[string]string{nil},
		pvIDs: map[string]uint32{"": 0}, pvs: []cost.PVAllocations{nil}, lbIDs: map[string]uint32{"": 0}, lbs: []cost.LbAllocations{nil}}
}

// str returns the id of s, adding it.
func (d *dictionary) str(s string) uint32 {
	d.mu.RLock()
	id, ok := d.strIDs[s]
	d.mu.RUnlock()
	if ok {
		return id
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if id, ok := d.strIDs[s]; ok {
		return id
	}
	s = intern(s)
	id = uint32(len(d.strs))
	d.strs = append(d.strs, s)
	d.strIDs[s] = id
	d.bytes += 2*16 + 8 + len(s)
	return id
}

// mapID returns the id of m (by content), adding a copy with interned strings.
func (d *dictionary) mapID(m map[string]string) uint32 {
	if len(m) == 0 {
		return 0
	}
	k := mapKey(m)
	d.mu.RLock()
	id, ok := d.mapIDs[k]
	d.mu.RUnlock()
	if ok {
		return id
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if id, ok := d.mapIDs[k]; ok {
		return id
	}
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[intern(k)] = intern(v)
	}
	id = uint32(len(d.maps))
	d.maps = append(d.maps, c)
	d.mapIDs[k] = id
	d.bytes += 64 + 48*len(m) + len(k) + 16
	return id
}

// freeze drops the lookup maps of a dictionary that will get no new entries (a lazily read
// chunk's own): only reader may be used afterwards.
func (d *dictionary) freeze() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.strIDs, d.mapIDs, d.pvIDs, d.lbIDs = nil, nil, nil, nil
}

// pvID returns the id of a JSON-encoded volume map, parsed once (0: none or unparseable).
func (d *dictionary) pvID(js string) uint32 {
	return parsedID(d, d.pvIDs, &d.pvs, js)
}

// lbID returns the id of a JSON-encoded load balancer map, parsed once.
func (d *dictionary) lbID(js string) uint32 {
	return parsedID(d, d.lbIDs, &d.lbs, js)
}

func parsedID[M ~map[K]V, K comparable, V any](d *dictionary, ids map[string]uint32, vals *[]M, js string) uint32 {
	d.mu.RLock()
	id, ok := ids[js]
	d.mu.RUnlock()
	if ok {
		return id
	}
	var m M
	if err := json.Unmarshal([]byte(js), &m); err != nil || len(m) == 0 {
		m = nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if id, ok := ids[js]; ok {
		return id
	}
	if m != nil {
		id = uint32(len(*vals))
		*vals = append(*vals, m)
		d.bytes += 2*len(js) + 64 + 160*len(m)
	}
	ids[strings.Clone(js)] = id
	return id
}

// reader gives lock-free access to the entries that exist now (slices only grow, and
// entries never change).
func (d *dictionary) reader() dictReader {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return dictReader{d.strs, d.maps, d.pvs, d.lbs}
}

type dictReader struct {
	strs []string
	maps []map[string]string
	pvs  []cost.PVAllocations
	lbs  []cost.LbAllocations
}

func (d *dictionary) size() int {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.bytes
}

// intern returns the canonical copy of s, so equal strings share memory.
func intern(s string) string {
	if s == "" {
		return ""
	}
	return unique.Make(s).Value()
}

// mapKey is a canonical string of a map (sorted key/value pairs).
func mapKey(m map[string]string) string {
	keys := make([]string, 0, len(m))
	n := 0
	for k, v := range m {
		keys = append(keys, k)
		n += len(k) + len(v) + 2
	}
	slices.Sort(keys)
	b := make([]byte, 0, n)
	for _, k := range keys {
		b = append(b, k...)
		b = append(b, 0)
		b = append(b, m[k]...)
		b = append(b, 1)
	}
	return string(b)
}
