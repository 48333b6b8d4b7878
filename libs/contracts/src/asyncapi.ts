import { consumersOf } from './consumers/index.js';
import { messageHeaders, messageIdHeader } from './headers.js';
import { dataJsonSchema, envelopeJsonSchema, type JsonSchema } from './json-schema.js';
import { allEventContracts } from './registry.js';
import { deadLetterStream, streamForSource } from './streams.js';

/** An AsyncAPI 3.0 document, as plain JSON. */
export type AsyncApiDocument = { asyncapi: '3.1.0' } & JsonSchema;

export const ASYNCAPI_PATH = '/asyncapi.json';

const ref = (pointer: string) => ({ $ref: `#/${pointer}` });

const description = `Every event the services exchange over NATS JetStream (docs/contract.md §6).

- Subjects are \`<service>.<entity>.<action>.v<major>\`; each producing service has one stream
  (\`USERS\`, \`BILLING\`, \`NOTIFICATIONS\`).
- Every message is the envelope \`{ id, type, version, source, occurredAt, correlationId, data }\`;
  \`id\` is also the \`${messageIdHeader}\` header, so a republished event is stored once.
- Published through a transactional outbox; consumed by durable consumers that acknowledge
  explicitly and are idempotent. \`data\` is validated on publish and on receipt; a message that
  fails validation, or keeps failing, goes to \`${deadLetterStream.subjects[0]}\` (stream \`${deadLetterStream.name}\`).
- Unknown fields in \`data\` are ignored by consumers. A breaking change is a new \`v<major>\`
  subject published alongside the old one until every consumer has moved.`;

const headersSchema: JsonSchema = {
  type: 'object',
  properties: {
    [messageIdHeader]: { type: 'string', format: 'uuid', description: 'The envelope id (JetStream de-duplication).' },
    [messageHeaders.correlationId]: { type: 'string', description: 'The envelope correlationId.' },
    [messageHeaders.requestId]: { type: 'string', description: 'The HTTP request that caused the event (defaults to the correlationId).' },
    [messageHeaders.eventType]: { type: 'string', description: 'The envelope type.' },
    traceparent: { type: 'string', description: 'W3C Trace Context of the publish span, when the event was caused by a traced request; consumers continue it.' },
    tracestate: { type: 'string', description: 'W3C Trace Context vendor state, passed on with traceparent.' },
  },
  required: [messageIdHeader, messageHeaders.correlationId, messageHeaders.eventType],
};

/**
 * The AsyncAPI 3 document of the platform, built from the contracts (subjects, zod schemas, the
 * envelope) and the consumer declarations: producers come from each contract's source, consumers
 * from who declared reading it. The gateway serves it at `/asyncapi.json`.
 */
export function asyncApiDocument(): AsyncApiDocument {
  const channels: JsonSchema = {};
  const operations: JsonSchema = {};
  const messages: JsonSchema = {};
  const schemas: JsonSchema = { EventEnvelope: envelopeJsonSchema() };

  for (const contract of allEventContracts) {
    const { type, source, version } = contract;
    const stream = streamForSource(source)?.name ?? '(none)';
    const consumers = consumersOf(contract);
    schemas[type] = dataJsonSchema(contract);
    messages[type] = {
      name: type,
      title: type,
      contentType: 'application/json',
      correlationId: { location: '$message.payload#/correlationId' },
      headers: headersSchema,
      payload: {
        allOf: [
          ref('components/schemas/EventEnvelope'),
          {
            type: 'object',
            properties: { type: { const: type }, version: { const: version }, source: { const: source }, data: ref(`components/schemas/${type}`) },
          },
        ],
      },
    };
    channels[type] = {
      address: type,
      title: type,
      description: `Published by ${source} (stream ${stream}); consumed by ${consumers.map((c) => c.consumer.service).join(', ') || 'nobody yet'}.`,
      messages: { [type]: ref(`components/messages/${type}`) },
      'x-stream': stream,
    };
    const channel = ref(`channels/${type}`);
    const message = ref(`channels/${type}/messages/${type}`);
    operations[`${source}.publish.${type}`] = {
      action: 'send',
      channel,
      messages: [message],
      title: `${source} publishes ${type}`,
      summary: 'Through the outbox, in the transaction of the change it reports.',
      tags: [{ name: source }],
      'x-service': source,
    };
    for (const { consumer, fields } of consumers) {
      operations[`${consumer.name}.receive.${type}`] = {
        action: 'receive',
        channel,
        messages: [message],
        title: `${consumer.service} (${consumer.name}) consumes ${type}`,
        summary: consumer.summary,
        description: fields.length > 0 ? `Reads data.${fields.join(', data.')}.` : 'Stores the event; reads no field of data.',
        tags: [{ name: consumer.service }],
        'x-service': consumer.service,
        'x-durable-consumer': consumer.name,
        'x-fields-read': [...fields],
      };
    }
  }

  return {
    asyncapi: '3.1.0',
    info: { title: 'Platform events', version: '1.0.0', description },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { schemas, messages },
  };
}
