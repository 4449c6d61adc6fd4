// Command terraform-provider-aws is a schema-only stand-in for the AWS
// provider, for `make tf-check`. The real provider binary cannot be
// downloaded here; this one answers GetProviderSchema with the schema that
// cmd/awsschema derived from @cdktf/provider-aws (generated from the real
// provider), so that `tofu validate` rejects a misspelt or missing argument,
// a wrong block and a reference to an attribute that does not exist, and
// `tofu test` can mock it (mock_provider "aws"). It refuses to plan, apply or
// read anything.
//
// tofu starts it through a dev_overrides entry of the CLI configuration that
// tools/ops.sh writes. The schema is read from aws-schema.json beside the
// binary, or from $CLASSMATE_AWS_SCHEMA.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tfprotov5/tf5server"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"classmate/tools/tfschema"
)

func main() {
	if err := tf5server.Serve("registry.opentofu.org/hashicorp/aws", func() tfprotov5.ProviderServer {
		return &provider{}
	}); err != nil {
		fmt.Fprintln(os.Stderr, "terraform-provider-aws (schema only):", err)
		os.Exit(1)
	}
}

func schemaPath() string {
	if p := os.Getenv("CLASSMATE_AWS_SCHEMA"); p != "" {
		return p
	}
	exe, err := os.Executable()
	if err != nil {
		return "aws-schema.json"
	}
	return filepath.Join(filepath.Dir(exe), "aws-schema.json")
}

// provider implements the protocol calls tofu makes while validating and
// testing with mocks (state upgrades and reads pass the state through); the embedded interface is nil, so any other call
// panics, which tofu reports as a provider crash.
type provider struct {
	tfprotov5.ProviderServer
	schema *tfprotov5.GetProviderSchemaResponse
}

func (p *provider) load() (*tfprotov5.GetProviderSchemaResponse, error) {
	if p.schema != nil {
		return p.schema, nil
	}
	b, err := os.ReadFile(schemaPath())
	if err != nil {
		return nil, err
	}
	var s tfschema.Schema
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", schemaPath(), err)
	}
	resp := &tfprotov5.GetProviderSchemaResponse{
		ServerCapabilities:       &tfprotov5.ServerCapabilities{GetProviderSchemaOptional: false},
		Provider:                 &tfprotov5.Schema{Block: block(s.Provider)},
		ResourceSchemas:          map[string]*tfprotov5.Schema{},
		DataSourceSchemas:        map[string]*tfprotov5.Schema{},
		Functions:                map[string]*tfprotov5.Function{},
		EphemeralResourceSchemas: map[string]*tfprotov5.Schema{},
	}
	for name, b := range s.Resources {
		resp.ResourceSchemas[name] = &tfprotov5.Schema{Block: block(b)}
	}
	for name, b := range s.DataSources {
		resp.DataSourceSchemas[name] = &tfprotov5.Schema{Block: block(b)}
	}
	p.schema = resp
	return resp, nil
}

