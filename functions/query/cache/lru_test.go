package cache

import "testing"

func TestLRU(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		max   int
		adds  []int // costs of entries 0, 1, 2, … added in order
		touch int   // entry read after the adds (-1: none)
		add   int   // cost of one more entry added after the touch
		kept  []int
	}{
		{"under the bound", 10, []int{3, 3}, -1, 3, []int{0, 1, 2}},
		{"evicts the oldest", 10, []int{4, 4}, -1, 4, []int{1, 2}},
		{"a read protects", 10, []int{4, 4}, 0, 4, []int{0, 2}},
		{"an entry over the bound stays alone", 5, []int{2, 2}, -1, 9, []int{2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLRU[int, string](tc.max)
			for i, c := range tc.adds {
				l.add(i, "v", c)
			}
			if tc.touch >= 0 {
				if _, ok := l.get(tc.touch); !ok {
					t.Fatalf("entry %d missing before the last add", tc.touch)
				}
			}
			l.add(len(tc.adds), "v", tc.add)
			n, _ := l.stats()
			if n != len(tc.kept) {
				t.Errorf("%d entries, want %v", n, tc.kept)
			}
			for _, k := range tc.kept {
				if _, ok := l.get(k); !ok {
					t.Errorf("entry %d evicted, want kept %v", k, tc.kept)
				}
			}
		})
	}
	l := newLRU[int, string](10)
	l.add(1, "a", 1)
	l.add(2, "b", 1)
	l.removeIf(func(k int) bool { return k == 1 })
	if _, ok := l.get(1); ok {
		t.Error("removeIf kept a matching entry")
	}
	if n, c := l.stats(); n != 1 || c != 1 {
		t.Errorf("after removeIf: %d entries costing %d, want 1, 1", n, c)
	}
}
