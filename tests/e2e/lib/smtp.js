// A throwaway SMTP server that keeps every message it receives, so tests can
// read the sign-in codes the app sends. Plain SMTP on loopback: no TLS, no auth.
import { SMTPServer } from 'smtp-server';

/** Undo quoted-printable soft line breaks and `=XX` escapes well enough to find a code. */
export function decodeQuotedPrintable(text) {
  return text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/gi, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * First 6-digit code in a raw message (headers + body). Returns null if none.
 * Handles quoted-printable bodies, and base64 parts as a fallback.
 */
export function extractCode(raw) {
  // Skip the top header block so digits in Date/Message-ID headers cannot
  // match, and drop MIME boundary lines.
  const split = raw.search(/\r?\n\r?\n/);
  const bodyRaw = (split >= 0 ? raw.slice(split) : raw)
    .split(/\r?\n/)
    .filter((line) => !line.startsWith('--'))
    .join('\r\n');
  const m = decodeQuotedPrintable(bodyRaw).match(/\b(\d{6})\b/);
  if (m) return m[1];
  // Fallback: base64-encoded parts (runs of base64-only lines).
  const blocks = bodyRaw.match(/(?:^[A-Za-z0-9+/]{4,}={0,2}\r?$\n?)+/gm) || [];
  for (const block of blocks) {
    const decoded = Buffer.from(block.replace(/\s+/g, ''), 'base64').toString('utf8');
    const d = decoded.match(/\b(\d{6})\b/);
    if (d) return d[1];
  }
  return null;
}

/** Decode RFC 2047 encoded words (`=?utf-8?Q?...?=` / `=?utf-8?B?...?=`) in a header. */
export function decodeHeader(value) {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=/gi, (_, _charset, enc, data) => {
      if (enc.toUpperCase() === 'B') return Buffer.from(data, 'base64').toString('utf8');
      const bytes = data
        .replace(/_/g, ' ')
        .replace(/=([0-9A-F]{2})/gi, (__, hex) => String.fromCharCode(parseInt(hex, 16)));
      return Buffer.from(bytes, 'latin1').toString('utf8');
    });
}

function headerValue(raw, name) {
  const split = raw.search(/\r?\n\r?\n/);
  const head = (split >= 0 ? raw.slice(0, split) : raw).replace(/\r?\n[ \t]+/g, ' ');
  const re = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im');
  const m = head.match(re);
  return m ? decodeHeader(m[1].trim()) : '';
}

/**
 * Start the SMTP server on 127.0.0.1 with a free port.
 * @returns {Promise<{port:number, url:string, messages:Array, waitForMessage:Function, waitForCode:Function, stop:Function}>}
 */
export async function startSmtp() {
  /** @type {Array<{from:string, to:string[], subject:string, raw:string, receivedAt:Date}>} */
  const messages = [];
  const waiters = new Set();

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    banner: 'proplink e2e mail sink',
    closeTimeout: 1000,
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('error', callback);
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const msg = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          subject: headerValue(raw, 'Subject'),
          raw,
          receivedAt: new Date(),
        };
        messages.push(msg);
        for (const w of waiters) w();
        callback();
      });
    },
  });
  server.on('error', (err) => {
    // Connection-level errors (a client hanging up) must not crash the test run.
    if (process.env.E2E_DEBUG) console.error('[smtp]', err);
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.server.address();

  /**
   * Wait for a message to `toAddress` matching `predicate`, received at or
   * after the index `since` (default: any message, including earlier ones).
   */
  function waitForMessage(toAddress, { timeoutMs = 15000, since = 0, predicate = () => true } = {}) {
    const want = toAddress.toLowerCase();
    const find = () =>
      messages.slice(since).find((m) => m.to.includes(want) && predicate(m));
    return new Promise((resolve, reject) => {
      const hit = find();
      if (hit) return resolve(hit);
      const check = () => {
        const m = find();
        if (m) {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(m);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        const seen = messages.map((m) => `${m.to.join(',')}: ${m.subject}`).join('; ') || 'none';
        reject(new Error(`no mail to ${toAddress} within ${timeoutMs} ms (received: ${seen})`));
      }, timeoutMs);
      waiters.add(check);
    });
  }

  /**
   * Wait for a sign-in code mail to `toAddress` and return its 6-digit code.
   * Only considers messages that arrive after the previous code was taken, so
   * signing in twice in one test gets the fresh code.
   */
  let consumed = 0;
  async function waitForCode(toAddress, timeoutMs = 15000) {
    const msg = await waitForMessage(toAddress, {
      timeoutMs,
      since: consumed,
      predicate: (m) => /sign-in code/i.test(m.subject) && extractCode(m.raw) !== null,
    });
    consumed = messages.indexOf(msg) + 1;
    return extractCode(msg.raw);
  }

  function stop() {
    return new Promise((resolve) => server.close(() => resolve()));
  }

  return { port, url: `smtp://127.0.0.1:${port}`, messages, waitForMessage, waitForCode, stop };
}
