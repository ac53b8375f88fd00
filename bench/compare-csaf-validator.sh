#!/usr/bin/env bash
# Differential test and timing of cradle's CSAF 2.0 validator (package csaf)
# against BSI's reference validator, @secvisogram/csaf-validator-lib 2.0.10
# (a peer, never a project dependency: it is installed from npm into a
# temporary folder), on the same documents:
#
#   1. CISA's 2,383 real advisories (../shared/data/csaf/cisa/csaf_files,
#      the files in the year folders; the ROLIE feeds are not CSAF);
#   2. the OASIS CSAF 2.0 test documents of the mandatory tests.
#
#   bench/compare-csaf-validator.sh
#
# Both sides run the CSAF 2.0 JSON schema and every mandatory test (6.1.x)
# and print, per document, the tests it fails ("schema" for the schema).
# The script prints each side's time (in-process validation time, cradle's
# also on one worker as the reference uses one thread, and the wall time of
# the whole process, start-up included) and every document where the
# verdicts differ, per test. Needs node and npm (Node 18 or
# newer) and the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${CRADLE_TEST_DATA:-$(cd .. && pwd)/shared/data}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

echo "installing @secvisogram/csaf-validator-lib@2.0.10 into $WORK ..." >&2
(cd "$WORK" && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error @secvisogram/csaf-validator-lib@2.0.10 >/dev/null)

cat >"$WORK/verdicts.mjs" <<'JS'
// For each CSAF file named on stdin (one path a line), prints the tests of
// csaf-validator-lib that it fails: "path<TAB>id,id,..." with "schema" for
// the CSAF 2.0 schema test (csaf_2_0) and the test number otherwise.
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import validate from '@secvisogram/csaf-validator-lib/validateStrict.js'
import * as mandatory from '@secvisogram/csaf-validator-lib/mandatoryTests.js'
import { csaf_2_0 } from '@secvisogram/csaf-validator-lib/schemaTests.js'

const tests = [csaf_2_0, ...Object.values(mandatory)]
const idOf = (name) =>
  name === 'csaf_2_0' ? 'schema' : name.replace(/^mandatoryTest_/, '').replaceAll('_', '.')
const paths = []
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() !== '') paths.push(line.trim())
}
const docs = paths.map((p) => readFileSync(p, 'utf8'))
const start = process.hrtime.bigint()
const lines = []
for (const [i, path] of paths.entries()) {
  let failed
  try {
    const result = await validate(tests, JSON.parse(docs[i]))
    failed = result.tests.filter((t) => !t.isValid).map((t) => idOf(t.name))
  } catch (e) {
    failed = ['error']
  }
  lines.push(`${path}\t${failed.join(',')}`)
}
const ms = Number(process.hrtime.bigint() - start) / 1e6
process.stdout.write(lines.join('\n') + '\n')
process.stderr.write(`reference: ${paths.length} documents in ${ms.toFixed(0)} ms (one thread)\n`)
JS

go build -o "$WORK/csafverdicts" ./bench/csafverdicts

now() { date +%s%N; }

compare() { # title listfile
  local title=$1 list=$2
  echo
  echo "== $title: $(wc -l <"$list") documents"
  local t0 t1 t2
  t0=$(now)
  (cd "$WORK" && node verdicts.mjs <"$list" >"$WORK/ref.txt")
  t1=$(now)
  "$WORK/csafverdicts" <"$list" >"$WORK/cradle.txt"
  t2=$(now)
  # The reference runs on one thread: cradle on one worker, for comparison.
  GOMAXPROCS=1 "$WORK/csafverdicts" <"$list" >/dev/null
  echo "reference wall time (node start-up, module and schema load included): $(((t1 - t0) / 1000000)) ms"
  echo "cradle wall time (process start-up and schema compilation included):  $(((t2 - t1) / 1000000)) ms"
  python3 - "$WORK/cradle.txt" "$WORK/ref.txt" <<'PY'
import sys
def load(path):
    out = {}
    for line in open(path):
        p, _, v = line.rstrip("\n").partition("\t")
        out[p] = set(x for x in v.split(",") if x)
    return out
cradle, ref = load(sys.argv[1]), load(sys.argv[2])
assert cradle.keys() == ref.keys(), "the two sides validated different files"
failing = lambda d: sum(1 for v in d.values() if v)
print(f"documents failing something: cradle {failing(cradle)}, reference {failing(ref)}")
per_test = {}
for p in sorted(cradle):
    for t in cradle[p] ^ ref[p]:
        per_test.setdefault(t, []).append((p, "cradle only" if t in cradle[p] else "reference only"))
if not per_test:
    print("verdicts identical for every document and test")
def key(t):
    return [0] if t == "schema" else [1] + [int(x) if x.isdigit() else 0 for x in t.split(".")]
for t in sorted(per_test, key=key):
    rows = per_test[t]
    print(f"-- test {t}: {len(rows)} documents differ")
    for p, side in rows:
        print(f"   {side:15} {p}")
PY
}

find "$DATA/csaf/cisa/csaf_files" -path '*/white/[0-9][0-9][0-9][0-9]/*.json' | sort >"$WORK/cisa.txt"
compare "CISA advisories" "$WORK/cisa.txt"

OASIS=$DATA/conformance/csaf/2.0/test/validator/data/mandatory
find "$OASIS" -name '*.json' | sort >"$WORK/oasis.txt"
compare "OASIS CSAF 2.0 mandatory-test documents" "$WORK/oasis.txt"
