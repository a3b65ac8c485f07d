// Start the Facility Report desktop app (Tauri 2, WebKitGTK) under Xvfb and drive it over
// WebDriver: Xvfb on a free display, tauri-driver on a free port (it runs WebKitWebDriver,
// which starts the app), and a webdriverio session against tauri-driver.
import { spawn } from 'node:child_process';
import { existsSync, accessSync, readFileSync, constants as fsConstants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { remote } from 'webdriverio';

import { freePort, repoRoot } from './server.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Path of the app binary: $FACILITY_REPORT_BIN, else <target>/debug/facility-report. */
export function facilityReportBin() {
  if (process.env.FACILITY_REPORT_BIN) return path.resolve(process.env.FACILITY_REPORT_BIN);
  const target = process.env.CARGO_TARGET_DIR
    ? path.resolve(repoRoot, process.env.CARGO_TARGET_DIR)
    : path.join(repoRoot, 'target');
  return path.join(target, 'debug', 'facility-report');
}

function isExecutable(file) {
  try {
    accessSync(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Path of tauri-driver: $TAURI_DRIVER, else $CARGO_HOME/bin or ~/.cargo/bin, else PATH.
 * Null if none of those has it.
 */
export function tauriDriverBin() {
  if (process.env.TAURI_DRIVER) return path.resolve(process.env.TAURI_DRIVER);
  const cargoHome = process.env.CARGO_HOME || path.join(os.homedir(), '.cargo');
  const candidates = [path.join(cargoHome, 'bin', 'tauri-driver'), path.join(os.homedir(), '.cargo', 'bin', 'tauri-driver')];
  for (const dir of (process.env.PATH || '').split(path.delimiter).filter(Boolean)) {
    candidates.push(path.join(dir, 'tauri-driver'));
  }
  return candidates.find(isExecutable) || null;
}

/** Path of WebKitWebDriver: $WEBKIT_WEBDRIVER, else /usr/bin/WebKitWebDriver. */
export function webkitWebDriverBin() {
  return process.env.WEBKIT_WEBDRIVER || '/usr/bin/WebKitWebDriver';
}

/** Path of Xvfb: $XVFB, else /usr/bin/Xvfb. */
export function xvfbBin() {
  return process.env.XVFB || '/usr/bin/Xvfb';
}

/** Say exactly what is missing to run the app test, or return null if nothing is. */
export function missingForApp() {
  const missing = [];
  const app = facilityReportBin();
  if (!existsSync(app)) {
    missing.push(`the app binary at ${app} (cargo build -p facility-report, or set FACILITY_REPORT_BIN)`);
  }
  const driver = tauriDriverBin();
  if (!driver || !isExecutable(driver)) {
    missing.push(
      process.env.TAURI_DRIVER
        ? `tauri-driver at $TAURI_DRIVER=${process.env.TAURI_DRIVER}`
        : 'tauri-driver (cargo install tauri-driver --locked, or set TAURI_DRIVER)',
    );
  }
  if (!isExecutable(webkitWebDriverBin())) {
    missing.push(`WebKitWebDriver at ${webkitWebDriverBin()} (apt-get install webkit2gtk-driver)`);
  }
  if (!isExecutable(xvfbBin())) missing.push(`Xvfb at ${xvfbBin()} (apt-get install xvfb)`);
  return missing.length ? `cannot run the app test; missing: ${missing.join('; ')}` : null;
}

/** Keep the last `max` characters of some processes' output. */
function makeLog(max = 200000) {
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

/**
 * Spawn a process in its own process group (so that stopping it also stops what it
 * started), with its output in `log` under `tag`.
 */
function spawnLogged(tag, bin, args, { env, log }) {
  const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const echo = !!process.env.E2E_DEBUG;
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      log.add(chunk.replace(/^(?=.)/gm, `[${tag}] `));
      if (echo) process.stderr.write(chunk.replace(/^(?=.)/gm, `[${tag}] `));
    });
  }
  const handle = { tag, child, exited: null };
  handle.exitPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      handle.exited = { code, signal };
      log.add(`[${tag}] exited (code ${code}, signal ${signal})\n`);
      resolve(handle.exited);
    });
    child.once('error', (err) => {
      handle.exited = { code: null, signal: null, error: err };
      log.add(`[${tag}] could not start: ${err.message}\n`);
      resolve(handle.exited);
    });
  });
  // Never leave them behind if the test process dies.
  handle.killOnExit = () => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // never started, or all gone
    }
  };
  process.once('exit', handle.killOnExit);
  return handle;
}

