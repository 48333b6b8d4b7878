import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import type { EventContract } from '../define-event.js';
import type { z } from 'zod';
import { dataJsonSchema, envelopeJsonSchema, toJsonSchema, type JsonSchema } from '../json-schema.js';
import { allEventContracts } from '../registry.js';
import { compareSchemas, type SchemaChange } from './compare-schemas.js';

/** `libs/contracts/schemas/`: one recorded JSON Schema per contract version, and the envelope's. */
export const schemasDir = fileURLToPath(new URL('../../schemas/', import.meta.url));
export const SNAPSHOT_COMMAND = 'npm run contracts:snapshot';
const ENVELOPE = 'envelope';
const DIALECT = 'http://json-schema.org/draft-07/schema#';

interface Subject {
  name: string;
  contract?: EventContract;
  schema: JsonSchema;
}

export interface SnapshotFinding {
  name: string;
  changes: SchemaChange[];
}

export interface SnapshotReport {
  /** Recorded versions the current schemas break. */
  breaking: SnapshotFinding[];
  /** Compatible changes (optional fields, annotations) not recorded yet. */
  unrecorded: SnapshotFinding[];
  /** Contracts with no recorded schema yet. */
  missing: string[];
  /** Recorded schemas whose contract is gone. */
  orphaned: string[];
}

export interface SnapshotOptions {
  dir?: string;
  /** Stand-ins for the registry and the envelope (the checker's own tests break them on purpose). */
  contracts?: readonly EventContract[];
  envelope?: z.ZodType;
}

function subjects(options: SnapshotOptions): Subject[] {
  const envelope = options.envelope ? toJsonSchema(options.envelope) : envelopeJsonSchema();
  const contracts = options.contracts ?? allEventContracts;
  return [{ name: ENVELOPE, schema: envelope }, ...contracts.map((contract) => ({ name: contract.type, contract, schema: dataJsonSchema(contract) }))];
}

const fileOf = (dir: string, name: string) => join(dir, `${name}.json`);

function readRecorded(dir: string): Map<string, JsonSchema> {
  const recorded = new Map<string, JsonSchema>();
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return recorded; // no snapshot yet: every contract is missing
  }
  for (const file of files) {
    const { $schema: _dialect, ...schema } = JSON.parse(readFileSync(join(dir, file), 'utf8')) as JsonSchema;
    recorded.set(file.slice(0, -'.json'.length), schema);
  }
  return recorded;
}

/** Compares every contract version (and the envelope) with its recorded schema. */
export function checkSnapshots(options: SnapshotOptions = {}): SnapshotReport {
  const dir = options.dir ?? schemasDir;
  const recorded = readRecorded(dir);
  const report: SnapshotReport = { breaking: [], unrecorded: [], missing: [], orphaned: [] };
  const current = subjects(options);
  for (const { name, schema } of current) {
    const before = recorded.get(name);
    if (!before) {
      report.missing.push(name);
      continue;
    }
    const changes = compareSchemas(before, schema);
    if (changes.some((c) => c.breaking)) report.breaking.push({ name, changes: changes.filter((c) => c.breaking) });
    else if (!isDeepStrictEqual(before, schema)) report.unrecorded.push({ name, changes });
  }
  const names = new Set(current.map((s) => s.name));
  report.orphaned = [...recorded.keys()].filter((name) => !names.has(name)).sort();
  return report;
}

/** What the author of a breaking change is told to do instead. */
function remedy(name: string, contracts: readonly EventContract[]): string {
  const contract = contracts.find((c) => c.type === name);
  if (!contract) return 'The envelope is shared by every event: keep it compatible (add optional fields only).';
  const next = `${contract.source}.${contract.entity}.${contract.action}.v${contract.version + 1}`;
  return (
    `v${contract.version} is published: leave ${name} as it was and add ${next} alongside it ` +
    `(a new contract, published next to v${contract.version} until every consumer has moved; docs/contract.md §6).`
  );
}

/** The report as the lines a failing test or the snapshot command prints; empty when all is well. */
export function describeReport(report: SnapshotReport, contracts: readonly EventContract[] = allEventContracts): string[] {
  const lines: string[] = [];
  for (const { name, changes } of report.breaking) {
    lines.push(`${name}: breaking change to a published contract version`);
    for (const change of changes) lines.push(`  - ${change.message}`);
    lines.push(`  ${remedy(name, contracts)}`);
  }
  for (const { name, changes } of report.unrecorded) {
    const what = changes.map((c) => c.message).join('; ') || 'annotations changed';
    lines.push(`${name}: compatible change not recorded yet (${what}): run \`${SNAPSHOT_COMMAND}\` and commit libs/contracts/schemas/`);
  }
  for (const name of report.missing) lines.push(`${name}: no recorded schema yet: run \`${SNAPSHOT_COMMAND}\` and commit libs/contracts/schemas/`);
  for (const name of report.orphaned) {
    lines.push(`${name}: recorded, but no such contract any more: once no service publishes or consumes it, delete libs/contracts/schemas/${name}.json`);
  }
  return lines;
}

/**
 * Records the current schema of every contract that is new or changed compatibly. A breaking
 * change is not recorded (the check keeps failing) unless `acceptBreaking` says the version was
 * never deployed. Orphaned files are left for the author to delete. Returns the names written.
 */
export function writeSnapshots(options: SnapshotOptions & { acceptBreaking?: boolean } = {}): string[] {
  const dir = options.dir ?? schemasDir;
  const report = checkSnapshots(options);
  const names = new Set([...report.missing, ...report.unrecorded.map((f) => f.name)]);
  if (options.acceptBreaking) for (const f of report.breaking) names.add(f.name);
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const { name, schema } of subjects(options)) {
    if (!names.has(name)) continue;
    writeFileSync(fileOf(dir, name), `${JSON.stringify({ $schema: DIALECT, ...schema }, null, 2)}\n`);
    written.push(name);
  }
  return written;
}
