package objstore

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

// decodeStrict decodes n into out (a pointer to a config struct) after checking that every key
// in n, at any depth, is a field of out's type. Errors name the YAML path (e.g.
// config.http_config.tls_confg) and the line; they never quote values, which may be secrets.
func decodeStrict(n *yaml.Node, out any, path string) error {
	c := checker{lines: map[int]string{}}
	c.check(n, reflect.TypeOf(out), path)
	if len(c.errs) > 0 {
		return errors.Join(c.errs...)
	}
	if err := n.Decode(out); err != nil {
		return c.typeError(err, path)
	}
	return nil
}

type checker struct {
	errs  []error
	lines map[int]string // line of a value → its key path, to name keys in type errors
}

var typeErrorLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// typeError rewrites yaml.v3's type errors as "line N: <key path>: cannot unmarshal … (value
// hidden) into …", one per line.
func (c *checker) typeError(err error, path string) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return fmt.Errorf("%s: %w", path, redactYAMLError(err))
	}
	var errs []error
	for _, msg := range te.Errors {
		msg = quotedValue.ReplaceAllString(msg, "(value hidden)")
		if m := typeErrorLine.FindStringSubmatch(msg); m != nil {
			var line int
			fmt.Sscan(m[1], &line)
			key := c.lines[line]
			if key == "" {
				key = path
			}
			msg = fmt.Sprintf("line %d: %s: %s", line, key, m[2])
		}
		errs = append(errs, errors.New(msg))
	}
	return errors.Join(errs...)
}

// check walks n alongside type t, collecting an error for each unknown or repeated key.
func (c *checker) check(n *yaml.Node, t reflect.Type, path string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return // the type decodes itself
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return // a type mismatch, which Decode reports
		}
		fields := yamlFields(t)
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "<<" { // a merge key: the merged mapping must fit the same struct
				c.check(v, t, path)
				continue
			}
			key := join(path, k.Value)
			c.lines[v.Line] = key
			if line, dup := seen[k.Value]; dup {
				c.errs = append(c.errs, fmt.Errorf("line %d: %s: repeated key (first at line %d)", k.Line, key, line))
				continue
			}
			seen[k.Value] = k.Line
			ft, ok := fields[k.Value]
			if !ok {
				c.errs = append(c.errs, fmt.Errorf("line %d: unknown key %s%s", k.Line, key, suggest(k.Value, fields, path)))
				continue
			}
			c.check(v, ft, key)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := join(path, n.Content[i].Value)
			c.lines[n.Content[i+1].Line] = key
			c.check(n.Content[i+1], t.Elem(), key)
		}
	case reflect.Slice, reflect.Array:
		if n.Kind != yaml.SequenceNode {
			return
		}
		for i, item := range n.Content {
			key := fmt.Sprintf("%s[%d]", path, i)
			c.lines[item.Line] = key
			c.check(item, t.Elem(), key)
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// yamlFields maps the YAML key of every field of struct t (following `,inline`) to its type,
// with yaml.v3's naming: the tag's name, or the lower-cased field name.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range yamlFields(ft) {
					fields[k] = v
				}
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fields[name] = f.Type
	}
	return fields
}

// suggest proposes the closest known key, or lists the known keys.
func suggest(key string, fields map[string]reflect.Type, path string) string {
	known := make([]string, 0, len(fields))
	best, bestDist := "", 3
	for k := range fields {
		known = append(known, k)
		if d := distance(strings.ToLower(key), k); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best != "" {
		return fmt.Sprintf(": did you mean %s?", join(path, best))
	}
	sort.Strings(known)
	where := path
	if where == "" {
		where = "the top level"
	}
	return fmt.Sprintf(" (known keys in %s: %s)", where, strings.Join(known, ", "))
}

// distance is the Levenshtein edit distance.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

var quotedValue = regexp.MustCompile("`[^`]*`")

// redactYAMLError removes the values yaml.v3 quotes in type errors ("cannot unmarshal !!str
// `…` into bool"): a misplaced secret must not reach a log.
func redactYAMLError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.ReplaceAll(msg, "unmarshal errors:\n  ", "")
	msg = strings.ReplaceAll(msg, "\n  ", "; ")
	return errors.New(quotedValue.ReplaceAllString(msg, "(value hidden)"))
}
