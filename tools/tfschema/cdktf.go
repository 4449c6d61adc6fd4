package tfschema

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"strings"
)

// The prebuilt cdktf bindings are generated code, one lib/<resource>/index.js
// per resource or data source, with a regular shape that carries everything
// `tofu validate` needs:
//
//   - synthesizeHclAttributes() of a resource class, and the
//     <struct>ToHclTerraform(struct) function of each nested block, list every
//     configurable argument by its Terraform name, whether it is a block, how
//     it nests ("simple", "list", "set", "map", "struct") and its value type
//     (storageClassType "string", "stringList", "stringMap", … or the class of
//     the nested block). A block whose value is mapped with listMapperHcl is
//     repeatable; one converted directly holds at most one element.
//   - An argument with a setter but no reset method is required (cdktf emits
//     reset<Name>() only for optional arguments); a block's comment
//     "// name - computed: …, optional: …, required: true" says the same.
//   - A getter without a setter is a computed-only attribute, named by its
//     this.get<Type>Attribute('name') call, or by the complex list/object
//     field it returns (this._x = new XList(this, "name", isSet)).
//
// The exported Extract walks the npm tarball once and builds the schema.

// Extract reads the @cdktf/provider-* npm tarball at tgz and derives the
// provider's schema from its generated JavaScript.
func Extract(tgz string) (*Schema, error) {
	f, err := os.Open(tgz)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", tgz, err)
	}
	s := &Schema{Source: path.Base(tgz), Resources: map[string]*Block{}, DataSources: map[string]*Block{}}
	// A resource's bindings are lib/<name>/index.js, and for the largest
	// ones also lib/<name>/index-structs/*.js: parse each folder as one.
	files := map[string]*strings.Builder{}
	var order []string
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", tgz, err)
		}
		parts := strings.Split(h.Name, "/")
		if len(parts) < 4 || parts[0] != "package" || parts[1] != "lib" || !strings.HasSuffix(h.Name, ".js") {
			continue
		}
		src, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", tgz, h.Name, err)
		}
		b := files[parts[2]]
		if b == nil {
			b = &strings.Builder{}
			files[parts[2]] = b
			order = append(order, parts[2])
		}
		b.Write(src)
		b.WriteString("\n")
	}
	for _, dir := range order {
		if err := s.addFile(files[dir].String()); err != nil {
			return nil, fmt.Errorf("lib/%s: %w", dir, err)
		}
	}
	if s.Provider == nil || len(s.Resources) == 0 {
		return nil, fmt.Errorf("%s: no provider class or no resources found: not a cdktf provider package?", tgz)
	}
	return s, nil
}

// unit is a top-level class or function of one index.js.
type unit struct {
	name, base, body string
}

// entry is one element of synthesizeHclAttributes / <struct>ToHclTerraform.
type entry struct {
	name    string // Terraform name
	camel   string // property name in the bindings
	isBlock bool
	typ     string // simple, list, set, map, struct
	storage string // storageClassType
	child   string // the nested block's <struct>ToHclTerraform function
	repeat  bool   // mapped with listMapperHcl / hashMapperHcl
}

// field is a complex property initialised in a constructor.
type field struct {
	class, name string
	set         bool
}

// class holds what the parser needs of one generated class.
type class struct {
	unit
	tfType  string
	getters map[string]string // property → returned expression
	setters map[string]bool
	resets  map[string]bool   // capitalised property names
	fields  map[string]field  // property → complex field
	flags   map[string]string // Terraform name → "computed,optional,required" flags
	hcl     []entry
	indexed bool // a ComplexObject that is element 0 of a list
}

