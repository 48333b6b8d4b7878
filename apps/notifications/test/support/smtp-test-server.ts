import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  raw: string;
}

export type SmtpMode = 'accept' | 'reject-transient' | 'reject-permanent';

export interface SmtpTestServer {
  port: number;
  url: string;
  received: ReceivedMail[];
  /** `reject-transient` answers 451 to MAIL FROM, `reject-permanent` 550. */
  mode: SmtpMode;
  /** Connections seen (also those rejected): proves retries happened. */
  attempts: number;
  /** Called with each accepted message just before the server answers 250 (fault injection). */
  onAccept?: (mail: ReceivedMail) => void;
  /** Stops listening: senders get ECONNREFUSED. */
  stop(): Promise<void>;
  /** Listens again on the same port (no-op while listening). */
  start(): Promise<void>;
}

/** A real SMTP server in the test process (plain, no auth), recording every message it accepts. */
export async function startSmtpTestServer(): Promise<SmtpTestServer> {
  let server: SMTPServer | undefined;
  const state: SmtpTestServer = {
    port: 0,
    url: '',
    received: [],
    mode: 'accept',
    attempts: 0,
    stop: async () => {
      const current = server;
      server = undefined;
      if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
    },
    start: async () => {
      if (server) return;
      const created = new SMTPServer({
        secure: false,
        authOptional: true,
        disabledCommands: ['AUTH', 'STARTTLS'],
        logger: false,
        onConnect(_session, callback) {
          state.attempts++;
          callback();
        },
        onMailFrom(_address, _session, callback) {
          if (state.mode === 'reject-transient') return callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
          if (state.mode === 'reject-permanent') return callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
          callback();
        },
        onData(stream, session, callback) {
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            const raw = Buffer.concat(chunks).toString('utf8');
            const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
            const mail = { ...parseMail(raw), from, to: session.envelope.rcptTo.map((r) => r.address), raw };
            state.received.push(mail);
            state.onAccept?.(mail);
            callback();
          });
        },
      });
      server = created;
      await new Promise<void>((resolve, reject) => {
        created.once('error', reject);
        created.listen(state.port, '127.0.0.1', () => resolve());
      });
      state.port = (created.server.address() as AddressInfo).port;
      state.url = `smtp://127.0.0.1:${state.port}`;
    },
  };
  await state.start();
  return state;
}

function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0) headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
  }
  return headers;
}

function decodeBody(body: string, encoding = '7bit'): string {
  if (/base64/i.test(encoding)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (/quoted-printable/i.test(encoding)) {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => `%${hex}`);
    return decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, '%25'));
  }
  return body;
}

/** Just enough MIME for nodemailer's multipart/alternative output: headers, text part, html part. */
function parseMail(raw: string): Pick<ReceivedMail, 'subject' | 'text' | 'html' | 'headers'> {
  const split = raw.search(/\r?\n\r?\n/);
  const headers = parseHeaders(raw.slice(0, split));
  const rest = raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'] ?? '')?.[1];
  const parts = boundary ? rest.split(`--${boundary}`).slice(1, -1) : [rest];
  let text = '';
  let html = '';
  for (const part of parts) {
    const at = part.search(/\r?\n\r?\n/);
    const partHeaders = boundary ? parseHeaders(part.slice(0, at)) : headers;
    const body = decodeBody((boundary ? part.slice(at) : part).replace(/^\r?\n\r?\n/, '').replace(/\r?\n$/, ''), partHeaders['content-transfer-encoding']);
    if ((partHeaders['content-type'] ?? '').startsWith('text/html')) html = body;
    else text = body;
  }
  const subject = decodeSubject(headers.subject ?? '');
  return { subject, text: text.replace(/\r\n/g, '\n'), html: html.replace(/\r\n/g, '\n'), headers };
}

/** RFC 2047 encoded words (`=?UTF-8?Q?...?=`), which nodemailer uses for non-ASCII subjects. */
function decodeSubject(value: string): string {
  return value.replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (_, kind: string, data: string) =>
    kind.toLowerCase() === 'b' ? Buffer.from(data, 'base64').toString('utf8') : decodeBody(data.replace(/_/g, ' '), 'quoted-printable'),
  );
}
