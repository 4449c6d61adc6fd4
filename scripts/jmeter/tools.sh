#!/usr/bin/env bash
# tools.sh makes sure Maven and a Java runtime are installed, for the JMeter
# plans (pom.xml) and the test that runs them (loadgen.TestJMeter): with
# apt-get when missing, as scripts/stack.sh does for MariaDB and Redis.
# JMeter itself comes from Maven Central into ~/.m2 on first use.
set -euo pipefail

if command -v mvn >/dev/null 2>&1 && command -v java >/dev/null 2>&1; then
	exit 0
fi
sudo=()
if [[ $(id -u) -ne 0 ]]; then
	command -v sudo >/dev/null 2>&1 || {
		echo "jmeter tools: mvn or java missing and we are not root; install maven (and a JRE 11–17)" >&2
		exit 1
	}
	sudo=(sudo)
fi
echo "jmeter tools: installing maven and a headless JRE with apt-get" >&2
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends maven default-jre-headless
