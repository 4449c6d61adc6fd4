// Command awsschema derives the AWS provider's schema from the npm package
// @cdktf/provider-aws and writes it as JSON, for the schema-only provider
// that `make tf-check` hands to tofu.
//
// Usage: awsschema -tgz cdktf-provider-aws-21.22.1.tgz -out aws-schema.json
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"classmate/tools/tfschema"
)

func main() {
	tgz := flag.String("tgz", "", "the @cdktf/provider-aws npm tarball")
	out := flag.String("out", "", "where to write the schema JSON")
	flag.Parse()
	if *tgz == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*tgz, *out); err != nil {
		fmt.Fprintln(os.Stderr, "awsschema:", err)
		os.Exit(1)
	}
}

func run(tgz, out string) error {
	s, err := tfschema.Extract(tgz)
	if err != nil {
		return err
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	// Write then rename, so that a cached schema is never half written.
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, out); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "awsschema: %d resources, %d data sources from %s\n", len(s.Resources), len(s.DataSources), s.Source)
	return nil
}
