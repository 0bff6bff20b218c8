package cache

import (
	"container/list"
	"sync"
)

// lru is a least-recently-used map bounded by the sum of its entries' costs. Safe for
// concurrent use.
type lru[K comparable, V any] struct {
	mu    sync.Mutex
	max   int
	used  int
	order *list.List // front = most recent; elements hold *lruEntry
	items map[K]*list.Element
}

type lruEntry[K comparable, V any] struct {
	key  K
	val  V
	cost int
}

func newLRU[K comparable, V any](max int) *lru[K, V] {
	return &lru[K, V]{max: max, order: list.New(), items: map[K]*list.Element{}}
}

func (l *lru[K, V]) get(k K) (V, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.items[k]; ok {
		l.order.MoveToFront(e)
		return e.Value.(*lruEntry[K, V]).val, true
	}
	var zero V
	return zero, false
}

// add stores v (replacing an entry of the same key) and evicts the least recently used
// entries beyond the bound; the newest entry always stays.
func (l *lru[K, V]) add(k K, v V, cost int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.items[k]; ok {
		l.used -= e.Value.(*lruEntry[K, V]).cost
		l.order.Remove(e)
	}
	l.items[k] = l.order.PushFront(&lruEntry[K, V]{k, v, cost})
	l.used += cost
	for l.used > l.max && l.order.Len() > 1 {
		last := l.order.Back()
		en := last.Value.(*lruEntry[K, V])
		l.order.Remove(last)
		delete(l.items, en.key)
		l.used -= en.cost
	}
}

// removeIf drops every entry whose key matches.
func (l *lru[K, V]) removeIf(match func(K) bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, e := range l.items {
		if match(k) {
			l.used -= e.Value.(*lruEntry[K, V]).cost
			l.order.Remove(e)
			delete(l.items, k)
		}
	}
}

// stats returns the number of entries and their total cost.
func (l *lru[K, V]) stats() (n, cost int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.order.Len(), l.used
}
