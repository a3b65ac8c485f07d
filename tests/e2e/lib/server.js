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

/** Runs one SQL statement with psql against `url`. */
function psql(url, sql) {
  return new Promise((resolve, reject) => {
    execFile('psql', [url, '-qAtc', sql], { timeout: 30000 }, (err, stdout, stderr) => {
      if (err) {
        err.message = `psql failed: ${err.message}\n${stderr}`;
        reject(err);
      } else {
        resolve(stdout);
      }
    });
  });
}

/** A new, empty database on the server `url` names, and how to drop it. */
async function freshDatabase(url) {
  const name = `pl_e2e_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const parsed = new URL(url);
  await psql(url, `CREATE DATABASE ${name}`);
  parsed.pathname = `/${name}`;
  return {
    url: parsed.toString(),
    drop: () => psql(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
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
 * @returns {Promise<{port:number, baseUrl:string, orgUrl:(slug:string)=>string, dataDir:string, logs:()=>string,
 *   running:()=>boolean, pause:()=>Promise<void>, resume:()=>Promise<void>, stop:()=>Promise<void>}>}
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
  // On PostgreSQL each server gets a database of its own, as each gets its own SQLite file:
  // no test file meets another's data or rate limits.
  const database = process.env.E2E_DATABASE_URL ? await freshDatabase(process.env.E2E_DATABASE_URL) : null;
  if (database) env.DATABASE_URL = database.url;
  Object.assign(env, {
    PROPLINK_DATA_DIR: dataDir,
    PROPLINK_LISTEN: listen,
    // Residents pay with the built-in sandbox provider's test cards.
    PROPLINK_PAYMENT_PROVIDER: 'sandbox',
    ...(smtpUrl ? { PROPLINK_SMTP_URL: smtpUrl } : {}),
    ...extraEnv,
  });

  const cleanupDir = async () => {
    await rm(dataDir, { recursive: true, force: true }).catch(() => {});
    if (database) await database.drop().catch(() => {});
  };

  try {
    await runDemo(bin, env, startTimeoutMs);
  } catch (err) {
    await cleanupDir();
    throw err;
  }

  const log = makeLog();
  const echo = !!process.env.E2E_DEBUG;
  const baseUrl = `http://${listen}`;

  /** The running `proplink serve`, or null while paused or stopped. */
  let proc = null;

  /** Start `proplink serve`; returns a handle with its exit state. */
  function spawnServe() {
    const child = spawn(bin, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        log.add(chunk);
        if (echo) process.stderr.write(`[proplink] ${chunk}`);
      });
    }
    const handle = { child, exited: null, exitPromise: null, killOnExit: null };
    handle.exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        handle.exited = { code, signal };
        resolve(handle.exited);
      });
      child.once('error', (err) => {
        handle.exited = { code: null, signal: null, error: err };
        resolve(handle.exited);
      });
    });
    // Never leave a server behind if the test process dies.
    handle.killOnExit = () => {
      if (!handle.exited) child.kill('SIGKILL');
    };
    process.once('exit', handle.killOnExit);
    return handle;
  }

  /** Stop the running `proplink serve` (SIGTERM, then SIGKILL after 10 s), if any. */
  async function stopServe() {
    const handle = proc;
    proc = null;
    if (!handle) return;
    process.removeListener('exit', handle.killOnExit);
    if (!handle.exited) {
      handle.child.kill('SIGTERM');
      let timer;
      const grace = new Promise((resolve) => {
        timer = setTimeout(resolve, 10000);
      });
      await Promise.race([handle.exitPromise, grace]);
      clearTimeout(timer);
      if (!handle.exited) {
        handle.child.kill('SIGKILL');
        await handle.exitPromise;
      }
    }
  }

  let removed = false;
  async function stop() {
    await stopServe();
    if (!removed) {
      removed = true;
      await cleanupDir();
    }
  }

  /** Start `proplink serve` and wait until /healthz answers 200; on failure, stop everything. */
  async function serve(what) {
    if (removed) throw new Error('the server has been stopped; start a new one');
    if (proc && !proc.exited) return;
    if (proc) {
      // It died on its own: forget it and start a fresh one.
      process.removeListener('exit', proc.killOnExit);
      proc = null;
    }
    const handle = spawnServe();
    proc = handle;
    const deadline = Date.now() + startTimeoutMs;
    let lastError = null;
    for (;;) {
      if (handle.exited) {
        const { exited } = handle;
        await stop();
        const why = exited.error ? exited.error.message : `code ${exited.code}, signal ${exited.signal}`;
        throw new Error(`\`proplink serve\` exited before it was ${what} (${why}).\n--- output ---\n${log.text}`);
      }
      try {
        const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200) return;
        lastError = new Error(`/healthz answered ${res.status}`);
      } catch (err) {
        lastError = err;
      }
      if (Date.now() > deadline) {
        await stop();
        throw new Error(
          `\`proplink serve\` not ${what} on ${baseUrl} within ${startTimeoutMs} ms ` +
            `(last: ${lastError && lastError.message}).\n--- output ---\n${log.text}`,
        );
      }
      await sleep(200);
    }
  }

  // Wait until /healthz answers 200.
  await serve('ready');

  return {
    port,
    baseUrl,
    /** Base URL of an organisation's admin app, e.g. orgUrl('acme'). */
    orgUrl: (slug) => `http://${slug}.proplink.localhost:${port}`,
    dataDir,
    logs: () => log.text,
    /** Whether `proplink serve` is running (false while paused). */
    running: () => proc !== null && !proc.exited,
    /**
     * Stop `proplink serve` but keep its data and port, as if the network went away.
     * Clients then get "connection refused" until `resume()`.
     */
    pause: stopServe,
    /** Start `proplink serve` again on the same port and data, and wait for /healthz. */
    resume: () => serve('ready again'),
    /** Stop the server and remove its data directory. */
    stop,
  };
}
