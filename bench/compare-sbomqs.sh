#!/usr/bin/env bash
# Compare the speed of cradle's SBOM quality check (quality.Check, BSI
# TR-03183-2 v2.1 profile) with sbomqs v2.0.11 (`sbomqs compliance --bsi-v21
# --json FILE`) on the largest container SBOM (SPDX JSON, 3,952 packages)
# and on one large CycloneDX JSON.
#
# Usage: bench/compare-sbomqs.sh            (from the repository root)
# Env:   CRADLE_TEST_DATA  shared data folder (default /work/shared/data)
#        SBOMQS_BIN        use this sbomqs binary instead of building one
#        SBOMQS_SRC        a checkout of sbomqs v2.0.11 to build from when the
#                          module proxy does not serve it
#        RUNS              hyperfine runs per command (default 5)
#
# Nothing is added to cradle's go.mod: sbomqs is built with GOBIN into a
# temporary directory.
set -euo pipefail

cd "$(dirname "$0")/.."
data=${CRADLE_TEST_DATA:-/work/shared/data}
runs=${RUNS:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

command -v hyperfine >/dev/null || {
	echo "hyperfine missing: apt-get install -y hyperfine" >&2
	exit 1
}

# --- sbomqs ---------------------------------------------------------------
# The module path of v2 is github.com/interlynk-io/sbomqs/v2 (without /v2,
# `go install github.com/interlynk-io/sbomqs@v2.0.11` is refused). HEAD does
# not build; v2.0.11 does.
if [[ -n ${SBOMQS_BIN:-} ]]; then
	sbomqs=$SBOMQS_BIN
elif GOBIN=$tmp go install github.com/interlynk-io/sbomqs/v2@v2.0.11 2>"$tmp/install.log"; then
	sbomqs=$tmp/sbomqs
elif [[ -n ${SBOMQS_SRC:-} ]]; then
	(cd "$SBOMQS_SRC" && go build -o "$tmp/sbomqs" .)
	sbomqs=$tmp/sbomqs
else
	cat "$tmp/install.log" >&2
	echo "cannot build sbomqs v2.0.11: set SBOMQS_BIN or SBOMQS_SRC" >&2
	exit 1
fi

# --- cradle ---------------------------------------------------------------
# The whole cradle command (it exits 1 when the SBOM does not conform, so
# hyperfine runs it with -i).
go build -o "$tmp/cradle" ./cmd/cradle
cradle_cmd() { echo "$tmp/cradle sbom check $1 --profile bsi-tr-03183-2-v2.1 --json"; }

# --- files ----------------------------------------------------------------
# the container SBOM with the most packages (3,952)
spdx=$(for f in "$data"/sbom/containers/*.json; do
	printf '%s %s\n' "$(jq '.packages | length' "$f")" "$f"
done | sort -n | tail -1 | cut -d' ' -f2-)
cdx=$data/sbom/cyclonedx-examples/SBOM/keycloak-10.0.2/bom.json

for f in "$spdx" "$cdx"; do
	echo
	echo "== $(basename "$f") ($(du -h "$f" | cut -f1))"
	hyperfine --warmup 1 --runs "$runs" --ignore-failure --style basic \
		--export-json "$tmp/h.json" \
		-n cradle "$(cradle_cmd "$f") >/dev/null" \
		-n sbomqs "$sbomqs compliance --bsi-v21 --json $f >/dev/null"
	python3 - "$tmp/h.json" <<'EOF'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
c, s = r["cradle"]["mean"], r["sbomqs"]["mean"]
cu, su = r["cradle"]["user"], r["sbomqs"]["user"]
print(f"wall: cradle {c*1000:.0f} ms, sbomqs {s*1000:.0f} ms, sbomqs/cradle = {s/c:.1f}x")
print(f"user CPU: cradle {cu*1000:.0f} ms, sbomqs {su*1000:.0f} ms, sbomqs/cradle = {su/cu:.1f}x")
EOF
done
