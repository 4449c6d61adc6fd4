#!/usr/bin/env bash
# elasticsearch.sh runs a single-node Elasticsearch for classmate's tests and
# for running the core with CLASSMATE_ES_URL, as a plain process bound to
# 127.0.0.1, like scripts/stack.sh runs MariaDB and Redis.
#
# Usage: scripts/elasticsearch.sh [up|down|status|env]
#
#   up      download (once), install and start Elasticsearch unless it runs,
#           then wait until it answers (the default). Cheap when it is up.
#   down    stop it.
#   status  print its state; exits 3 when it is not running.
#   env     print `export CLASSMATE_ES_URL=…` when it answers, else nothing.
#
# Where it comes from: the only runnable Elasticsearch on Maven Central is
# the integ-test-zip distribution,
#   org.elasticsearch.distribution.integ-test-zip:elasticsearch:<version>:zip
# fetched with `mvn dependency:copy` (plain curl from Maven Central when mvn
# is missing) into ${XDG_CACHE_HOME:-$HOME/.cache}/classmate, outside the
# repository so that fresh clones reuse it. That distribution lacks the
# analysis-common module and the analysis-nori plugin, and Maven Central has
# no analysis-nori plugin zip for 8.x (org.elasticsearch.plugin:analysis-nori
# stops at 5.0.0-alpha5). So the script builds a small plugin,
# scripts/elasticsearch/ClassmateAnalysisPlugin.java, against the
# distribution's own jars and Lucene's Korean analyzer
# (org.apache.lucene:lucene-analysis-nori, the jar inside the real
# analysis-nori plugin, also from Maven Central), and installs it with
# `elasticsearch-plugin install file://…`. It registers nori_tokenizer,
# nori_part_of_speech, edge_ngram, ngram, keyword and whitespace.
#
# Runtime state (the unpacked distribution, config, data, logs) lives in
# $ROOT/.data/elasticsearch, or, run as root from a directory other users
# cannot pass through, in /var/lib/classmate-es/<hash of the path>. Elasticsearch refuses to run as root: as root
# the script creates the system user classmate-es and runs it as that user.
#
# Environment: CLASSMATE_ES_VERSION (8.19.7, matching go-elasticsearch v8),
# CLASSMATE_STACK_ES_PORT (9201; transport on port + 100),
# CLASSMATE_ES_HEAP (512m), CLASSMATE_STACK_WAIT_SECONDS (120).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION="${CLASSMATE_ES_VERSION:-8.19.7}"
PORT="${CLASSMATE_STACK_ES_PORT:-9201}"
TRANSPORT_PORT="$((PORT + 100))"
HEAP="${CLASSMATE_ES_HEAP:-512m}"
WAIT_SECONDS="${CLASSMATE_STACK_WAIT_SECONDS:-120}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/classmate"
RUN="$ROOT/.data/elasticsearch"
# searchable_by_others reports whether every directory from / down to $1
# lets other users through (mode o+x), as the Elasticsearch user needs.
searchable_by_others() {
	local d="$1"
	while [[ -n $d && $d != / ]]; do
		[[ $(stat -c %A "$d") == *x ]] || return 1
		d="$(dirname "$d")"
	done
}
# As root, a repository the Elasticsearch user cannot reach (a clone under
# `mktemp -d`, mode 700) keeps its Elasticsearch state in a directory of its
# own under /var/lib instead, named after the repository's path.
if [[ $(id -u) -eq 0 ]] && ! searchable_by_others "$ROOT"; then
	RUN="/var/lib/classmate-es/$(printf '%s' "$ROOT" | sha256sum | cut -c1-16)"
fi
PLUGIN_SRC="$ROOT/scripts/elasticsearch/ClassmateAnalysisPlugin.java"
CENTRAL="https://repo.maven.apache.org/maven2"
ES_USER=classmate-es
URL="http://127.0.0.1:$PORT"

log() { printf 'elasticsearch: %s\n' "$*" >&2; }
die() {
	printf 'elasticsearch: error: %s\n' "$*" >&2
	exit 1
}

# as_es runs a command as the user Elasticsearch runs as.
as_es() {
	if [[ $(id -u) -eq 0 ]]; then
		setpriv --reuid="$ES_USER" --regid="$ES_USER" --init-groups -- "$@"
	else
		"$@"
	fi
}

