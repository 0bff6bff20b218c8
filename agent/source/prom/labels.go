package prom

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// labels is a series' label set as decoded from the API: a short slice instead of a map (a
// vector of 20,000 series would otherwise allocate 20,000 maps), with the common label names
// interned.
type labels []labelPair

type labelPair struct{ Name, Value string }

// get returns the value of name, "" if absent.
func (l labels) get(name string) string {
	for _, p := range l {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// UnmarshalJSON parses {"name":"value",…}.
func (l *labels) UnmarshalJSON(b []byte) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return errors.New("metric: want an object")
	}
	out := make(labels, 0, 8)
	i = skipSpace(b, i+1)
	for i < len(b) && b[i] != '}' {
		var p labelPair
		var err error
		if p.Name, i, err = readString(b, i, true); err != nil {
			return fmt.Errorf("metric: %w", err)
		}
		i = skipSpace(b, i)
		if i >= len(b) || b[i] != ':' {
			return errors.New("metric: want ':'")
		}
		if p.Value, i, err = readString(b, skipSpace(b, i+1), false); err != nil {
			return fmt.Errorf("metric %s: %w", p.Name, err)
		}
		out = append(out, p)
		i = skipSpace(b, i)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		}
	}
	if i >= len(b) {
		return errors.New("metric: unterminated object")
	}
	*l = out
	return nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r') {
		i++
	}
	return i
}

// readString reads the JSON string at b[i] and returns it and the index after it. Strings
// with escapes go through encoding/json; intern returns constants for common label names.
func readString(b []byte, i int, intern bool) (string, int, error) {
	if i >= len(b) || b[i] != '"' {
		return "", i, errors.New("want a string")
	}
	escaped := false
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			raw := b[i+1 : j]
			if escaped || !utf8.Valid(raw) { // encoding/json unescapes and replaces invalid UTF-8
				var s string
				if err := json.Unmarshal(b[i:j+1], &s); err != nil {
					return "", j + 1, err
				}
				return s, j + 1, nil
			}
			if intern {
				if s, ok := internedNames[string(raw)]; ok {
					return s, j + 1, nil
				}
			}
			return string(raw), j + 1, nil
		}
	}
	return "", len(b), errors.New("unterminated string")
}

var internedNames = func() map[string]string {
	m := map[string]string{}
	for _, n := range []string{"namespace", "pod", "container", "node", "uid", "resource", "first",
		"owner_kind", "owner_name", "persistentvolumeclaim", "persistentvolume", "endpoint", "ip",
		"pod_ip", "host_network", "provider_id", "service", "__name__", "instance", "job"} {
		m[n] = n
	}
	return m
}()
