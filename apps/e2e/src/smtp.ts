import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  messageId: string | undefined;
  receivedAt: Date;
  raw: string;
}

export interface SmtpSink {
  url: string;
  received: ReceivedMail[];
  /** `reject` answers 451 (try again later) to every message until set back to `accept`. */
  mode: 'accept' | 'reject';
  /** Messages between MAIL FROM and the answer to their data. */
  inFlight: number;
  close(): Promise<void>;
}

/** A real SMTP server for the notifications process to send to, recording what it accepts. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const sink: SmtpSink = { url: '', received: [], mode: 'accept', inFlight: 0, close: async () => undefined };
  const open = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onMailFrom(_address, session, callback) {
      if (sink.mode === 'reject') return callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
      open.add(session.id);
      sink.inFlight = open.size;
      callback();
    },
    onClose(session) {
      open.delete(session.id);
      sink.inFlight = open.size;
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const messageId = /^message-id:\s*(\S+)/im.exec(raw)?.[1];
        sink.received.push({ to: session.envelope.rcptTo.map((r) => r.address), messageId, receivedAt: new Date(), raw });
        open.delete(session.id);
        sink.inFlight = open.size;
        callback();
      });
    },
  });
  // A sender killed mid-session resets its connection: that is the sender's fault to test, not ours.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  sink.url = `smtp://127.0.0.1:${port}`;
  sink.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return sink;
}
