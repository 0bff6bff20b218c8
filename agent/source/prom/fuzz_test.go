package prom

import (
	"encoding/json"
	"testing"
)

// FuzzLabels: the hand-written label-set decoder never panics and, for every object of
// strings encoding/json accepts, yields the same pairs.
func FuzzLabels(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":"b"}`, `{"namespace":"x\"y","pod":"\u00e9"}`, `{"a":"b",}`, `{"a"`, `[]`, `{"a":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var l labels
		err := l.UnmarshalJSON(b)
		var m map[string]string
		if json.Unmarshal(b, &m) != nil || m == nil {
			return // not an object of strings: only "no panic" is required
		}
		if err != nil {
			t.Fatalf("encoding/json accepts %q, labels refuses: %v", b, err)
		}
		got := map[string]string{}
		for _, p := range l {
			got[p.Name] = p.Value
		}
		if len(got) != len(m) {
			t.Fatalf("%q: got %v, want %v", b, got, m)
		}
		for k, v := range m {
			if got[k] != v {
				t.Fatalf("%q: got %v, want %v", b, got, m)
			}
		}
	})
}
