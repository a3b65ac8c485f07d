// Start and stop a proplink server for browser tests: a fresh data directory,
// demo data, and `proplink serve` on a free loopback port.
import { spawn, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository root (tests/e2e/lib -> repo). */
export const repoRoot = path.resolve(here, '..', '..', '..');

/** Path of the proplink binary: $PROPLINK_BIN, else <target>/debug/proplink. */
export function proplinkBin() {
  if (process.env.PROPLINK_BIN) return path.resolve(process.env.PROPLINK_BIN);
  const target = process.env.CARGO_TARGET_DIR
    ? path.resolve(repoRoot, process.env.CARGO_TARGET_DIR)
    : path.join(repoRoot, 'target');
  return path.join(target, 'debug', 'proplink');
}

/** Ask the OS for a free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Keep the last `max` characters of a process's output for error messages. */
function makeLog(max = 20000) {
  let text = '';
  return {
    add(chunk) {
      text += chunk;
      if (text.length > max) text = text.slice(text.length - max);
    },
    get text() {
      return text;
    },
  };
}

function runDemo(bin, env, timeoutMs) {
  return new Promise((resolve, reject) => {
    execFile(
      bin,
      ['demo'],
      { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          err.message = `\`proplink demo\` failed: ${err.message}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;
          reject(err);
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
  });
}

/**
 * Start a proplink instance with demo data.
 *
 * @param {object} opts
 * @param {string} opts.smtpUrl   e.g. smtp://127.0.0.1:2525
 * @param {object} [opts.env]     extra environment for both `demo` and `serve`
 * @param {number} [opts.startTimeoutMs]
 * @returns {Promise<{port:number, baseUrl:string, orgUrl:(slug:string)=>string, dataDir:string, logs:()=>string, stop:()=>Promise<void>}>}
 */
export async function startServer({ smtpUrl, env: extraEnv = {}, startTimeoutMs = 60000 } = {}) {
  const bin = proplinkBin();
  if (!existsSync(bin)) {
    throw new Error(
      `proplink binary not found at ${bin}. Build it first (cargo build -p proplink-backend) ` +
        'or set PROPLINK_BIN to its path.',
    );
  }

  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'proplink-e2e-'));
  const port = await freePort();
  const listen = `127.0.0.1:${port}`;

  const env = { ...process.env };
  // SQLite in the temp dir unless a PostgreSQL database is asked for.
  delete env.DATABASE_URL;
  if (process.env.E2E_DATABASE_URL) env.DATABASE_URL = process.env.E2E_DATABASE_URL;
  Object.assign(env, {
    PROPLINK_DATA_DIR: dataDir,
    PROPLINK_LISTEN: listen,
    ...(smtpUrl ? { PROPLINK_SMTP_URL: smtpUrl } : {}),
    ...extraEnv,
  });

  const cleanupDir = () => rm(dataDir, { recursive: true, force: true }).catch(() => {});

  try {
    await runDemo(bin, env, startTimeoutMs);
  } catch (err) {
    await cleanupDir();
    throw err;
  }

  const log = makeLog();
  const child = spawn(bin, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const echo = !!process.env.E2E_DEBUG;
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      log.add(chunk);
      if (echo) process.stderr.write(`[proplink] ${chunk}`);
    });
  }

  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
    child.once('error', (err) => {
      exited = { code: null, signal: null, error: err };
      resolve(exited);
    });
  });
  // Never leave a server behind if the test process dies.
  const killOnExit = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const baseUrl = `http://${listen}`;

  async function stop() {
    process.removeListener('exit', killOnExit);
    if (!exited) {
      child.kill('SIGTERM');
      let timer;
      const grace = new Promise((resolve) => {
        timer = setTimeout(resolve, 10000);
      });
      await Promise.race([exitPromise, grace]);
      clearTimeout(timer);
      if (!exited) {
        child.kill('SIGKILL');
        await exitPromise;
      }
    }
    await cleanupDir();
  }

  // Wait until /healthz answers 200.
  const deadline = Date.now() + startTimeoutMs;
  let lastError = null;
  for (;;) {
    if (exited) {
      await stop();
      const why = exited.error ? exited.error.message : `code ${exited.code}, signal ${exited.signal}`;
      throw new Error(`\`proplink serve\` exited before it was ready (${why}).\n--- output ---\n${log.text}`);
    }
    try {
      const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) break;
      lastError = new Error(`/healthz answered ${res.status}`);
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `\`proplink serve\` not ready on ${baseUrl} within ${startTimeoutMs} ms ` +
          `(last: ${lastError && lastError.message}).\n--- output ---\n${log.text}`,
      );
    }
    await sleep(200);
  }

  return {
    port,
    baseUrl,
    /** Base URL of an organisation's admin app, e.g. orgUrl('acme'). */
    orgUrl: (slug) => `http://${slug}.proplink.localhost:${port}`,
    dataDir,
    logs: () => log.text,
    stop,
  };
}
