#!/usr/bin/env bash
# ops.sh builds the operations checks' tools and runs the checks. The tools
# are built from the Go module proxy and the npm registry and cached under
# ${XDG_CACHE_HOME:-$HOME/.cache}/classmate (never in the repository), so a
# fresh clone with a warm cache runs every check in about a minute.
#
# Usage: tools/ops.sh COMMAND
#
#   tools          build (or find in the cache) every tool below, in parallel
#   tf-check       the schema extractor's tests; tofu fmt -check; tofu
#                  validate of terraform/envs/* against the AWS provider's
#                  schema; tofu test with mock_provider "aws"; tflint
#   compose-check  docker compose config (the real Compose, no engine); the
#                  Dockerfile's go build lines; tools/cmd/composecheck
#   prom-check     promtool check config, check rules, test rules
#   ci-check       actionlint of .github/workflows
#   ops-check      tools, then the four checks (what make test runs)
#   env            print the paths of the cached tools
#
# Tools and versions:
#   OpenTofu      github.com/opentofu/opentofu        (go build ./cmd/tofu in the module folder:
#                                                      go install fails on its replace directives)
#   tflint        github.com/terraform-linters/tflint (go install)
#   Compose       github.com/docker/compose/v2        (go build ./cmd in the module folder)
#   promtool      github.com/prometheus/prometheus    (go build ./cmd/promtool in the module folder)
#   actionlint    github.com/rhysd/actionlint         (go install)
#   AWS schema    npm @cdktf/provider-aws 21.22.1 (generated from hashicorp/aws 6.25.0),
#                 turned into a provider schema by tools/cmd/awsschema and
#                 served to tofu (dev_overrides) by the schema-only
#                 tools/cmd/terraform-provider-aws
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/classmate"
BIN="$CACHE/bin"

TOFU_VERSION=v1.10.10
TFLINT_VERSION=v0.64.0
COMPOSE_VERSION=v2.40.3
PROMETHEUS_VERSION=v0.316.0
ACTIONLINT_VERSION=v1.7.12
CDKTF_AWS_VERSION=21.22.1 # generated from hashicorp/aws 6.25.0

TOFU="$BIN/tofu-$TOFU_VERSION"
TFLINT="$BIN/tflint-$TFLINT_VERSION"
COMPOSE="$BIN/docker-compose-$COMPOSE_VERSION"
PROMTOOL="$BIN/promtool-$PROMETHEUS_VERSION"
ACTIONLINT="$BIN/actionlint-$ACTIONLINT_VERSION"
PROVIDER_DIR="$CACHE/tf/provider"

GO="${GO:-go}"
export GOTOOLCHAIN=local
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"

log() { printf 'ops: %s\n' "$*" >&2; }
die() {
	printf 'ops: error: %s\n' "$*" >&2
	exit 1
}

# module_dir downloads module@version into Go's module cache and prints its
# folder.
module_dir() {
	local dir
	dir="$("$GO" mod download -json "$1@$2" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
	[[ -n $dir && -d $dir ]] || die "go mod download $1@$2 gave no folder"
	printf '%s\n' "$dir"
}

# build_in_module builds package pkg of module@version inside the module's
# own folder, with its own go.mod (replace directives and all), to out.
build_in_module() {
	local module=$1 version=$2 pkg=$3 out=$4 dir start
	[[ -x $out ]] && return 0
	start=$SECONDS
	log "building $pkg of $module@$version (cold cache: a few minutes)"
	dir="$(module_dir "$module" "$version")"
	mkdir -p "$(dirname "$out")"
	(cd "$dir" && GOWORK=off "$GO" build -trimpath -o "$out.tmp" "$pkg")
	mv "$out.tmp" "$out"
	log "built $(basename "$out") in $((SECONDS - start))s"
}

build_tofu() {
	build_in_module github.com/opentofu/opentofu "$TOFU_VERSION" ./cmd/tofu "$TOFU"
}

build_compose() {
	build_in_module github.com/docker/compose/v2 "$COMPOSE_VERSION" ./cmd "$COMPOSE"
}

build_promtool() {
	build_in_module github.com/prometheus/prometheus "$PROMETHEUS_VERSION" ./cmd/promtool "$PROMTOOL"
}

# go_install installs module/cmd@version as out.
go_install() {
	local pkg=$1 version=$2 out=$3 tmp start=$SECONDS
	[[ -x $out ]] && return 0
	log "installing $pkg@$version"
	tmp="$(mktemp -d)"
	GOBIN="$tmp" "$GO" install "$pkg@$version"
	mkdir -p "$BIN"
	mv "$tmp/$(basename "$pkg")" "$out"
	rmdir "$tmp"
	log "installed $(basename "$out") in $((SECONDS - start))s"
}

build_tflint() {
	go_install github.com/terraform-linters/tflint "$TFLINT_VERSION" "$TFLINT"
}