ensure_tools() {
	local missing=()
	command -v java >/dev/null 2>&1 && command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
	command -v unzip >/dev/null 2>&1 || missing+=(unzip)
	command -v curl >/dev/null 2>&1 || missing+=(curl)
	if ((${#missing[@]})); then
		[[ $(id -u) -eq 0 ]] || die "missing ${missing[*]}; install them"
		log "installing ${missing[*]} with apt-get"
		DEBIAN_FRONTEND=noninteractive apt-get update -q
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
	fi
	JAVA_HOME_DIR="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
	if [[ $(id -u) -eq 0 ]] && ! id "$ES_USER" >/dev/null 2>&1; then
		log "creating the system user $ES_USER (Elasticsearch refuses to run as root)"
		useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$ES_USER"
	fi
}

# fetch copies group:artifact:version[:type] from Maven Central into $CACHE
# and prints the file's path.
fetch() {
	local coords=$1 file=$2 group artifact version path out
	IFS=: read -r group artifact version _ <<<"$coords"
	mkdir -p "$CACHE"
	if [[ ! -s $CACHE/$file ]]; then
		log "fetching $coords from Maven Central"
		if command -v mvn >/dev/null 2>&1; then
			if ! out="$(mvn -B -q -Dstyle.color=never dependency:copy -Dartifact="$coords" \
				-DoutputDirectory="$CACHE" -Dmdep.overWriteIfNewer=true 2>&1)"; then
				printf '%s\n' "$out" >&2
				die "mvn dependency:copy -Dartifact=$coords failed"
			fi
		else
			path="${group//.//}/$artifact/$version/$file"
			curl -fsSL --retry 3 -o "$CACHE/$file.part" "$CENTRAL/$path" || die "download $CENTRAL/$path failed"
			[[ $(curl -fsSL "$CENTRAL/$path.sha1" | cut -c1-40) == $(sha1sum "$CACHE/$file.part" | cut -c1-40) ]] ||
				die "checksum of $file does not match Maven Central's"
			mv "$CACHE/$file.part" "$CACHE/$file"
		fi
	fi
	[[ -s $CACHE/$file ]] || die "$file is not in $CACHE after the download"
	printf '%s\n' "$CACHE/$file"
}

# build_plugin compiles the analysis plugin against the distribution's jars
# and prints the path of its zip, cached by source and version.
build_plugin() {
	local home=$1 nori sum zip work
	nori="$(fetch "org.apache.lucene:lucene-analysis-nori:$(lucene_version "$home")" \
		"lucene-analysis-nori-$(lucene_version "$home").jar")"
	sum="$(cat "$PLUGIN_SRC" "$nori" | sha256sum | cut -c1-12)"
	zip="$CACHE/classmate-analysis-$VERSION-$sum.zip"
	if [[ ! -s $zip ]]; then
		log "building the analysis plugin (nori, n-grams) for $VERSION"
		work="$(mktemp -d)"
		mkdir -p "$work/classes" "$work/zip"
		javac --release 17 -nowarn -d "$work/classes" -cp "$home/lib/*:$nori" "$PLUGIN_SRC" >&2
		jar --create --file "$work/zip/classmate-analysis.jar" -C "$work/classes" .
		cp "$nori" "$work/zip/"
		cat >"$work/zip/plugin-descriptor.properties" <<EOF
description=classmate test analysis: Lucene's Korean (nori) tokenizer and n-gram filters
version=$VERSION
name=classmate-analysis
classname=classmate.es.ClassmateAnalysisPlugin
java.version=17
elasticsearch.version=$VERSION
EOF
		jar --create --no-manifest --file "$zip.part" -C "$work/zip" .
		mv "$zip.part" "$zip"
		rm -rf "$work"
	fi
	printf '%s\n' "$zip"
}

# lucene_version prints the Lucene version the distribution ships.
lucene_version() {
	local jar
	jar="$(ls "$1"/lib/lucene-core-*.jar)"
	jar="${jar##*/lucene-core-}"
	printf '%s\n' "${jar%.jar}"
}

# install unpacks the distribution into $RUN/home and installs the plugin,
# unless the same version and plugin are there already.
install() {
	local dist home="$RUN/home" plugin marker
	dist="$(fetch "org.elasticsearch.distribution.integ-test-zip:elasticsearch:$VERSION:zip" "elasticsearch-$VERSION.zip")"
	marker="$home/.classmate-installed"
	if [[ ! -f $marker || $(head -n 1 "$marker") != "$VERSION" ]]; then
		log "unpacking Elasticsearch $VERSION into $home"
		rm -rf "$home" "$RUN/home.part"
		mkdir -p "$RUN/home.part"
		unzip -q "$dist" -d "$RUN/home.part"
		mv "$RUN/home.part/elasticsearch-$VERSION" "$home"
		rm -rf "$RUN/home.part"
		echo "$VERSION" >"$marker"
	fi
	plugin="$(build_plugin "$home")"
	if [[ $(sed -n 2p "$marker") != "$plugin" ]]; then
		log "installing $(basename "$plugin")"
		rm -rf "$home/plugins/classmate-analysis"
		ES_JAVA_HOME="$JAVA_HOME_DIR" "$home/bin/elasticsearch-plugin" install --batch --silent "file://$plugin" >&2 ||
			die "elasticsearch-plugin install failed"
		printf '%s\n%s\n' "$VERSION" "$plugin" >"$marker"
	fi
}

# write_config writes the node's configuration into $RUN/config (the
# distribution's config directory is copied once, then elasticsearch.yml is
# rewritten on every up).
write_config() {
	mkdir -p "$RUN/config" "$RUN/data" "$RUN/logs" "$RUN/tmp" "$RUN/run"
	if [[ ! -f $RUN/config/jvm.options ]]; then
		cp -r "$RUN/home/config/." "$RUN/config/"
	fi
	cat >"$RUN/config/elasticsearch.yml" <<EOF
# Generated by scripts/elasticsearch.sh on every "up"; edits are overwritten.
cluster.name: classmate-test
node.name: classmate-test
path.data: $RUN/data
path.logs: $RUN/logs
network.host: 127.0.0.1
http.port: $PORT
transport.port: $TRANSPORT_PORT
discovery.type: single-node
xpack.security.enabled: false
# A nearly full disk must not turn the test indices read-only.
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
EOF
	if [[ $(id -u) -eq 0 ]]; then
		chown -R "$ES_USER:" "$RUN/config" "$RUN/data" "$RUN/logs" "$RUN/tmp" "$RUN/run"
		as_es test -r "$RUN/home/lib" -a -w "$RUN/data" ||
			die "user $ES_USER cannot reach $RUN (a parent directory is not searchable by others); move the repository or run as a non-root user"
	fi
}

pid_of() {
	local pid
	[[ -s $RUN/run/es.pid ]] || return 1
	pid="$(tr -dc 0-9 <"$RUN/run/es.pid")"
	[[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
	printf '%s\n' "$pid"
}

answers() { curl -fsS -m 2 "$URL/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1; }

tail_log() {
	local f="$RUN/logs/classmate-test.log"
	[[ -f $f ]] || f="$RUN/start.log"
	if [[ -f $f ]]; then
		printf -- '--- last lines of %s ---\n' "$f" >&2
		tail -n 30 "$f" >&2
	fi
}

cmd_up() {
	local i
	if pid_of >/dev/null && answers; then
		return 0
	fi
	ensure_tools
	install
	write_config
	if ! pid_of >/dev/null; then
		if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
			die "127.0.0.1:$PORT is taken by another process; set CLASSMATE_STACK_ES_PORT"
		fi
		log "starting Elasticsearch $VERSION on $URL (heap $HEAP)"
		rm -f "$RUN/run/es.pid"
		# -d: the launcher returns once the node has started, or failed.
		# setsid: a Ctrl-C in the terminal that ran make must not reach it.
		if ! as_es env ES_JAVA_HOME="$JAVA_HOME_DIR" ES_PATH_CONF="$RUN/config" ES_TMPDIR="$RUN/tmp" \
			ES_JAVA_OPTS="-Xms$HEAP -Xmx$HEAP" \
			setsid "$RUN/home/bin/elasticsearch" -d -p "$RUN/run/es.pid" </dev/null >"$RUN/start.log" 2>&1 9>&-; then
			tail_log
			die "Elasticsearch did not start"
		fi
	fi
	for ((i = 0; i < WAIT_SECONDS * 5; i++)); do
		if answers; then
			log "up: $URL"
			return 0
		fi
		pid_of >/dev/null || break
		sleep 0.2
	done
	tail_log
	die "no answer from $URL"
}

cmd_down() {
	local pid i
	pid="$(pid_of)" || return 0
	log "stopping (pid $pid)"
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 300; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.2
	done
	log "still running after 60s; sending SIGKILL"
	kill -KILL "$pid" 2>/dev/null || true
}

cmd_status() {
	local pid
	if pid="$(pid_of)" && answers; then
		printf 'elasticsearch  running  pid %s  %s  %s\n' "$pid" "$URL" \
			"$(curl -fsS -m 2 "$URL/_cluster/health" | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p')"
		return 0
	fi
	printf 'elasticsearch  stopped\n'
	return 3
}

cmd_env() {
	if answers; then
		printf "export CLASSMATE_ES_URL='%s'\n" "$URL"
	fi
}

lock() {
	mkdir -p "$RUN"
	exec 9>"$RUN/.lock"
	if command -v flock >/dev/null 2>&1; then
		flock -w 600 9 || die "another scripts/elasticsearch.sh holds $RUN/.lock"
	fi
}

case "${1:-up}" in
up) lock && cmd_up ;;
down) lock && cmd_down ;;
status) cmd_status ;;
env) cmd_env ;;
*)
	echo "usage: $0 [up|down|status|env]" >&2
	exit 2
	;;
esac