function killGroup(handle, signal) {
  if (handle.exited || !handle.child.pid) return;
  try {
    process.kill(-handle.child.pid, signal);
  } catch {
    try {
      handle.child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** SIGTERM the process group, SIGKILL it after `graceMs`. */
async function stopProcess(handle, graceMs = 5000) {
  if (!handle) return;
  process.removeListener('exit', handle.killOnExit);
  if (!handle.exited) {
    killGroup(handle, 'SIGTERM');
    let timer;
    await Promise.race([handle.exitPromise, new Promise((r) => { timer = setTimeout(r, graceMs); })]);
    clearTimeout(timer);
  }
  // Whatever it started may still be around even if the leader has gone.
  try {
    process.kill(-handle.child.pid, 'SIGKILL');
  } catch {
    // group empty
  }
  await handle.exitPromise;
}

/** The pid in an X server's lock file, or null. */
function lockOwner(n) {
  try {
    return parseInt(readFileSync(`/tmp/.X${n}-lock`, 'utf8').trim(), 10);
  } catch {
    return null;
  }
}

/** Start Xvfb on the first free display in 90..99. */
async function startXvfb(log) {
  const bin = xvfbBin();
  for (let n = 90; n <= 99; n++) {
    if (existsSync(`/tmp/.X${n}-lock`) || existsSync(`/tmp/.X11-unix/X${n}`)) continue;
    const handle = spawnLogged(`xvfb:${n}`, bin, [`:${n}`, '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
      env: process.env,
      log,
    });
    const deadline = Date.now() + 10000;
    while (!handle.exited && Date.now() < deadline) {
      // Ready once the socket is there and the lock file names our Xvfb (not a rival's).
      if (existsSync(`/tmp/.X11-unix/X${n}`) && lockOwner(n) === handle.child.pid) {
        return { display: `:${n}`, handle };
      }
      await sleep(100);
    }
    // Taken by a server we cannot see, or too slow: try the next one.
    await stopProcess(handle, 1000);
  }
  throw new Error('Xvfb could not start on any display in :90..:99');
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Start the app under Xvfb and open a WebDriver session on it.
 *
 * @param {object} [opts]
 * @param {object} [opts.env]  extra environment for the app (FACILITY_REPORT_SERVER, …)
 * @param {number} [opts.startTimeoutMs]
 * @returns {Promise<{browser: WebdriverIO.Browser, display: string, dataDir: string, logs: () => string, stop: () => Promise<void>}>}
 *   `dataDir` is a fresh temp dir used as FACILITY_REPORT_DATA_DIR (unless opts.env sets it)
 *   and for the webview's own storage; `stop()` removes it.
 */
export async function startApp({ env: extraEnv = {}, startTimeoutMs = 60000 } = {}) {
  const missing = missingForApp();
  if (missing) throw new Error(missing);
  const appBin = facilityReportBin();
  const driverBin = tauriDriverBin();

  const log = makeLog();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'facility-report-e2e-'));
  let xvfb = null;
  let display = null;
  let driver = null;
  let browser = null;
  let stopped = false;

  async function stop() {
    if (stopped) return;
    stopped = true;
    if (browser) {
      // Closing the session closes the app; do not wait long for it.
      await Promise.race([browser.deleteSession().catch(() => {}), sleep(10000)]);
    }
    await stopProcess(driver).catch(() => {});
    await stopProcess(xvfb).catch(() => {});
    await rm(dataDir, { recursive: true, force: true }).catch(() => {});
  }

  try {
    const x = await startXvfb(log);
    xvfb = x.handle;
    display = x.display;

    const port = await freePort();
    let nativePort = await freePort();
    while (nativePort === port) nativePort = await freePort();
    const env = {
      ...process.env,
      DISPLAY: x.display,
      // WebKitGTK as root in a container: no bubblewrap sandbox, no GPU compositing.
      WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS: '1',
      WEBKIT_DISABLE_COMPOSITING_MODE: '1',
      // The webview's own storage (localStorage, caches) starts empty too.
      XDG_DATA_HOME: path.join(dataDir, 'xdg-data'),
      XDG_CACHE_HOME: path.join(dataDir, 'xdg-cache'),
      XDG_CONFIG_HOME: path.join(dataDir, 'xdg-config'),
      FACILITY_REPORT_DATA_DIR: path.join(dataDir, 'store'),
      ...extraEnv,
    };
    // Keep the app away from the desktop session of whoever runs the test.
    delete env.WAYLAND_DISPLAY;
    driver = spawnLogged(
      'tauri-driver',
      driverBin,
      ['--port', String(port), '--native-port', String(nativePort), '--native-driver', webkitWebDriverBin()],
      { env, log },
    );
    // tauri-driver listens at once, but WebKitWebDriver (which it starts) only a moment
    // later: a session asked for before that fails with "connection refused".
    const deadline = Date.now() + startTimeoutMs;
    while (!(await canConnect(port)) || !(await canConnect(nativePort))) {
      if (driver.exited) throw new Error('tauri-driver exited before it was ready');
      if (Date.now() > deadline) {
        throw new Error(
          `tauri-driver (port ${port}) and WebKitWebDriver (port ${nativePort}) ` +
            `not both listening within ${startTimeoutMs} ms`,
        );
      }
      await sleep(100);
    }

    const sessionStart = Date.now();
    browser = await remote({
      hostname: '127.0.0.1',
      port,
      path: '/',
      // Failures reach the test as errors; E2E_DEBUG shows webdriverio's warnings too.
      logLevel: process.env.E2E_DEBUG ? 'warn' : 'silent',
      connectionRetryTimeout: startTimeoutMs,
      connectionRetryCount: 0,
      waitforTimeout: 15000,
      capabilities: {
        browserName: 'wry',
        'tauri:options': { application: appBin },
        // tauri-driver and WebKitWebDriver speak classic WebDriver only, not BiDi.
        'wdio:enforceWebDriverClassic': true,
      },
    }).catch((err) => {
      err.message =
        `no WebDriver session on the app after ${Date.now() - sessionStart} ms ` +
        `(did ${appBin} start and open its window? see its output below): ${err.message}`;
      throw err;
    });
  } catch (err) {
    await stop();
    err.message += `\n--- xvfb / tauri-driver / app output ---\n${log.text}`;
    throw err;
  }

  return {
    browser,
    display,
    dataDir,
    /** Output of Xvfb, tauri-driver, WebKitWebDriver and the app. */
    logs: () => log.text,
    stop,
  };
}
