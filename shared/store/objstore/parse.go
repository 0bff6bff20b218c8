package objstore

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/fedcost/fedcost/shared/store/azure"
	"github.com/fedcost/fedcost/shared/store/filesystem"
	"github.com/fedcost/fedcost/shared/store/gcs"
	"github.com/fedcost/fedcost/shared/store/s3"
)

// Parse parses and validates a federated-store.yaml.
func Parse(data []byte) (*Config, error) {
	root, err := document(data)
	if err != nil {
		return nil, err
	}
	c := &Config{}
	var configNode *yaml.Node
	var errs []error
	seen := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if line, dup := seen[k.Value]; dup {
			errs = append(errs, fmt.Errorf("line %d: %s: repeated key (first at line %d)", k.Line, k.Value, line))
			continue
		}
		seen[k.Value] = k.Line
		switch k.Value {
		case "type":
			var t string
			if err := v.Decode(&t); err != nil || v.Kind != yaml.ScalarNode {
				errs = append(errs, fmt.Errorf("line %d: type: must be one of %s", v.Line, typeList()))
				continue
			}
			c.Type = Type(strings.ToUpper(strings.TrimSpace(t)))
		case "prefix":
			if err := v.Decode(&c.Prefix); err != nil || v.Kind != yaml.ScalarNode {
				errs = append(errs, fmt.Errorf("line %d: prefix: must be a string such as tenants/team-a", v.Line))
			}
		case "config":
			configNode = v
		default:
			errs = append(errs, fmt.Errorf("line %d: unknown key %s (known keys at the top level: type, config, prefix)", k.Line, k.Value))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if err := c.decodeProvider(configNode); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// document returns the top-level mapping of the single YAML document in data.
func document(data []byte) (*yaml.Node, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("empty file: expected the keys type, config and prefix")
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty file (only comments): expected the keys type, config and prefix")
		}
		return nil, fmt.Errorf("not valid YAML: %w", redactYAMLError(err))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, fmt.Errorf("line %d: a second YAML document: the file must hold exactly one", extra.Line)
	} else if !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("not valid YAML: %w", redactYAMLError(err))
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, errors.New("empty file: expected the keys type, config and prefix")
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: expected a mapping with the keys type, config and prefix", root.Line)
	}
	return root, nil
}

// decodeProvider decodes the config section for c.Type over the provider's defaults. A missing
// section leaves the defaults, and Validate then names the required keys.
func (c *Config) decodeProvider(n *yaml.Node) error {
	if n != nil && n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		n = nil
	}
	if n != nil && n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: config: must be a mapping of %s settings", n.Line, c.Type)
	}
	switch c.Type {
	case S3:
		c.S3 = decodeDefaults(s3.DefaultConfig())
		return decodeInto(n, c.S3)
	case GCS:
		c.GCS = decodeDefaults(gcs.DefaultConfig())
		return decodeInto(n, c.GCS)
	case Azure:
		c.Azure = decodeDefaults(azure.DefaultConfig())
		return decodeInto(n, c.Azure)
	case Filesystem:
		c.Filesystem = decodeDefaults(filesystem.DefaultConfig())
		return decodeInto(n, c.Filesystem)
	}
	return nil
}

func decodeDefaults[C any](defaults C) *C { return &defaults }

// decodeInto decodes the config section n (nil: absent) over the defaults in out.
func decodeInto(n *yaml.Node, out any) error {
	if n == nil {
		return nil
	}
	return decodeStrict(n, out, "config")
}
