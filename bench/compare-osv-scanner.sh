#!/usr/bin/env bash
# Differential test and timing of `cradle scan` against osv-scanner (a peer,
# never a project dependency) on the real SBOMs in ../shared/data/sbom
# (containers and plugfest), with the same OSV data (../shared/data/osv).
#
#   bench/compare-osv-scanner.sh [OSV_SCANNER_BINARY]
#
# Without a binary it builds osv-scanner v2.6.0 (needs Go 1.27, fetched as a
# toolchain through the module proxy; about 10 minutes on 2 cores).
# Prints, per SBOM, both tools' wall time and the (package, vulnerability)
# pairs only one of them reports; a difference names the vulnerability IDs
# each tool used, so it can be judged against the OSV record.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${CRADLE_TEST_DATA:-$(cd .. && pwd)/shared/data}
WORK=${WORK:-$(mktemp -d)}
PEER=${1:-}
if [ -z "$PEER" ]; then
  GOTOOLCHAIN=go1.27.3 GOBIN="$WORK/bin" go install github.com/google/osv-scanner/v2/cmd/osv-scanner@v2.6.0
  PEER=$WORK/bin/osv-scanner
fi
go build -o "$WORK/cradle" ./cmd/cradle

# osv-scanner's offline layout: <dir>/osv-scalibr/<Ecosystem>/all.zip. An
# ecosystem without a zip makes it fail the whole scan, so every ecosystem
# it knows gets an empty archive unless the corpus has data for it.
DB=$WORK/db/osv-scalibr
mkdir -p "$DB"
python3 - "$DB" "$DATA/osv" <<'PY'
import os, sys, zipfile
db, data = sys.argv[1], sys.argv[2]
have = {e for e in os.listdir(data) if os.path.exists(os.path.join(data, e, "all.zip"))}
names = ["Go","PyPI","crates.io","Hackage","GHC","npm","Maven","NuGet","RubyGems","Packagist","Debian","Alpine","Ubuntu","Red Hat",
  "Rocky Linux","AlmaLinux","SUSE","openSUSE","Wolfi","Chainguard","Pub","Hex","CRAN","Bitnami","Photon OS","Mageia","Linux",
  "OSS-Fuzz","GIT","Android","SwiftURL","ConanCenter","Ubuntu:Pro","GitHub Actions","Julia","Hugging Face","MinimOS","Azure Linux",
  "openEuler","Echo","BellSoft Hardened Containers","Root","CleanStart","Docker Hardened Images","VSCode","opam"]
for e in names:
    d = os.path.join(db, e); os.makedirs(d, exist_ok=True)
    z = os.path.join(d, "all.zip")
    if os.path.lexists(z): continue
    if e in have: os.symlink(os.path.join(data, e, "all.zip"), z)
    else: zipfile.ZipFile(z, "w").close()
PY

total_c=0; total_p=0
for sbom in "$DATA"/sbom/containers/*.json "$DATA"/sbom/plugfest/*.json; do
  name=$(basename "$sbom")
  # osv-scanner recognises SBOMs by their file name.
  case "$name" in
    *spdx*) link="$WORK/in/$name.spdx.json" ;;
    *) link="$WORK/in/$name.cdx.json" ;;
  esac
  mkdir -p "$WORK/in"; cp "$sbom" "$link"
  t0=$(date +%s.%N)
  "$WORK/cradle" scan "$link" --vulndb "$DATA/osv" --format json > "$WORK/cradle.json" 2>"$WORK/cradle.err" || true
  t1=$(date +%s.%N)
  "$PEER" scan source --offline --local-db-path="$WORK/db" -L "$link" --format json > "$WORK/peer.json" 2>"$WORK/peer.err" || true
  t2=$(date +%s.%N)
  python3 - "$name" "$WORK/cradle.json" "$WORK/peer.json" "$t0" "$t1" "$t2" <<'PY'
import json, sys
name, cf, pf, t0, t1, t2 = sys.argv[1], sys.argv[2], sys.argv[3], *map(float, sys.argv[4:7])
def load(f):
    try: return json.load(open(f))
    except Exception: return None
c, p = load(cf), load(pf)
cs, ps = {}, {}
if c:
    for f in c.get("findings") or []:
        ids = {f["id"], f["vuln_id"], *(f.get("aliases") or [])}
        cs[(f["component"]["name"].lower(), f["component"].get("version","").lstrip("v"), f["id"])] = ids
if p:
    for r in p.get("results") or []:
        for pk in r.get("packages") or []:
            for v in pk.get("vulnerabilities") or []:
                ids = {v["id"], *(v.get("aliases") or [])}
                ps[(pk["package"]["name"].lower(), pk["package"].get("version","").lstrip("v"), v["id"])] = ids
# Pair findings by package and any shared ID.
def key(k): return (k[0].split("/")[-1], k[1])
only_c = [k for k, ids in cs.items() if not any(key(k) == key(q) and ids & qi for q, qi in ps.items())]
only_p = [k for k, ids in ps.items() if not any(key(k) == key(q) and ids & qi for q, qi in cs.items())]
print(f"{name[:70]:70s} cradle {len(cs):4d} in {t1-t0:6.2f}s   osv-scanner {len(ps):4d} in {t2-t1:6.2f}s   only-cradle {len(only_c)}  only-osv-scanner {len(only_p)}")
for k in sorted(only_c)[:20]: print("    only cradle:      ", *k)
for k in sorted(only_p)[:20]: print("    only osv-scanner: ", *k)
PY
done
echo "work folder: $WORK"
