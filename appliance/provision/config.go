package provision

import (
	"bytes"
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// configHeader opens a wenban.yaml that provisioning creates.
const configHeader = "Written by wenban provision. Sections that provisioning does not set,\n" +
	"such as tls, are kept when the terminal is provisioned again in the same role."

// renderConfig returns the wenban.yaml for s and the settings of previous
// that it kept. previous is the file an earlier provisioning in the same
// role wrote, perhaps edited by the operator since, or nil. Provisioning
// owns listen on a hub and kiosk.hub and kiosk.window on a kiosk, and it
// keeps every other setting of previous with its comments.
func renderConfig(s Settings, previous []byte) (string, []string, error) {
	doc, err := parseConfig(previous)
	if err != nil {
		return "", nil, err
	}
	root := doc.Content[0]

	var kept []string
	switch s.Role {
	case RoleHub:
		kept = keysExcept(root, "", "listen")
		setScalar(root, "listen", s.Listen)
	case RoleKiosk:
		kept = keysExcept(root, "", "kiosk")
		kiosk := mappingValue(root, "kiosk")
		kept = append(kept, keysExcept(kiosk, "kiosk.", "hub", "window")...)
		setScalar(kiosk, "hub", s.HubURL)
		setScalar(kiosk, "window", s.WindowID)
	default:
		return "", nil, fmt.Errorf("%w: role %s has no wenban.yaml", ErrInvalid, s.Role)
	}

	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return "", nil, fmt.Errorf("encoding wenban.yaml: %w", err)
	}
	if err := enc.Close(); err != nil {
		return "", nil, fmt.Errorf("encoding wenban.yaml: %w", err)
	}
	return buf.String(), kept, nil
}

// parseConfig parses previous into a document whose root is a mapping. An
// empty or missing file becomes an empty mapping under configHeader.
func parseConfig(previous []byte) (*yaml.Node, error) {
	// Decoding into a map too rejects duplicate keys, which a node tree
	// keeps and which would make the hub reject the rendered file.
	var doc yaml.Node
	var settings map[string]any
	if err := errors.Join(yaml.Unmarshal(previous, &doc), yaml.Unmarshal(previous, &settings)); err != nil {
		return nil, fmt.Errorf("%w: the existing wenban.yaml is not valid YAML (fix or delete it, then provision again): %w", ErrInvalid, err)
	}
	if doc.Kind == 0 {
		root := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		return &yaml.Node{Kind: yaml.DocumentNode, HeadComment: configHeader, Content: []*yaml.Node{root}}, nil
	}
	if root := doc.Content[0]; root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%w: the existing wenban.yaml is not a mapping of settings at line %d: fix or delete it, then provision again", ErrInvalid, root.Line)
	}
	return &doc, nil
}

// keysExcept returns the keys of mapping m, each after prefix, other than
// owned.
func keysExcept(m *yaml.Node, prefix string, owned ...string) []string {
	var keys []string
next:
	for i := 0; i+1 < len(m.Content); i += 2 {
		key := m.Content[i].Value
		for _, o := range owned {
			if key == o {
				continue next
			}
		}
		keys = append(keys, prefix+key)
	}
	return keys
}

// setScalar sets key of mapping m to the string value, adding the key at
// the end when m lacks it. A key's comments stay.
func setScalar(m *yaml.Node, key, value string) {
	node := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			old := m.Content[i+1]
			node.LineComment, node.HeadComment, node.FootComment = old.LineComment, old.HeadComment, old.FootComment
			m.Content[i+1] = node
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, node)
}

// mappingValue returns the mapping under key in m, replacing a value of
// another kind and adding the key when m lacks it.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != key {
			continue
		}
		if m.Content[i+1].Kind != yaml.MappingNode {
			m.Content[i+1] = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		}
		return m.Content[i+1]
	}

	value := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, value)
	return value
}
