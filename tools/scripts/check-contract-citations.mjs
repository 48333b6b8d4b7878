#!/usr/bin/env node
// Every "§N" citation of the platform contract in code and docs points at docs/contract.md and
// names a section that exists there (a section number cited from memory, or the old
// /work/shared copy, fails). Proves first that it rejects bad citations. Run by `npm test`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './lib/workspace.mjs';

const CONTRACT = 'docs/contract.md';
const SELF = 'tools/scripts/check-contract-citations.mjs'; // its probes are bad on purpose
const sections = new Set([...readFileSync(join(root, CONTRACT), 'utf8').matchAll(/^## (\d+)\. /gm)].map((m) => m[1]));

/** Why a line's citations are wrong, or undefined. Other standards' sections (RFC 9110 §7.6.1) are not ours. */
function citationProblem(line) {
  const cited = [...line.matchAll(/(RFC \d+ )?§\s*(\d+)/g)].filter((m) => !m[1]).map((m) => m[2]);
  if (cited.length === 0) return undefined;
  if (/CONTRACT\.md/.test(line)) return 'cites CONTRACT.md: cite docs/contract.md';
  if (!line.includes(CONTRACT)) return `cites §${cited.join(', §')} without naming ${CONTRACT}`;
  const unknown = cited.filter((n) => !sections.has(n));
  if (unknown.length > 0) return `§${unknown.join(', §')} is not a section of ${CONTRACT}`;
  return undefined;
}

const probes = [
  ['// contract §3', true],
  ['// (CONTRACT.md §6)', true],
  ['// docs/contract.md §9', true],
  ['// docs/contract.md §2, §3 and §5', false],
  ['Owns users ([docs/contract.md §4](../../docs/contract.md#4-resources))', false],
  ['/** Hop-by-hop headers (RFC 9110 §7.6.1) */', false],
];
let failures = 0;
for (const [line, bad] of probes) {
  if (Boolean(citationProblem(line)) !== bad) {
    failures += 1;
    console.error(`✗ probe ${JSON.stringify(line)} should be ${bad ? 'rejected' : 'accepted'}`);
  }
}

const textFile = /\.(ts|mts|mjs|js|md|ya?ml|sql|json|example)$|(^|\/)Dockerfile$/;
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter((f) => textFile.test(f) && f !== CONTRACT && f !== SELF && !f.endsWith('package-lock.json'));
let citations = 0;
for (const file of files) {
  let text;
  try {
    text = readFileSync(join(root, file), 'utf8');
  } catch {
    continue; // deleted in the work tree, still in the index
  }
  if (!text.includes('§')) continue;
  text.split('\n').forEach((line, i) => {
    if (!/§\s*\d/.test(line)) return;
    citations += 1;
    const problem = citationProblem(line);
    if (problem) {
      failures += 1;
      console.error(`✗ ${file}:${i + 1}: ${problem}`);
    }
  });
}
console.log(`contract citations: ${citations} lines checked against ${CONTRACT} (sections ${[...sections].join(', ')}), ${failures} problem(s)`);
process.exit(failures ? 1 : 0);
