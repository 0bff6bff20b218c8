package webhook

import (
	"errors"
	"math/rand/v2"
	"sort"
	"sync"
	"time"
)

// Queue errors; both answer 503 so that the sender retries later.
var (
	errFull   = errors.New("queue full")
	errClosed = errors.New("shutting down")
)

type entryState int

const (
	queued   entryState = iota // in ready, waiting for a worker
	inFlight                   // a worker is ingesting it
	waiting                    // failed; back in ready after its backoff
)

type entry struct {
	state   entryState
	attempt int  // failures so far
	again   bool // an event arrived while in flight: ingest once more when done
}

// queue is the bounded set of accepted keys not yet ingested. A key is in it at most once:
// an event for a key already queued is a duplicate (the ingest re-reads the current upload),
// and one for a key in flight makes it run once more afterwards, since that worker may have
// read the previous version. Capacity counts every accepted key until it is done, including
// keys waiting for a retry, so nothing accepted is ever dropped to make room.
type queue struct {
	mu       sync.Mutex
	cond     *sync.Cond
	ready    []string
	entries  map[string]*entry
	capacity int
	closed   bool
	dropped  bool // abandon was called: nothing more runs
	inflight int
	backoff  func(attempt int) time.Duration
}

func newQueue(capacity int, base, maxDelay time.Duration) *queue {
	q := &queue{entries: map[string]*entry{}, capacity: capacity}
	q.cond = sync.NewCond(&q.mu)
	q.backoff = func(attempt int) time.Duration {
		d := base << min(attempt-1, 20)
		if d <= 0 || d > maxDelay {
			d = maxDelay
		}
		return d/2 + rand.N(d/2+1)
	}
	return q
}

// add accepts keys all together or not at all. It returns how many were new (the rest were
// duplicates of pending keys).
func (q *queue) add(keys []string) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return 0, errClosed
	}
	fresh := map[string]bool{}
	for _, k := range keys {
		if q.entries[k] == nil {
			fresh[k] = true
		}
	}
	if len(q.entries)+len(fresh) > q.capacity {
		return 0, errFull
	}
	for _, k := range keys {
		e := q.entries[k]
		switch {
		case e == nil:
			q.entries[k] = &entry{state: queued}
			q.ready = append(q.ready, k)
			q.cond.Signal()
		case e.state == inFlight:
			e.again = true
		}
	}
	return len(fresh), nil
}

// next blocks until a key is ready; ok is false when the queue is closed and nothing is left
// to do.
func (q *queue) next() (key string, attempt int, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.ready) == 0 || q.dropped {
		if q.dropped || (q.closed && q.inflight == 0) {
			return "", 0, false
		}
		q.cond.Wait()
	}
	key, q.ready = q.ready[0], q.ready[1:]
	e := q.entries[key]
	e.state = inFlight
	q.inflight++
	return key, e.attempt, true
}

// done records the end of one ingest of key. A failure is retried after a backoff while the
// queue is open; after close (draining) it is dropped and reported as lost (retried=false).
func (q *queue) done(key string, err error) (retried bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	defer q.cond.Broadcast()
	q.inflight--
	e := q.entries[key]
	switch {
	case e == nil:
		return false
	case q.dropped:
		delete(q.entries, key)
		return false
	case err == nil && e.again:
		e.again, e.attempt, e.state = false, 0, queued
		q.ready = append(q.ready, key)
		return false
	case err == nil:
		delete(q.entries, key)
		return false
	case q.closed:
		delete(q.entries, key)
		return false
	}
	e.again = false
	e.attempt++
	e.state = waiting
	time.AfterFunc(q.backoff(e.attempt), func() { q.wake(key) })
	return true
}

// wake moves a key whose backoff ended back to ready.
func (q *queue) wake(key string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if e := q.entries[key]; e != nil && e.state == waiting {
		e.state = queued
		q.ready = append(q.ready, key)
		q.cond.Signal()
	}
}

// close stops accepting keys and makes keys waiting for a retry ready at once (draining).
func (q *queue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	for k, e := range q.entries {
		if e.state == waiting {
			e.state = queued
			q.ready = append(q.ready, k)
		}
	}
	q.cond.Broadcast()
}

// abandon empties the queue (the drain time is over) and returns the keys that were left.
func (q *queue) abandon() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	keys := make([]string, 0, len(q.entries))
	for k := range q.entries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	q.ready = nil
	q.closed, q.dropped = true, true
	q.cond.Broadcast()
	return keys
}

// len is the number of accepted keys not yet done.
func (q *queue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.entries)
}
