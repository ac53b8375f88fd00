// Regenerates the v4.0 reference data of v4_reference_test.go from the
// reference calculator, Red Hat's cvss40.js, from which FIRST's calculator
// at first.org is built (RedHatProductSecurity/cvss-v4-calculator, BSD-2-Clause,
// not included here). It needs the unrounded score too, so use a copy of
// cvss40.js whose calculateScore stores it before rounding:
//
//   sed 's/return roundToDecimalPlaces(Math.max(0, Math.min(10, value - meanDistance)), 1);/this.raw = Math.max(0, Math.min(10, value - meanDistance)); return roundToDecimalPlaces(this.raw, 1);/' cvss40.js > ref40.js
//   node testdata/v4-reference.js ./ref40.js
//
// It prints the SHA-256 of the scores and of the unrounded scores of every
// combination of the values that enter a v4.0 score, in the order of
// TestV4MatchesReferenceCalculator, then writes v4-reference-sample.txt
// (random vectors with their scores) beside itself.
const { CVSS40, Vector } = require(require('path').resolve(process.argv[2]));
const crypto = require('crypto');
const fs = require('fs');

const scores = crypto.createHash('sha256');
const raws = crypto.createHash('sha256');
const vec = new Vector();
const m = vec.metrics;
const raw = Buffer.alloc(8);
let n = 0;
for (const AV of 'NALP') for (const AC of 'LH') for (const AT of 'NP')
for (const PR of 'NLH') for (const UI of 'NPA')
for (const VC of 'HLN') for (const VI of 'HLN') for (const VA of 'HLN')
for (const SC of 'HLN') for (const SI of 'HLNS') for (const SA of 'HLNS')
for (const E of 'APU') for (const CR of 'HML') for (const IR of 'HML') for (const AR of 'HML') {
  Object.assign(m, { AV, AC, AT, PR, UI, VC, VI, VA, SC, E, CR, IR, AR });
  // Safety (S) exists only as a modified value.
  [m.SI, m.MSI] = SI === 'S' ? ['N', 'S'] : [SI, 'X'];
  [m.SA, m.MSA] = SA === 'S' ? ['N', 'S'] : [SA, 'X'];
  const c = new CVSS40(vec);
  scores.update(Buffer.of(Math.round(c.score * 10)));
  raw.writeDoubleLE(c.raw === undefined ? 0 : c.raw);
  raws.update(raw);
  n++;
}
console.log(n, 'vectors');
console.log('scores', scores.digest('hex'));
console.log('unrounded', raws.digest('hex'));

// Random vectors over every metric, optional ones absent a third of the time.
let seed = 12345;
const rnd = (k) => (seed = (seed * 1103515245 + 12345) % 2147483648) % k;
const lines = [];
for (let i = 0; i < 300; i++) {
  const parts = ['CVSS:4.0'];
  for (const [group, metrics] of Object.entries(Vector.METRICS)) {
    for (const [k, values] of Object.entries(metrics)) {
      if (group !== 'BASE' && rnd(3) === 0) continue;
      parts.push(k + ':' + values[rnd(values.length)]);
    }
  }
  const c = new CVSS40(parts.join('/'));
  lines.push(`${parts.join('/')} ${c.score} ${c.raw === undefined ? 0 : c.raw}`);
}
fs.writeFileSync(require('path').join(__dirname, 'v4-reference-sample.txt'), lines.join('\n') + '\n');
