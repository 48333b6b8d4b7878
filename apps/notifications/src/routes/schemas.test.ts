import { compiledOutput, envelope, pagedEnvelope } from '@platform/http-kit';
import { describe, expect, it } from 'vitest';
import { Delivery, Notification, Preferences } from './schemas.js';

describe('notifications response schemas', () => {
  // The hot reads' bodies are checked by the compiled validator (http-kit output-serializer.ts), not zod's slower path.
  it.each([
    ['a page of notifications', pagedEnvelope(Notification)],
    ['a notification', envelope(Notification)],
    ['preferences', envelope(Preferences)],
    ['a page of deliveries', pagedEnvelope(Delivery)],
  ])('%s takes the compiled output check', (_name, schema) => {
    expect(compiledOutput(schema)).not.toBeNull();
  });
});
