import { Parser, type Diagnostic } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import { allConsumers, allEventContracts, asyncApiDocument, dataJsonSchema, envelopeJsonSchema } from './index.js';

type Doc = {
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
  operations: Record<string, { action: string; channel: { $ref: string }; 'x-service': string; 'x-durable-consumer'?: string; 'x-fields-read'?: string[] }>;
  components: { schemas: Record<string, unknown>; messages: Record<string, { payload: { allOf: unknown[] } }> };
};

const parser = new Parser();
// A parse runs Spectral's AsyncAPI rulesets: ~1 s alone, but 20 s was seen when the service
// generator's test runs this file beside six other checks on a 2-core machine.
const parseTimeout = 90_000;
const problems = (diagnostics: Diagnostic[]) =>
  diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code} at ${d.path.join('/')}: ${d.message}`); // errors and warnings

describe('AsyncAPI document', () => {
  const document = asyncApiDocument();
  const doc = document as unknown as Doc;

  it('is valid AsyncAPI 3 for @asyncapi/parser, without errors or warnings', async () => {
    const { document: parsed, diagnostics } = await parser.parse(JSON.stringify(document));
    expect(problems(diagnostics)).toEqual([]);
    expect(parsed?.version()).toMatch(/^3\./);
    expect(parsed?.channels().length).toBe(allEventContracts.length);
  }, parseTimeout);

  it('the validation bites: a dangling reference is an error', async () => {
    const broken = structuredClone(document) as unknown as Doc;
    for (const operation of Object.values(broken.operations)) operation.channel = { $ref: '#/channels/nowhere' };
    const { diagnostics } = await parser.parse(JSON.stringify(broken));
    expect(diagnostics.filter((d) => d.severity === 0).length).toBeGreaterThan(0);
  }, parseTimeout);

  it('has every subject, with its zod schema and the envelope', () => {
    expect(Object.values(doc.channels).map((c) => c.address).sort()).toEqual(allEventContracts.map((c) => c.type).sort());
    expect(doc.components.schemas.EventEnvelope).toEqual(envelopeJsonSchema());
    for (const contract of allEventContracts) {
      expect(doc.components.schemas[contract.type]).toEqual(dataJsonSchema(contract));
      expect(JSON.stringify(doc.components.messages[contract.type]?.payload)).toContain(`"const":"${contract.type}"`);
    }
  });

  it('names the producer of each subject and exactly the declared consumers', () => {
    const operations = Object.values(doc.operations);
    for (const contract of allEventContracts) {
      const on = operations.filter((o) => o.channel.$ref === `#/channels/${contract.type}`);
      expect(on.filter((o) => o.action === 'send').map((o) => o['x-service'])).toEqual([contract.source]);
      const expected = allConsumers
        .filter((consumer) => consumer.reads.some((r) => r.contract.type === contract.type))
        .map((consumer) => consumer.name)
        .sort();
      expect(on.filter((o) => o.action === 'receive').map((o) => o['x-durable-consumer']).sort()).toEqual(expected);
    }
    const welcome = operations.find((o) => o['x-durable-consumer'] === 'notifications-send-welcome-message');
    expect(welcome).toMatchObject({ 'x-service': 'notifications', 'x-fields-read': ['userId', 'email', 'fullName', 'isActive'] });
  });
});
