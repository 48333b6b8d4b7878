import { randomBytes } from 'node:crypto';
import { userRegisteredV1 } from '@platform/contracts';
import { waitFor } from '@platform/messaging/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usePlatform } from '../src/fixture.js';
import { newUserInput, registerUser } from '../src/gateway-client.js';
import { startOtlpSink, type OtlpSink, type ReceivedSpan } from '../src/otlp-sink.js';
import { startSmtpSink, type SmtpSink } from '../src/smtp.js';

// OTLP span kinds (SPAN_KIND_*): the JSON export carries the numbers.
const kind = { server: 2, client: 3, producer: 4, consumer: 5 } as const;

describe('one trace from the gateway to the welcome e-mail', () => {
  let smtp: SmtpSink;
  let otlp: OtlpSink;
  beforeAll(async () => {
    [smtp, otlp] = await Promise.all([startSmtpSink(), startOtlpSink()]);
  });
  afterAll(async () => Promise.all([smtp?.close(), otlp?.close()]));
  const e2e = usePlatform(() => ({
    NOTIFICATIONS_SMTP_URL: smtp.url,
    NOTIFICATIONS_MAIL_POLL_INTERVAL_MS: '100',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
    OTEL_TRACES_SAMPLER: 'parentbased_always_on',
    OTEL_BSP_SCHEDULE_DELAY: '100',
  }));

  it('links gateway → users → database → outbox/relay → notifications consumer → e-mail send', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const input = newUserInput('traced');
    const registered = await registerUser(e2e.client, input, { traceparent: `00-${traceId}-${callerSpanId}-01` });
    // The request id is untouched by tracing.
    expect(registered.response.headers.get('x-request-id')).toMatch(/^[\w.:-]+$/);

    const inTrace = () => otlp.spans.filter((s) => s.traceId === traceId);
    const one = (predicate: (s: ReceivedSpan) => boolean) => inTrace().find(predicate);
    const childOf = (parent: ReceivedSpan) => (s: ReceivedSpan) => s.parentSpanId === parent.spanId;

    // The last hop (the send) is exported last: once it is there, so is everything before it.
    const send = await waitFor(() => one((s) => s.name === 'smtp send'), { timeoutMs: 20_000 });
    expect(smtp.received.some((m) => m.to.includes(input.email))).toBe(true);
    const chain = () => inTrace().map((s) => `${s.service}:${s.name}`).join(', ');

    const gateway = one((s) => s.service === 'gateway' && s.kind === kind.server);
    expect(gateway, chain()).toBeDefined();
    expect(gateway?.parentSpanId).toBe(callerSpanId);
    expect(gateway?.name).toMatch(/^POST \/api\/v1\/auth/);

    const proxy = one((s) => s.service === 'gateway' && s.kind === kind.client && childOf(gateway!)(s));
    expect(proxy?.name, chain()).toBe('proxy users');
    const users = one((s) => s.service === 'users' && s.kind === kind.server && childOf(proxy!)(s));
    expect(users?.name, chain()).toBe('POST /api/v1/auth/register');
    const transaction = one((s) => s.service === 'users' && s.name === 'db transaction' && childOf(users!)(s));
    expect(transaction, chain()).toBeDefined();
    const publish = one((s) => s.service === 'users' && s.kind === kind.producer && childOf(transaction!)(s));
    expect(publish?.name, chain()).toBe(`publish ${userRegisteredV1.type}`);

    const processed = inTrace().filter((s) => s.service === 'notifications' && s.kind === kind.consumer && childOf(publish!)(s));
    expect(processed.length, chain()).toBeGreaterThan(0);
    for (const span of processed) expect(span.name).toBe(`process ${userRegisteredV1.type}`);
    // The consumer's effect (its inbox + notification + delivery transaction), and the send
    // that the delivery sender made later, continuing the transaction that queued it.
    const effect = one((s) => s.service === 'notifications' && s.name === 'db transaction' && s.spanId === send.parentSpanId);
    expect(effect, chain()).toBeDefined();
    expect(processed.some((p) => childOf(p)(effect!)), chain()).toBe(true);
    expect(send.service).toBe('notifications');
    expect(send.kind).toBe(kind.client);
  });
});