var (
	unitStart  = regexp.MustCompile(`(?m)^(?:class (\w+) extends cdktf\.(\w+) \{|function (\w+)\(struct\) \{)$`)
	reTfType   = regexp.MustCompile(`(?m)^(\w+)\.tfResourceType = "(\w+)";`)
	reGetter   = regexp.MustCompile(`(?m)^    get (\w+)\(\) \{\n\s+return (.+?);\n    \}`)
	reSetter   = regexp.MustCompile(`(?m)^    set (\w+)\(value\)`)
	reReset    = regexp.MustCompile(`(?m)^    reset(\w+)\(\)`)
	reField    = regexp.MustCompile(`this\._(\w+) = new (\w+)\(this, "(\w+)"(?:, (true|false))?\);`)
	reFlags    = regexp.MustCompile(`// (\w+) - computed: (true|false), optional: (true|false), required: (true|false)`)
	reEntry    = regexp.MustCompile(`(?s)"?(\w+)"?: \{\s*value: (.*?),\s*isBlock: (true|false),\s*type: "(\w+)",\s*storageClassType: "(\w+)",\s*\}`)
	reCamel    = regexp.MustCompile(`(?:struct\.|this\._)(\w+)`)
	reChild    = regexp.MustCompile(`(cdktf\.)?(\w+ToHclTerraform)\b`)
	reAttrCall = regexp.MustCompile(`this\.(get\w*Attribute|interpolationForAttribute)\('(\w+)'\)`)
	reIndexed  = regexp.MustCompile(`super\(terraformResource, terraformAttribute, false, 0\);`)
)

func splitUnits(src string) []unit {
	locs := unitStart.FindAllStringSubmatchIndex(src, -1)
	units := make([]unit, 0, len(locs))
	for _, l := range locs {
		end := strings.Index(src[l[1]:], "\n}\n")
		if end < 0 {
			end = len(src) - l[1]
		}
		u := unit{body: src[l[1] : l[1]+end]}
		if l[2] >= 0 {
			u.name, u.base = src[l[2]:l[3]], src[l[4]:l[5]]
		} else {
			u.name, u.base = src[l[6]:l[7]], "function"
		}
		units = append(units, u)
	}
	return units
}

func parseEntries(body string) []entry {
	var out []entry
	for _, m := range reEntry.FindAllStringSubmatch(body, -1) {
		e := entry{name: m[1], isBlock: m[3] == "true", typ: m[4], storage: m[5]}
		if c := reCamel.FindAllStringSubmatch(m[2], -1); len(c) > 0 {
			e.camel = c[len(c)-1][1]
		}
		for _, c := range reChild.FindAllStringSubmatch(m[2], -1) {
			if c[1] == "" {
				e.child = c[2]
				break
			}
		}
		e.repeat = strings.Contains(m[2], "listMapperHcl(") || strings.Contains(m[2], "hashMapperHcl(")
		out = append(out, e)
	}
	return out
}

func parseClass(u unit) *class {
	c := &class{unit: u, getters: map[string]string{}, setters: map[string]bool{}, resets: map[string]bool{},
		fields: map[string]field{}, flags: map[string]string{}}
	for _, m := range reGetter.FindAllStringSubmatch(u.body, -1) {
		c.getters[m[1]] = m[2]
	}
	for _, m := range reSetter.FindAllStringSubmatch(u.body, -1) {
		c.setters[m[1]] = true
	}
	for _, m := range reReset.FindAllStringSubmatch(u.body, -1) {
		c.resets[m[1]] = true
	}
	for _, m := range reField.FindAllStringSubmatch(u.body, -1) {
		c.fields[m[1]] = field{class: m[2], name: m[3], set: m[4] == "true"}
	}
	for _, m := range reFlags.FindAllStringSubmatch(u.body, -1) {
		c.flags[m[1]] = m[2] + "," + m[3] + "," + m[4]
	}
	if i := strings.Index(u.body, "synthesizeHclAttributes() {"); i >= 0 {
		c.hcl = parseEntries(u.body[i:])
	}
	c.indexed = reIndexed.MatchString(u.body)
	return c
}

// file is one parsed index.js.
type file struct {
	classes map[string]*class
	funcs   map[string][]entry
}

func (s *Schema) addFile(src string) error {
	f := &file{classes: map[string]*class{}, funcs: map[string][]entry{}}
	for _, u := range splitUnits(src) {
		if u.base == "function" {
			if strings.HasSuffix(u.name, "ToHclTerraform") {
				f.funcs[u.name] = parseEntries(u.body)
			}
			continue
		}
		f.classes[u.name] = parseClass(u)
	}
	for _, m := range reTfType.FindAllStringSubmatch(src, -1) {
		if c := f.classes[m[1]]; c != nil {
			c.tfType = m[2]
		}
	}
	for _, c := range f.classes {
		switch c.base {
		case "TerraformResource", "TerraformDataSource":
			if c.tfType == "" {
				return fmt.Errorf("class %s has no tfResourceType", c.name)
			}
			b, err := f.block(c, c.hcl, false)
			if err != nil {
				return fmt.Errorf("%s: %w", c.tfType, err)
			}
			if a, ok := b.Attributes["id"]; ok && !a.Required {
				a.Optional, a.Computed = true, true
			}
			if a, ok := b.Attributes["tags_all"]; ok && !a.Required {
				a.Computed = true
			}
			if c.base == "TerraformResource" {
				s.Resources[c.tfType] = b
			} else {
				s.DataSources[c.tfType] = b
			}
		case "TerraformProvider":
			b, err := f.block(c, c.hcl, true)
			if err != nil {
				return fmt.Errorf("provider %s: %w", c.name, err)
			}
			s.Provider = b
		}
	}
	return nil
}