build_actionlint() {
	go_install github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION" "$ACTIONLINT"
}

# build_provider builds the schema-only AWS provider (quick with a warm Go
# build cache) and puts the derived schema beside it. The schema is cached
# by the extractor's source hash and the npm package version.
build_provider() {
	local tgz="$CACHE/npm/cdktf-provider-aws-$CDKTF_AWS_VERSION.tgz" hash schema
	if [[ ! -s $tgz ]]; then
		log "fetching @cdktf/provider-aws@$CDKTF_AWS_VERSION from npm"
		mkdir -p "$CACHE/npm"
		(cd "$CACHE/npm" && npm pack --silent "@cdktf/provider-aws@$CDKTF_AWS_VERSION" >/dev/null)
		[[ -s $tgz ]] || die "npm pack did not produce $tgz"
	fi
	mkdir -p "$PROVIDER_DIR"
	"$GO" build -C "$ROOT/tools" -o "$PROVIDER_DIR/terraform-provider-aws" ./cmd/terraform-provider-aws
	hash="$(find "$ROOT/tools/tfschema" "$ROOT/tools/cmd/awsschema" -name "*.go" ! -name "*_test.go" -print0 | sort -z | xargs -0 cat | sha256sum | cut -c1-16)"
	schema="$CACHE/tf/aws-schema-$CDKTF_AWS_VERSION-$hash.json"
	if [[ ! -s $schema ]]; then
		log "deriving the AWS provider schema from @cdktf/provider-aws@$CDKTF_AWS_VERSION"
		"$GO" run -C "$ROOT/tools" ./cmd/awsschema -tgz "$tgz" -out "$schema"
	fi
	cp "$schema" "$PROVIDER_DIR/aws-schema.json"
	# tofu finds the provider through dev_overrides; no registry is asked.
	cat >"$CACHE/tf/tofurc" <<EOF
# Generated by tools/ops.sh: the schema-only AWS provider of make tf-check.
provider_installation {
  dev_overrides {
    "hashicorp/aws" = "$PROVIDER_DIR"
  }
  direct {}
}
EOF
}

# tools builds every tool, the independent builds in parallel: on a cold
# cache most of the time is downloading and compiling, which overlap.
tools() {
	local pids=() names=() i rc=0 logs
	logs="$(mktemp -d)"
	build_provider # needs npm and a quick go build; first, so its output reads well
	for step in build_tofu build_tflint build_compose build_promtool build_actionlint; do
		"$step" >"$logs/$step.log" 2>&1 &
		pids+=($!)
		names+=("$step")
	done
	for i in "${!pids[@]}"; do
		if ! wait "${pids[$i]}"; then
			rc=1
			log "${names[$i]} failed:"
			cat "$logs/${names[$i]}.log" >&2
		else
			grep -v '^go: downloading' "$logs/${names[$i]}.log" >&2 || true
		fi
	done
	rm -rf "$logs"
	return "$rc"
}

# quiet_overrides drops tofu's warning that dev_overrides are in effect
# (they are, on purpose) and keeps everything else.
quiet_overrides() {
	awk '
		/Warning: Provider development overrides are in effect/ { skip = 1 }
		skip && /(releases\.|may error unexpectedly\.)$/ { skip = 0; next }
		!skip && NF { print }
	'
}

# check_user_data renders terraform/modules/<module>/user_data.sh.tftpl with
# the given variables (an HCL object) and checks the result with bash -n.
check_user_data() {
	local module=$1 vars=$2 out
	out="$(mktemp)"
	if ! printf 'templatefile("%s", %s)\n' "$ROOT/terraform/modules/$module/user_data.sh.tftpl" "$vars" |
		(mkdir -p "$CACHE/tf/console" && cd "$CACHE/tf/console" && "$TOFU" console 2>"$out.err") | sed '1{/^<<EOT$/d}; ${/^EOT$/d}' >"$out" ||
		! bash -n "$out"; then
		cat "$out" "$out.err" >&2
		rm -f "$out" "$out.err"
		die "modules/$module/user_data.sh.tftpl does not render to valid bash"
	fi
	rm -f "$out" "$out.err"
}

