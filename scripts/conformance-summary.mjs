// Prints conformance-report.json (written by `npm run conformance`) as a table, ending with the plain line
// "N passed, M failed" over the groups that apply to an aggregator (excluded groups are listed with the reason).
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync('conformance-report.json', 'utf8'));
const excluded = report.excludedGroups ?? {};
let passed = 0;
let failed = 0;
let allPassed = 0;
let allFailed = 0;
const rows = Object.entries(report.groups).map(([name, g]) => {
  const total = g.passed + g.failed;
  allPassed += g.passed;
  allFailed += g.failed;
  if (!excluded[name]) {
    passed += g.passed;
    failed += g.failed;
  }
  return { name, ...g, total, pct: total ? (100 * g.passed) / total : 100 };
});
const pad = (s, n) => String(s).padEnd(n);
console.log(`${pad('group', 40)} ${pad('passed', 8)} ${pad('failed', 8)} %`);
for (const r of rows) console.log(`${pad(r.name + (excluded[r.name] ? ' (excluded)' : ''), 40)} ${pad(r.passed, 8)} ${pad(r.failed, 8)} ${r.pct.toFixed(1)}`);
for (const [name, why] of Object.entries(excluded)) console.log(`excluded ${name}: ${why}`);
const worst = rows
  .filter((r) => r.failed > 0)
  .sort((a, b) => b.failed - a.failed)
  .slice(0, 5);
console.log(`biggest failing groups: ${worst.map((r) => `${r.name} (${r.failed})`).join(', ') || 'none'}`);
console.log(
  `all groups: ${allPassed} passed, ${allFailed} failed (${((100 * allPassed) / Math.max(1, allPassed + allFailed)).toFixed(1)}%); headline ${((100 * passed) / Math.max(1, passed + failed)).toFixed(1)}% in ${report.seconds.toFixed(1)} s`,
);
console.log(`${passed} passed, ${failed} failed`);
