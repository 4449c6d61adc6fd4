// Package tfschema derives a Terraform provider schema from the prebuilt
// CDK for Terraform bindings of that provider (the npm package
// @cdktf/provider-aws), and describes it in the shape of `tofu providers
// schema -json`. The schema-only provider in cmd/terraform-provider-aws serves
// it to tofu, so that `tofu validate` checks every argument, block and
// attribute reference against the real provider's schema without the
// provider binary.
package tfschema

import (
	"encoding/json"
	"fmt"
	"sort"
)

// Schema is one provider's schema: its own configuration block, its
// resources and its data sources, keyed by type name (aws_instance).
type Schema struct {
	// Source names what the schema was derived from, for error messages.
	Source      string            `json:"source"`
	Provider    *Block            `json:"provider"`
	Resources   map[string]*Block `json:"resource_schemas"`
	DataSources map[string]*Block `json:"data_source_schemas"`
}

// Block is a configuration block: attributes and nested blocks.
type Block struct {
	Attributes map[string]*Attribute `json:"attributes,omitempty"`
	BlockTypes map[string]*BlockType `json:"block_types,omitempty"`
}

// Attribute is one attribute of a block. Exactly one of Required, Optional
// and Computed-only holds; Optional and Computed may both hold.
type Attribute struct {
	Type     Type `json:"type"`
	Required bool `json:"required,omitempty"`
	Optional bool `json:"optional,omitempty"`
	Computed bool `json:"computed,omitempty"`
}

// BlockType is a nested block and how it nests: "list", "set", "map" or
// "single", with bounds on the number of blocks (0 is unbounded).
type BlockType struct {
	NestingMode string `json:"nesting_mode"`
	Block       *Block `json:"block"`
	MinItems    int    `json:"min_items,omitempty"`
	MaxItems    int    `json:"max_items,omitempty"`
}

// Type is a cty type in its JSON form: "string", "number", "bool",
// "dynamic", ["list", T], ["set", T], ["map", T] or ["object", {name: T}].
type Type struct {
	Kind string          // string, number, bool, dynamic, list, set, map, object
	Elem *Type           // list, set, map
	Attr map[string]Type // object
}

var (
	// String is cty.String.
	String = Type{Kind: "string"}
	// Number is cty.Number.
	Number = Type{Kind: "number"}
	// Bool is cty.Bool.
	Bool = Type{Kind: "bool"}
	// Dynamic is cty.DynamicPseudoType.
	Dynamic = Type{Kind: "dynamic"}
)

// Of returns a collection type ("list", "set" or "map") of elem.
func Of(kind string, elem Type) Type { return Type{Kind: kind, Elem: &elem} }

// MarshalJSON writes the cty JSON type form.
func (t Type) MarshalJSON() ([]byte, error) {
	switch t.Kind {
	case "string", "number", "bool", "dynamic":
		return json.Marshal(t.Kind)
	case "list", "set", "map":
		return json.Marshal([]any{t.Kind, *t.Elem})
	case "object":
		if t.Attr == nil {
			return json.Marshal([]any{"object", map[string]Type{}})
		}
		return json.Marshal([]any{"object", t.Attr})
	}
	return nil, fmt.Errorf("tfschema: unknown type kind %q", t.Kind)
}

// UnmarshalJSON reads the cty JSON type form.
func (t *Type) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*t = Type{Kind: s}
		return nil
	}
	var pair []json.RawMessage
	if err := json.Unmarshal(b, &pair); err != nil || len(pair) != 2 {
		return fmt.Errorf("tfschema: bad type %s", b)
	}
	if err := json.Unmarshal(pair[0], &s); err != nil {
		return err
	}
	t.Kind = s
	if s == "object" {
		return json.Unmarshal(pair[1], &t.Attr)
	}
	t.Elem = new(Type)
	return json.Unmarshal(pair[1], t.Elem)
}

// Names returns the sorted keys of a map of blocks.
func Names(m map[string]*Block) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