// block builds the block whose configurable arguments are entries and whose
// accessors are in c (the resource class or the block's OutputReference).
func (f *file) block(c *class, entries []entry, allOptional bool) (*Block, error) {
	b := &Block{Attributes: map[string]*Attribute{}, BlockTypes: map[string]*BlockType{}}
	configured := map[string]bool{}
	for _, e := range entries {
		configured[e.camel] = true
		required := !allOptional && c != nil && c.required(e)
		if e.isBlock {
			bt, err := f.blockType(e, required)
			if err != nil {
				return nil, err
			}
			b.BlockTypes[e.name] = bt
			continue
		}
		t, err := f.entryType(e)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.name, err)
		}
		a := &Attribute{Type: t, Required: required, Optional: !required}
		if fl, ok := c.flagsOf(e.name); ok && strings.HasPrefix(fl, "true,") && !required {
			a.Computed = true
		}
		b.Attributes[e.name] = a
	}
	if c == nil {
		return b, nil
	}
	// Computed-only attributes: getters with no setter and no input.
	for prop, expr := range c.getters {
		if configured[prop] || c.setters[prop] || strings.HasSuffix(prop, "Input") || prop == "fqn" || prop == "internalValue" {
			continue
		}
		name, t, ok := f.computedType(c, prop, expr)
		if !ok {
			continue
		}
		if _, exists := b.BlockTypes[name]; exists {
			continue
		}
		if _, exists := b.Attributes[name]; exists {
			continue
		}
		b.Attributes[name] = &Attribute{Type: t, Computed: true}
	}
	return b, nil
}

func (c *class) flagsOf(name string) (string, bool) {
	if c == nil {
		return "", false
	}
	fl, ok := c.flags[name]
	return fl, ok
}

// required reports whether the argument of e must be set.
func (c *class) required(e entry) bool {
	if fl, ok := c.flags[e.name]; ok && (e.isBlock || e.typ != "simple") {
		return strings.HasSuffix(fl, ",true")
	}
	if e.camel == "" {
		return false
	}
	reset := strings.ToUpper(e.camel[:1]) + e.camel[1:]
	if e.isBlock {
		return !c.resets[reset] && c.flags[e.name] == "" && strings.Contains(c.body, "put"+reset+"(value)")
	}
	return c.setters[e.camel] && !c.resets[reset]
}

func (f *file) blockType(e entry, required bool) (*BlockType, error) {
	fn, ok := f.funcs[e.child]
	if !ok {
		return nil, fmt.Errorf("block %s: no function %s", e.name, e.child)
	}
	ref := f.classes[structName(e.storage)+"OutputReference"]
	inner, err := f.block(ref, fn, false)
	if err != nil {
		return nil, fmt.Errorf("block %s: %w", e.name, err)
	}
	bt := &BlockType{Block: inner}
	switch e.typ {
	case "list", "set":
		bt.NestingMode = e.typ
		if !e.repeat {
			bt.MaxItems = 1
		}
	case "map":
		bt.NestingMode = "map"
		bt.MaxItems = 0
	case "struct":
		bt.NestingMode = "single"
	default:
		return nil, fmt.Errorf("block %s: unknown nesting %q", e.name, e.typ)
	}
	// Recursive blocks (wafv2 statements, quicksight definitions) are "any"
	// in the bindings; a set block may not hold a dynamic attribute, so such
	// a block is served as a list.
	if bt.NestingMode == "set" && hasDynamic(inner) {
		bt.NestingMode = "list"
	}
	if required && bt.NestingMode != "single" && bt.NestingMode != "map" {
		bt.MinItems = 1
	}
	return bt, nil
}

