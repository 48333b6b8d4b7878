import { describe, expect, it } from 'vitest';
import { captureLogs } from './testing/index.js';

describe('createLogger', () => {
  it('writes JSON lines with the service name and ISO time', () => {
    const logs = captureLogs('billing');
    logs.logger.child({ requestId: 'r-1' }).info('hello');
    expect(logs.lines[0]).toMatchObject({ service: 'billing', requestId: 'r-1', level: 'info', msg: 'hello' });
    expect(String(logs.lines[0]?.time)).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('never writes passwords, tokens, hashes or authorization headers', () => {
    const logs = captureLogs();
    logs.logger.info(
      {
        password: 'hunter2-secret',
        body: { newPassword: 'n3w-secret', refreshToken: 'rt-secret' },
        user: { credentials: { hash: '$argon2id$secret' } },
        req: { headers: { authorization: 'Bearer abc.def.secret', cookie: 'sid=secret' } },
      },
      'login',
    );
    expect(logs.text()).not.toContain('secret');
    expect(logs.text()).toContain('[redacted]');
  });
});
