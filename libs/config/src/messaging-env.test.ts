import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, messagingEnv, parseConfig } from './index.js';

const schema = z.object(messagingEnv);

describe('messaging variables', () => {
  it('defaults to one local server and single-replica streams', () => {
    expect(parseConfig(schema, {})).toEqual({ NATS_URL: 'nats://127.0.0.1:4222', EVENT_STREAM_REPLICAS: 1 });
  });

  it('takes a comma-separated seed list of a cluster and a replica count', () => {
    const env = { NATS_URL: 'nats://nats-0.nats:4222, nats://nats-1.nats:4222,tls://nats-2.nats:4222', EVENT_STREAM_REPLICAS: '3' };
    expect(parseConfig(schema, env)).toEqual({ ...env, EVENT_STREAM_REPLICAS: 3 });
  });

  it.each([
    [{ NATS_URL: 'http://nats:4222' }, 'NATS_URL'],
    [{ NATS_URL: 'nats://a:4222,,nats://b c:4222' }, 'NATS_URL'],
    [{ NATS_URL: ' , ' }, 'NATS_URL'],
    [{ EVENT_STREAM_REPLICAS: '0' }, 'EVENT_STREAM_REPLICAS'],
    [{ EVENT_STREAM_REPLICAS: '6' }, 'EVENT_STREAM_REPLICAS'],
  ])('refuses %j', (env, name) => {
    expect(() => parseConfig(schema, env)).toThrow(ConfigError);
    expect(() => parseConfig(schema, env)).toThrow(name);
  });
});