// structName strips the List / Map / OutputReference suffix from a bindings
// class name.
func structName(cls string) string {
	for _, suf := range []string{"OutputReference", "List", "Map"} {
		if strings.HasSuffix(cls, suf) {
			return strings.TrimSuffix(cls, suf)
		}
	}
	return cls
}

var simpleTypes = map[string]Type{
	"string": String, "number": Number, "boolean": Bool, "any": Dynamic,
}

func (f *file) entryType(e entry) (Type, error) {
	st := e.storage
	var elem func(string) (Type, error)
	elem = func(s string) (Type, error) {
		if t, ok := simpleTypes[s]; ok {
			return t, nil
		}
		for _, suf := range []struct{ suffix, kind string }{{"List", "list"}, {"Map", "map"}} {
			if strings.HasSuffix(s, suf.suffix) {
				inner, err := elem(strings.TrimSuffix(s, suf.suffix))
				if err != nil {
					return Type{}, err
				}
				return Of(suf.kind, inner), nil
			}
		}
		return Type{}, fmt.Errorf("unknown storage class %q", e.storage)
	}
	t, err := elem(st)
	if err != nil {
		return t, err
	}
	switch e.typ {
	case "simple", "map":
		return t, nil
	case "list":
		return t, nil
	case "set":
		if t.Kind == "list" {
			t.Kind = "set"
		}
		return t, nil
	}
	return Type{}, fmt.Errorf("unknown attribute kind %q", e.typ)
}

// computedType names and types the attribute a getter of c returns.
func (f *file) computedType(c *class, prop, expr string) (string, Type, bool) {
	if m := reAttrCall.FindStringSubmatch(expr); m != nil {
		name := m[2]
		set := strings.Contains(expr, "Fn.tolist(")
		var t Type
		switch m[1] {
		case "getStringAttribute":
			t = String
		case "getNumberAttribute":
			t = Number
		case "getBooleanAttribute":
			t = Bool
		case "getListAttribute":
			t = Of("list", String)
		case "getNumberListAttribute":
			t = Of("list", Number)
		case "getBooleanListAttribute":
			t = Of("list", Bool)
		case "getStringMapAttribute":
			t = Of("map", String)
		case "getNumberMapAttribute":
			t = Of("map", Number)
		case "getBooleanMapAttribute":
			t = Of("map", Bool)
		default:
			t = Dynamic
		}
		if set && t.Kind == "list" {
			t.Kind = "set"
		}
		return name, t, true
	}
	if strings.HasPrefix(expr, "this._") {
		fd, ok := c.fields[strings.TrimPrefix(expr, "this._")]
		if !ok {
			return "", Type{}, false
		}
		return fd.name, f.objectType(fd, 0), true
	}
	return "", Type{}, false
}

// objectType is the type of a computed complex field: a list, set or map of
// objects, or one object, whose attributes are its OutputReference's getters.
func (f *file) objectType(fd field, depth int) Type {
	ref := f.classes[structName(fd.class)+"OutputReference"]
	if ref == nil || depth > 8 {
		return Dynamic
	}
	obj := Type{Kind: "object", Attr: map[string]Type{}}
	for prop, expr := range ref.getters {
		if strings.HasSuffix(prop, "Input") || prop == "internalValue" {
			continue
		}
		if strings.HasPrefix(expr, "this._") {
			if sub, ok := ref.fields[strings.TrimPrefix(expr, "this._")]; ok {
				obj.Attr[sub.name] = f.objectType(sub, depth+1)
			}
			continue
		}
		if name, t, ok := f.computedType(ref, prop, expr); ok {
			obj.Attr[name] = t
		}
	}
	switch {
	case strings.HasSuffix(fd.class, "Map"):
		return Of("map", obj)
	case strings.HasSuffix(fd.class, "List"):
		if fd.set {
			return Of("set", obj)
		}
		return Of("list", obj)
	case ref.indexed:
		return Of("list", obj)
	}
	return obj
}

func hasDynamic(b *Block) bool {
	for _, a := range b.Attributes {
		if a.Type.Kind == "dynamic" {
			return true
		}
	}
	for _, bt := range b.BlockTypes {
		if hasDynamic(bt.Block) {
			return true
		}
	}
	return false
}
