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

describe('URLs in log lines', () => {
  const jwt = 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNlY3JldA';

  it.each([
    ['/api/v1/users/me?access_token=s3cret-value', '/api/v1/users/me?access_token=[redacted]'],
    ['/x?page=2&refresh_token=s3cret-value&search=ann', '/x?page=2&refresh_token=[redacted]&search=ann'],
    ['/x?api_key=s3cret-value&apiKey=s3cret-value&password=s3cret-value&client_secret=s3cret-value&sig=s3cret-value', '/x?api_key=[redacted]&apiKey=[redacted]&password=[redacted]&client_secret=[redacted]&sig=[redacted]'],
    ['/x?ACCESS%5FTOKEN=s3cret-value', '/x?ACCESS%5FTOKEN=[redacted]'],
    [`/x?q=${jwt}`, '/x?q=[redacted]'],
    [`/x/${jwt}/y`, '/x/[redacted]/y'],
    ['/api/v1/billing/invoices?status=paid&page=1', '/api/v1/billing/invoices?status=paid&page=1'],
  ])('redacts %s', async (url, expected) => {
    const { redactUrl } = await import('./create-logger.js');
    expect(redactUrl(url)).toBe(expected);
  });

  it('redacts the request line Fastify writes for every request', () => {
    const logs = captureLogs();
    logs.logger.info({ req: { method: 'GET', url: `/api/v1/users/me?access_token=${jwt}&token=s3cret-value`, ip: '127.0.0.1', headers: {} } }, 'incoming request');
    expect(logs.text()).not.toContain('s3cret');
    expect(logs.text()).not.toContain(jwt);
    expect(logs.lines[0]?.req).toMatchObject({ method: 'GET', url: '/api/v1/users/me?access_token=[redacted]&token=[redacted]', remoteAddress: '127.0.0.1' });
  });
});
