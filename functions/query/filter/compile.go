package filter

import (
	"sort"
	"strings"

	"github.com/fedcost/fedcost/shared/cost"
)

// UnallocatedValue in a filter value stands for the empty string.
const UnallocatedValue = cost.UnallocatedSuffix

type fieldKind int

const (
	scalarField fieldKind = iota // one string
	sliceField                   // []string; ':' means "contains"
	mapField                     // map[string]string; [key] selects a value, no key tests the keys
	aliasField                   // department, environment, …: the configured label or annotation
)

// field describes how to read one filter field from a T.
type field[T any] struct {
	kind   fieldKind
	scalar func(T) string
	slice  func(T) []string
	// lookup returns the value of key (already sanitized) and whether it is present.
	lookup func(T, string) (string, bool)
	keys   func(T) []string
	alias  string
}

// Matcher reports whether a value passes a filter.
type Matcher[T any] func(T) bool

func compile[T any](n Node, fields map[string]field[T], lc cost.LabelConfig, what string) (Matcher[T], error) {
	switch n := n.(type) {
	case nil:
		return func(T) bool { return true }, nil
	case *And:
		ms, err := compileAll(n.Children, fields, lc, what)
		if err != nil {
			return nil, err
		}
		return func(v T) bool {
			for _, m := range ms {
				if !m(v) {
					return false
				}
			}
			return true
		}, nil
	case *Or:
		ms, err := compileAll(n.Children, fields, lc, what)
		if err != nil {
			return nil, err
		}
		return func(v T) bool {
			for _, m := range ms {
				if m(v) {
					return true
				}
			}
			return false
		}, nil
	case *Comparison:
		return compileComparison(n, fields, lc, what)
	}
	return nil, errAt(0, "unknown node %T", n)
}

func compileAll[T any](children []Node, fields map[string]field[T], lc cost.LabelConfig, what string) ([]Matcher[T], error) {
	ms := make([]Matcher[T], len(children))
	for i, c := range children {
		m, err := compile(c, fields, lc, what)
		if err != nil {
			return nil, err
		}
		ms[i] = m
	}
	return ms, nil
}

func fieldNames[T any](fields map[string]field[T]) string {
	names := make([]string, 0, len(fields))
	for n, f := range fields {
		if f.kind == mapField {
			n += "[<key>]"
		}
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func compileComparison[T any](c *Comparison, fields map[string]field[T], lc cost.LabelConfig, what string) (Matcher[T], error) {
	f, ok := fields[c.Field]
	if !ok {
		return nil, errAt(c.Pos, "unknown %s field %q; valid fields are %s", what, c.Field, fieldNames(fields))
	}
	if c.Keyed && f.kind != mapField {
		return nil, errAt(c.Pos, "field %q does not take a [key]", c.Field)
	}
	values := make([]string, len(c.Values))
	for i, v := range c.Values {
		if v == UnallocatedValue {
			v = ""
		}
		values[i] = v
	}
	test := stringTest(c.Op.Positive())
	anyMatch := func(s string) bool {
		for _, v := range values {
			if test(s, v) {
				return true
			}
		}
		return false
	}
	var pos Matcher[T]
	switch {
	case f.kind == scalarField:
		pos = func(x T) bool { return anyMatch(f.scalar(x)) }
	case f.kind == sliceField:
		pos = func(x T) bool {
			for _, s := range f.slice(x) {
				if anyMatch(s) {
					return true
				}
			}
			return false
		}
	case f.kind == mapField && c.Keyed:
		key := cost.SanitizeLabelName(c.Key)
		pos = func(x T) bool {
			v, _ := f.lookup(x, key)
			return anyMatch(v)
		}
	case f.kind == mapField:
		// Without a key the comparison applies to the keys: label:"app" = has label app.
		for i, v := range values {
			values[i] = cost.SanitizeLabelName(v)
		}
		pos = func(x T) bool {
			for _, k := range f.keys(x) {
				if anyMatch(k) {
					return true
				}
			}
			return false
		}
	default: // alias
		labels := lc.LabelsFor(f.alias)
		pos = func(x T) bool {
			for _, l := range labels {
				if v, ok := f.lookup(x, l); ok && v != "" {
					return anyMatch(v)
				}
			}
			return anyMatch("")
		}
	}
	if c.Op.Negated() {
		return func(x T) bool { return !pos(x) }, nil
	}
	return pos, nil
}

func stringTest(op Op) func(s, v string) bool {
	switch op {
	case Contains:
		return strings.Contains
	case StartsWith:
		return strings.HasPrefix
	case EndsWith:
		return strings.HasSuffix
	default:
		return func(s, v string) bool { return s == v }
	}
}

func mapKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}