tf_check() {
	build_tofu
	build_tflint
	build_provider
	log "go test ./... of the tools module (the schema extractor)"
	"$GO" test -C "$ROOT/tools" -short -count=1 ./... | grep -v 'no test files'
	export TF_CLI_CONFIG_FILE="$CACHE/tf/tofurc"
	export TF_IN_AUTOMATION=1
	export CHECKPOINT_DISABLE=1
	local tf="$ROOT/terraform" root name

	log "tofu fmt -check -recursive terraform/"
	"$TOFU" fmt -check -recursive -diff "$tf" || die "tofu fmt: run \`$TOFU fmt -recursive terraform\`"

	for root in "$tf"/envs/*/; do
		root="${root%/}"
		name="$(basename "$root")"
		# Working data (.terraform) lives in the cache, not the repository.
		export TF_DATA_DIR="$CACHE/tf/data/$name"
		log "tofu get + validate + test: terraform/envs/$name"
		# `tofu get` installs the local modules; with the provider under
		# dev_overrides, `tofu init` is neither needed nor possible (it
		# would ask the registry about hashicorp/aws).
		"$TOFU" -chdir="$root" get -no-color >"$CACHE/tf/get-$name.log" 2>&1 ||
			{ cat "$CACHE/tf/get-$name.log" >&2; die "tofu get failed in terraform/envs/$name"; }
		"$TOFU" -chdir="$root" validate -no-color 2>&1 | quiet_overrides
		if ! "$TOFU" -chdir="$root" test -no-color 2>&1 | quiet_overrides | grep -v '^  - '; then
			rm -f "$root/errored_test.tfstate"
			die "tofu test failed in terraform/envs/$name"
		fi
	done
	unset TF_DATA_DIR

	# The user data templates render to valid bash (sample values).
	log "bash -n of the rendered user data templates"
	check_user_data service \
		'{service = "core", version = "v0.0.0", bucket = "b", prefix = "classmate", arch = "arm64", env = {CLASSMATE_ENV = "production", CLASSMATE_MYSQL_DSN = "u:{{mysql_password}}@tcp(h:3306)/d"}, secrets = {mysql_password = "/p/mysql-password"}}'
	check_user_data search \
		'{es_version = "8.19.7", cluster = "c", node_name = "c-es-0", initial_masters = "\"c-es-0\""}'

	log "tflint --recursive terraform/"
	"$TFLINT" --chdir="$tf" --recursive --config="$tf/.tflint.hcl" --no-color
	log "tf-check passed"
}

compose_check() {
	build_compose
	log "docker compose config (Compose $COMPOSE_VERSION)"
	# config resolves and validates the whole model against the compose
	# specification without a Docker engine.
	(cd "$ROOT" && DOCKER_HOST=unix:///nonexistent "$COMPOSE" --project-directory "$ROOT" -f docker-compose.yml config --quiet)

	# The image's binaries: run the Dockerfile's own `go build` lines (static,
	# CGO_ENABLED=0) into a temporary folder, so that a command the compose
	# file runs but the image lacks, or a build the Dockerfile cannot do,
	# fails here.
	local bins lines line
	bins="$(mktemp -d)"
	trap 'rm -rf "$bins"' RETURN
	lines="$(grep -o 'go build [^&\\]*' "$ROOT/Dockerfile")" || die "no go build line in the Dockerfile"
	log "building the image's binaries as the Dockerfile does"
	while IFS= read -r line; do
		line="${line//\/out\//$bins/}"
		(cd "$ROOT" && eval "CGO_ENABLED=0 $GO ${line#go }")
	done <<<"$lines"
	for b in "$bins"/*; do
		if ! file "$b" 2>/dev/null | grep -q 'statically linked' && command -v file >/dev/null; then
			die "$(basename "$b") is not statically linked"
		fi
	done

	# Then what the specification does not say: files exist, health checks
	# everywhere, start order consistent, no port published twice, commands
	# the image has.
	(cd "$ROOT" && DOCKER_HOST=unix:///nonexistent "$COMPOSE" --project-directory "$ROOT" -f docker-compose.yml config --format json) |
		"$GO" run -C "$ROOT/tools" ./cmd/composecheck -root "$ROOT" -binaries "$bins"
	log "compose-check passed"
}

prom_check() {
	build_promtool
	log "promtool check config / rules"
	"$PROMTOOL" check config --syntax-only "$ROOT/infra/prometheus/prometheus.yml"
	"$PROMTOOL" check rules "$ROOT"/infra/prometheus/rules/*.yml
	if compgen -G "$ROOT/infra/prometheus/tests/*.yml" >/dev/null; then
		(cd "$ROOT/infra/prometheus/tests" && "$PROMTOOL" test rules ./*.yml)
	fi
	log "prom-check passed"
}

ci_check() {
	build_actionlint
	log "actionlint .github/workflows/*.yml"
	(cd "$ROOT" && "$ACTIONLINT" -no-color .github/workflows/*.yml)
	log "ci-check passed"
}

case "${1:-}" in
tools) tools ;;
tf-check) tf_check ;;
compose-check) compose_check ;;
prom-check) prom_check ;;
ci-check) ci_check ;;
ops-check)
	tools
	tf_check
	compose_check
	prom_check
	ci_check
	;;
env)
	printf 'TOFU=%s\nTFLINT=%s\nCOMPOSE=%s\nPROMTOOL=%s\nACTIONLINT=%s\nTF_CLI_CONFIG_FILE=%s\n' \
		"$TOFU" "$TFLINT" "$COMPOSE" "$PROMTOOL" "$ACTIONLINT" "$CACHE/tf/tofurc"
	;;
*)
	sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
	exit 2
	;;
esac
