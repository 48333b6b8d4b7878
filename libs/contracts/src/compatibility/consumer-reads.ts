import { allConsumers, type ConsumerDeclaration } from '../consumers/index.js';
import type { EventContract } from '../define-event.js';
import { dataJsonSchema } from '../json-schema.js';
import { allEventContracts } from '../registry.js';

/**
 * The consumer contract check: every field a consumer declares it reads must still be provided
 * (a required property) by the current schema of the contract it reads. Returns one line per
 * field that is not; `contracts` stands in for the registry (a test hands it a broken producer).
 */
export function checkConsumerReads(
  consumers: readonly ConsumerDeclaration[] = allConsumers,
  contracts: readonly EventContract[] = allEventContracts,
): string[] {
  const problems: string[] = [];
  for (const consumer of consumers) {
    for (const { contract: declared, fields } of consumer.reads) {
      const producer = contracts.find((c) => c.type === declared.type);
      if (!producer) {
        problems.push(`${consumer.name} (${consumer.service}) reads ${declared.type}, which no producer publishes any more`);
        continue;
      }
      const schema = dataJsonSchema(producer);
      const properties = (schema.properties ?? {}) as Record<string, unknown>;
      const required = new Set((schema.required ?? []) as string[]);
      for (const field of fields) {
        const why = !(field in properties) ? 'no longer has it' : !required.has(field) ? 'no longer always sends it (optional)' : undefined;
        if (why) problems.push(`${consumer.name} (${consumer.service}) reads data.${field} of ${declared.type}, but the producer ${why}`);
      }
    }
  }
  return problems;
}
