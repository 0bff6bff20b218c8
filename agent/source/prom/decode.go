package prom

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// The query API's JSON is decoded by hand: a 20,000-series vector through encoding/json costs
// a map and several reflective allocations per series, and two validation passes over the
// body. The decoder accepts standard JSON in any key order, skips unknown keys (e.g. native
// "histogram" samples) and refuses anything malformed; FuzzDecodeResponse checks it against
// encoding/json.

// labels is a series' label set: a short slice instead of a map, common names interned.
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

// sample is one series of an instant vector.
type sample struct {
	Metric labels
	Value  pair
}

// pair is a [<unix seconds>, "<value>"] sample value.
type pair struct {
	T float64
	V float64
}

type apiResponse struct {
	Status, ErrorType, Error string
	ResultType               string
	Result                   []sample
}

// decodeResponse parses {"status", "errorType", "error", "data": {"resultType", "result"}}.
// A result that is not an array of objects (a scalar or string) is skipped. When each != nil
// and "resultType":"vector" came before "result" (as Prometheus writes it), every sample is
// passed to each as soon as it is parsed (its labels are only valid during the call) and
// Result stays empty; otherwise samples are collected in Result.
func decodeResponse(b []byte, each func(labels, pair)) (*apiResponse, error) {
	s := &scanner{b: b, each: each}
	r := &apiResponse{}
	err := s.object(func(key string) error {
		var err error
		switch key {
		case "status":
			r.Status, err = s.str(false)
		case "errorType":
			r.ErrorType, err = s.str(false)
		case "error":
			r.Error, err = s.str(false)
		case "data":
			err = s.object(func(key string) error {
				switch key {
				case "resultType":
					var err error
					r.ResultType, err = s.str(false)
					return err
				case "result":
					if r.ResultType != "vector" {
						// resultType not seen yet (Prometheus writes it first): collect.
						each := s.each
						s.each = nil
						defer func() { s.each = each }()
					}
					return s.vector(&r.Result)
				}
				return s.skip()
			})
		default:
			err = s.skip()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if s.ws(); s.i != len(b) {
		return nil, s.fail("trailing data")
	}
	return r, nil
}

type scanner struct {
	b    []byte
	i    int
	each func(labels, pair)
	lbuf labels // reused label buffer of the sample being parsed
}

func (s *scanner) fail(msg string) error { return fmt.Errorf("offset %d: %s", s.i, msg) }

func (s *scanner) ws() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\n' || s.b[s.i] == '\t' || s.b[s.i] == '\r') {
		s.i++
	}
}

// peek returns the next non-space byte (0 at the end).
func (s *scanner) peek() byte {
	if s.ws(); s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *scanner) expect(c byte) error {
	if s.peek() != c {
		return s.fail("want '" + string(c) + "'")
	}
	s.i++
	return nil
}

// object calls fn for every key; fn must consume the value.
func (s *scanner) object(fn func(key string) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for {
		key, err := s.str(true)
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := fn(key); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return s.fail("want ',' or '}'")
		}
	}
}

// array calls fn for every element; fn must consume it.
func (s *scanner) array(fn func() error) error {
	if err := s.expect('['); err != nil {
		return err
	}
	if s.peek() == ']' {
		s.i++
		return nil
	}
	for {
		if err := fn(); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		default:
			return s.fail("want ',' or ']'")
		}
	}
}

// str reads a string. Strings with escapes or invalid UTF-8 go through encoding/json
// (which unescapes and replaces invalid bytes); intern returns constants for common names.
func (s *scanner) str(intern bool) (string, error) {
	if s.peek() != '"' {
		return "", s.fail("want a string")
	}
	start := s.i
	slow := false
	for j := start + 1; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '\\':
			slow = true
			j++
		case c < 0x20:
			return "", s.fail("control character in string")
		case c == '"':
			s.i = j + 1
			raw := s.b[start+1 : j]
			if slow || !utf8.Valid(raw) {
				var v string
				if err := json.Unmarshal(s.b[start:j+1], &v); err != nil {
					return "", s.fail(err.Error())
				}
				return v, nil
			}
			if intern {
				if v, ok := internedNames[string(raw)]; ok {
					return v, nil
				}
			}
			return string(raw), nil
		}
	}
	return "", s.fail("unterminated string")
}