func block(b *tfschema.Block) *tfprotov5.SchemaBlock {
	out := &tfprotov5.SchemaBlock{}
	if b == nil {
		return out
	}
	for _, name := range sortedKeys(b.Attributes) {
		a := b.Attributes[name]
		out.Attributes = append(out.Attributes, &tfprotov5.SchemaAttribute{
			Name: name, Type: ctyType(a.Type), Required: a.Required, Optional: a.Optional, Computed: a.Computed,
		})
	}
	for _, name := range sortedKeys(b.BlockTypes) {
		bt := b.BlockTypes[name]
		mode := map[string]tfprotov5.SchemaNestedBlockNestingMode{
			"list": tfprotov5.SchemaNestedBlockNestingModeList, "set": tfprotov5.SchemaNestedBlockNestingModeSet,
			"map": tfprotov5.SchemaNestedBlockNestingModeMap, "single": tfprotov5.SchemaNestedBlockNestingModeSingle,
		}[bt.NestingMode]
		out.BlockTypes = append(out.BlockTypes, &tfprotov5.SchemaNestedBlock{
			TypeName: name, Block: block(bt.Block), Nesting: mode,
			MinItems: int64(bt.MinItems), MaxItems: int64(bt.MaxItems),
		})
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func ctyType(t tfschema.Type) tftypes.Type {
	switch t.Kind {
	case "string":
		return tftypes.String
	case "number":
		return tftypes.Number
	case "bool":
		return tftypes.Bool
	case "list":
		return tftypes.List{ElementType: ctyType(*t.Elem)}
	case "set":
		return tftypes.Set{ElementType: ctyType(*t.Elem)}
	case "map":
		return tftypes.Map{ElementType: ctyType(*t.Elem)}
	case "object":
		attrs := map[string]tftypes.Type{}
		for k, v := range t.Attr {
			attrs[k] = ctyType(v)
		}
		return tftypes.Object{AttributeTypes: attrs}
	}
	return tftypes.DynamicPseudoType
}

func errDiag(summary string, err error) []*tfprotov5.Diagnostic {
	return []*tfprotov5.Diagnostic{{Severity: tfprotov5.DiagnosticSeverityError, Summary: summary, Detail: err.Error()}}
}

var errSchemaOnly = fmt.Errorf("this is the schema-only AWS provider of make tf-check: it validates configuration and serves mock_provider tests, and cannot plan, apply or read real infrastructure")

// GetMetadata lists the resource and data source types.
func (p *provider) GetMetadata(context.Context, *tfprotov5.GetMetadataRequest) (*tfprotov5.GetMetadataResponse, error) {
	s, err := p.load()
	if err != nil {
		return &tfprotov5.GetMetadataResponse{Diagnostics: errDiag("cannot read the AWS schema", err)}, nil
	}
	resp := &tfprotov5.GetMetadataResponse{ServerCapabilities: s.ServerCapabilities}
	for _, name := range sortedKeys(s.ResourceSchemas) {
		resp.Resources = append(resp.Resources, tfprotov5.ResourceMetadata{TypeName: name})
	}
	for _, name := range sortedKeys(s.DataSourceSchemas) {
		resp.DataSources = append(resp.DataSources, tfprotov5.DataSourceMetadata{TypeName: name})
	}
	return resp, nil
}

// GetProviderSchema serves the derived schema.
func (p *provider) GetProviderSchema(context.Context, *tfprotov5.GetProviderSchemaRequest) (*tfprotov5.GetProviderSchemaResponse, error) {
	s, err := p.load()
	if err != nil {
		return &tfprotov5.GetProviderSchemaResponse{Diagnostics: errDiag("cannot read the AWS schema", err)}, nil
	}
	return s, nil
}

// GetResourceIdentitySchemas declares no resource identities.
func (p *provider) GetResourceIdentitySchemas(context.Context, *tfprotov5.GetResourceIdentitySchemasRequest) (*tfprotov5.GetResourceIdentitySchemasResponse, error) {
	return &tfprotov5.GetResourceIdentitySchemasResponse{IdentitySchemas: map[string]*tfprotov5.ResourceIdentitySchema{}}, nil
}

// GetFunctions declares no provider functions.
func (p *provider) GetFunctions(context.Context, *tfprotov5.GetFunctionsRequest) (*tfprotov5.GetFunctionsResponse, error) {
	return &tfprotov5.GetFunctionsResponse{Functions: map[string]*tfprotov5.Function{}}, nil
}

// PrepareProviderConfig accepts the configuration as it is.
func (p *provider) PrepareProviderConfig(_ context.Context, req *tfprotov5.PrepareProviderConfigRequest) (*tfprotov5.PrepareProviderConfigResponse, error) {
	return &tfprotov5.PrepareProviderConfigResponse{PreparedConfig: req.Config}, nil
}

// ValidateResourceTypeConfig has nothing to add to tofu's schema checks.
func (p *provider) ValidateResourceTypeConfig(context.Context, *tfprotov5.ValidateResourceTypeConfigRequest) (*tfprotov5.ValidateResourceTypeConfigResponse, error) {
	return &tfprotov5.ValidateResourceTypeConfigResponse{}, nil
}

// ValidateDataSourceConfig has nothing to add to tofu's schema checks.
func (p *provider) ValidateDataSourceConfig(context.Context, *tfprotov5.ValidateDataSourceConfigRequest) (*tfprotov5.ValidateDataSourceConfigResponse, error) {
	return &tfprotov5.ValidateDataSourceConfigResponse{}, nil
}

// ValidateEphemeralResourceConfig has nothing to add.
func (p *provider) ValidateEphemeralResourceConfig(context.Context, *tfprotov5.ValidateEphemeralResourceConfigRequest) (*tfprotov5.ValidateEphemeralResourceConfigResponse, error) {
	return &tfprotov5.ValidateEphemeralResourceConfigResponse{}, nil
}

// ConfigureProvider refuses: a real run needs the real provider.
func (p *provider) ConfigureProvider(context.Context, *tfprotov5.ConfigureProviderRequest) (*tfprotov5.ConfigureProviderResponse, error) {
	return &tfprotov5.ConfigureProviderResponse{Diagnostics: errDiag("schema-only provider", errSchemaOnly)}, nil
}

// StopProvider has nothing to stop.
func (p *provider) StopProvider(context.Context, *tfprotov5.StopProviderRequest) (*tfprotov5.StopProviderResponse, error) {
	return &tfprotov5.StopProviderResponse{}, nil
}

// UpgradeResourceState hands the stored state back unchanged, so that the
// runs of a tofu test file can share state under mock_provider.
func (p *provider) UpgradeResourceState(_ context.Context, req *tfprotov5.UpgradeResourceStateRequest) (*tfprotov5.UpgradeResourceStateResponse, error) {
	s, err := p.load()
	if err != nil {
		return &tfprotov5.UpgradeResourceStateResponse{Diagnostics: errDiag("cannot read the AWS schema", err)}, nil
	}
	rs, ok := s.ResourceSchemas[req.TypeName]
	if !ok || req.RawState == nil {
		return &tfprotov5.UpgradeResourceStateResponse{Diagnostics: errDiag("unknown resource type", fmt.Errorf("%s", req.TypeName))}, nil
	}
	typ := rs.ValueType()
	v, err := req.RawState.UnmarshalWithOpts(typ, tfprotov5.UnmarshalOpts{ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true}})
	if err != nil {
		return &tfprotov5.UpgradeResourceStateResponse{Diagnostics: errDiag("cannot read the stored state", err)}, nil
	}
	dv, err := tfprotov5.NewDynamicValue(typ, v)
	if err != nil {
		return &tfprotov5.UpgradeResourceStateResponse{Diagnostics: errDiag("cannot encode the state", err)}, nil
	}
	return &tfprotov5.UpgradeResourceStateResponse{UpgradedState: &dv}, nil
}

// PlanResourceChange refuses.
func (p *provider) PlanResourceChange(context.Context, *tfprotov5.PlanResourceChangeRequest) (*tfprotov5.PlanResourceChangeResponse, error) {
	return &tfprotov5.PlanResourceChangeResponse{Diagnostics: errDiag("schema-only provider", errSchemaOnly)}, nil
}

// ApplyResourceChange refuses.
func (p *provider) ApplyResourceChange(context.Context, *tfprotov5.ApplyResourceChangeRequest) (*tfprotov5.ApplyResourceChangeResponse, error) {
	return &tfprotov5.ApplyResourceChangeResponse{Diagnostics: errDiag("schema-only provider", errSchemaOnly)}, nil
}

// ReadResource reports the state as it is (nothing real to read).
func (p *provider) ReadResource(_ context.Context, req *tfprotov5.ReadResourceRequest) (*tfprotov5.ReadResourceResponse, error) {
	return &tfprotov5.ReadResourceResponse{NewState: req.CurrentState, Private: req.Private}, nil
}

// ReadDataSource refuses.
func (p *provider) ReadDataSource(context.Context, *tfprotov5.ReadDataSourceRequest) (*tfprotov5.ReadDataSourceResponse, error) {
	return &tfprotov5.ReadDataSourceResponse{Diagnostics: errDiag("schema-only provider", errSchemaOnly)}, nil
}

// ImportResourceState refuses.
func (p *provider) ImportResourceState(context.Context, *tfprotov5.ImportResourceStateRequest) (*tfprotov5.ImportResourceStateResponse, error) {
	return &tfprotov5.ImportResourceStateResponse{Diagnostics: errDiag("schema-only provider", errSchemaOnly)}, nil
}
