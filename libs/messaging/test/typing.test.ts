import { createDb } from '@platform/db-kit';
import { userRegisteredV1 } from '@platform/contracts';
import { describe, expect, it } from 'vitest';
import * as schema from './schema.js';
import { createConsumer, createOutboxRelay, enqueueEvent } from '../src/index.js';
import type { NatsHandle } from '../src/index.js';
import { createLogger } from '@platform/logging';

// Compile-time check: an app's schema-typed db is accepted everywhere the library takes a db.
describe('types', () => {
  it('accepts a schema-typed database', () => {
    const check = (nats: NatsHandle) => {
      const logger = createLogger({ service: 't', level: 'silent' });
      const { db } = createDb({ url: 'postgres://x/y', schema, logger });
      createOutboxRelay({ db, js: nats.js, logger });
      createConsumer({
        name: 'x',
        stream: 'users',
        contracts: [userRegisteredV1],
        db,
        js: nats.js,
        jsm: nats.jsm,
        logger,
        handler: async (event, tx) => {
          await tx.insert(schema.widgets).values({ id: event.data.userId, name: event.data.email });
        },
      });
      return db.transaction((tx) => enqueueEvent(tx, userRegisteredV1, { userId: 'x', email: 'a@b.c', fullName: 'A', role: 'user', isActive: true }, { correlationId: 'c' }));
    };
    expect(typeof check).toBe('function');
  });
});