// number reads a JSON number.
func (s *scanner) number() (float64, error) {
	s.ws()
	start := s.i
	for s.i < len(s.b) && (s.b[s.i] == '-' || s.b[s.i] == '+' || s.b[s.i] == '.' || s.b[s.i] == 'e' || s.b[s.i] == 'E' || s.b[s.i] >= '0' && s.b[s.i] <= '9') {
		s.i++
	}
	tok := s.b[start:s.i]
	if !json.Valid(tok) {
		return 0, s.fail(fmt.Sprintf("%q is not a number", tok))
	}
	return strconv.ParseFloat(string(tok), 64)
}

// skip consumes any value.
func (s *scanner) skip() error {
	switch c := s.peek(); {
	case c == '{':
		return s.object(func(string) error { return s.skip() })
	case c == '[':
		return s.array(s.skip)
	case c == '"':
		_, err := s.str(false)
		return err
	case c == '-' || c >= '0' && c <= '9':
		_, err := s.number()
		return err
	default:
		for _, lit := range []string{"true", "false", "null"} {
			if len(s.b)-s.i >= len(lit) && string(s.b[s.i:s.i+len(lit)]) == lit {
				s.i += len(lit)
				return nil
			}
		}
		return s.fail("want a value")
	}
}

// vector reads a result: an array of {"metric": {…}, "value": [t, "v"]}; a scalar or string
// result ([t, "v"]) is skipped.
func (s *scanner) vector(out *[]sample) error {
	if s.peek() != '[' {
		return s.skip()
	}
	save := s.i
	s.i++
	if c := s.peek(); c != '{' && c != ']' {
		s.i = save
		return s.skip()
	}
	s.i = save
	var res []sample
	err := s.array(func() error {
		var smp sample
		err := s.object(func(key string) error {
			switch key {
			case "metric":
				return s.labels(&smp.Metric)
			case "value":
				return s.pair(&smp.Value)
			}
			return s.skip()
		})
		if err != nil {
			return err
		}
		if s.each != nil {
			s.each(smp.Metric, smp.Value)
			return nil
		}
		smp.Metric = append(labels(nil), smp.Metric...)
		res = append(res, smp)
		return nil
	})
	*out = res
	return err
}

// labels parses a label object into the scanner's reused buffer.
func (s *scanner) labels(out *labels) error {
	s.lbuf = s.lbuf[:0]
	err := s.object(func(name string) error {
		v, err := s.str(false)
		s.lbuf = append(s.lbuf, labelPair{name, v})
		return err
	})
	*out = s.lbuf
	return err
}

func (s *scanner) pair(p *pair) error {
	n := 0
	err := s.array(func() error {
		var err error
		switch n++; n {
		case 1:
			p.T, err = s.number()
		case 2:
			var v string
			if v, err = s.str(false); err == nil {
				if p.V, err = strconv.ParseFloat(v, 64); err != nil {
					err = s.fail(fmt.Sprintf("sample value %q is not a number", v))
				}
			}
		default:
			err = s.fail("sample value: want [time, \"value\"]")
		}
		return err
	})
	if err == nil && n != 2 {
		err = s.fail("sample value: want [time, \"value\"]")
	}
	return err
}

var internedNames = func() map[string]string {
	m := map[string]string{}
	for _, n := range []string{"namespace", "pod", "container", "node", "uid", "resource", "first",
		"owner_kind", "owner_name", "persistentvolumeclaim", "persistentvolume", "endpoint", "ip",
		"pod_ip", "host_network", "provider_id", "service", "__name__", "instance", "job",
		"metric", "value", "status", "data", "resultType", "result"} {
		m[n] = n
	}
	return m
}()
