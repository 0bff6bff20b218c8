// Package filter implements Kubecost/OpenCost filter language v2: a lexer and parser to an
// AST, and compilers from that AST to matchers of *cost.Allocation and *cost.Asset.
//
// Grammar (OpenCost core/pkg/filter/ast/parser.go):
//
//	<filter>         ::= <filter-element> (<group-op> <filter-element>)*
//	<filter-element> ::= <comparison> | '(' <filter> ')'
//	<group-op>       ::= '+' (and) | '|' (or); mixing both in one group is an error
//	<comparison>     ::= <field> ['[' <key> ']'] <op> '"' <value> '"' (',' '"' <value> '"')*
//	<op>             ::= ':' | '!:' | '~:' | '!~:' | '<~:' | '!<~:' | '~>:' | '!~>:'
//
// Positive operators match if any value matches; negated ones match if no value matches.
// Strings have no escapes. The value "__unallocated__" stands for the empty string.
package filter

import (
	"slices"
	"strings"
)

// Op is a comparison operator.
type Op int

// The eight operators.
const (
	Equals        Op = iota // :
	NotEquals               // !:
	Contains                // ~:
	NotContains             // !~:
	StartsWith              // <~:
	NotStartsWith           // !<~:
	EndsWith                // ~>:
	NotEndsWith             // !~>:
)

var opText = [...]string{":", "!:", "~:", "!~:", "<~:", "!<~:", "~>:", "!~>:"}

// String is the operator's source form.
func (o Op) String() string { return opText[o] }

// Negated reports whether the operator is one of the "!" forms.
func (o Op) Negated() bool { return o%2 == 1 }

// Positive is the operator without its negation.
func (o Op) Positive() Op { return o &^ 1 }

// Node is a node of the filter AST: *And, *Or or *Comparison. A nil Node matches everything.
type Node interface {
	// String is the canonical source form of the node.
	String() string
}

// And matches when all children match.
type And struct{ Children []Node }

// Or matches when any child matches.
type Or struct{ Children []Node }

// Comparison compares one field (optionally one key of a map field) with values.
type Comparison struct {
	Pos    int    // byte offset of the field in the source
	Field  string // e.g. namespace, label
	Key    string // the key inside [...], as written
	Keyed  bool   // whether [...] was given
	Op     Op
	Values []string // as written ("__unallocated__" is not yet replaced)
}

func (a *And) String() string { return group(a.Children, "+") }
func (o *Or) String() string  { return group(o.Children, "|") }

func group(children []Node, sep string) string {
	parts := make([]string, len(children))
	for i, c := range children {
		s := c.String()
		if _, isCmp := c.(*Comparison); !isCmp {
			s = "(" + s + ")"
		}
		parts[i] = s
	}
	return strings.Join(parts, sep)
}

func (c *Comparison) String() string {
	var b strings.Builder
	b.WriteString(c.Field)
	if c.Keyed {
		b.WriteString("[" + c.Key + "]")
	}
	b.WriteString(c.Op.String())
	for i, v := range c.Values {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + v + `"`)
	}
	return b.String()
}

// Walk calls fn for every comparison under n.
func Walk(n Node, fn func(*Comparison)) {
	switch n := n.(type) {
	case *And:
		for _, c := range n.Children {
			Walk(c, fn)
		}
	case *Or:
		for _, c := range n.Children {
			Walk(c, fn)
		}
	case *Comparison:
		fn(n)
	}
}

// Restriction returns the values a scalar field must take for n to match: ok is true when
// every match of n has field equal to one of values (e.g. `cluster:"a"`, `cluster:"a","b"`,
// `cluster:"a"+namespace:"x"`, `cluster:"a"|cluster:"b"`). Sources use it to skip data that
// cannot match. Negations, other operators and __unallocated__ give no restriction.
func Restriction(n Node, field string) (values []string, ok bool) {
	switch n := n.(type) {
	case *Comparison:
		if n.Field != field || n.Keyed || n.Op != Equals || len(n.Values) == 0 {
			return nil, false
		}
		if slices.Contains(n.Values, "__unallocated__") {
			return nil, false
		}
		vs := slices.Clone(n.Values)
		slices.Sort(vs)
		return slices.Compact(vs), true
	case *And:
		// Any restricting child restricts the conjunction; several: their intersection.
		var set map[string]bool
		for _, c := range n.Children {
			vs, ok := Restriction(c, field)
			if !ok {
				continue
			}
			next := map[string]bool{}
			for _, v := range vs {
				if set == nil || set[v] {
					next[v] = true
				}
			}
			set = next
		}
		if set == nil {
			return nil, false
		}
		return sortedKeys(set), true
	case *Or:
		set := map[string]bool{}
		for _, c := range n.Children {
			vs, ok := Restriction(c, field)
			if !ok {
				return nil, false
			}
			for _, v := range vs {
				set[v] = true
			}
		}
		return sortedKeys(set), len(n.Children) > 0
	}
	return nil, false
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
