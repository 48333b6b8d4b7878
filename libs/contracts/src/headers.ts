/**
 * Header names every event message carries besides `Nats-Msg-Id` (= the envelope `id`): part of
 * the wire format, so they live with the contracts (the AsyncAPI document lists them too).
 */
export const messageHeaders = {
  correlationId: 'x-correlation-id',
  requestId: 'x-request-id',
  eventType: 'x-event-type',
} as const;

/** JetStream's de-duplication header: the outbox sets it to the envelope `id`. */
export const messageIdHeader = 'Nats-Msg-Id';
