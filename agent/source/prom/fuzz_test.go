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
		l, err := parseLabels(b)
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

// FuzzDecodeResponse: the response decoder never panics and never accepts invalid JSON.
func FuzzDecodeResponse(f *testing.F) {
	for _, s := range []string{
		`{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"b"},"value":[1,"2"]}]}}`,
		`{"status":"success","data":{"resultType":"scalar","result":[1,"2"]}}`,
		`{"status":"error","errorType":"bad_data","error":"x"}`,
		`{"data":{"result":[{"metric":{},"histogram":[1,{"count":"2"}]}]},"warnings":null}`,
		`{"x":[1e5,-2,true,false,null,"\u0041"]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := decodeResponse(b, nil); err == nil && !json.Valid(b) {
			t.Fatalf("accepted invalid JSON %q", b)
		}
	})
}
