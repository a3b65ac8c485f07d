// The Facility Report desktop app (Tauri 2, WebKitGTK) under Xvfb at a phone's 390×844,
// driven over WebDriver by tauri-driver against a real proplink server, as a site manager
// uses it: sign in (errors on the fields they concern), log an issue camera-first with a
// photo, move a work order through its life cycle with notes and a photo, reply to a ticket
// and add an internal note, go offline, log an issue and link it to a ticket, be warned
// before signing out with changes unsent, come back and sync, be notified of a new
// high-priority ticket and open it from the notice — then find it all in the admin app.
// Screenshots of each screen land in tests/e2e/test-results/app-*.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startSmtp } from '../lib/smtp.js';
import { startServer } from '../lib/server.js';
import { startApp } from '../lib/app.js';
import { launchBrowser } from '../lib/browser.js';
import { appState, attachDrawnPhoto, attachPhoto, choose, drawJpeg, fill, layoutProblems, screenshot, tap, waitForApp } from '../lib/app-screens.js';

const e2eDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = path.join(e2eDir, 'test-results');

const ORG = 'acme';
const SITE_MANAGER = 'sam.singh@acme.example';
const SITE = 'Riverside Court';
const OTHER_SITE = 'Maple Gardens';
const WORK_ORDER = 'Communal redecoration';
const STAFF_EMAIL = 'mark.manager@acme.example';

/** One JPEG marker segment: 0xFF, the marker, the length, the contents. */
function segment(marker, contents) {
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(contents.length + 2, 2);
  return Buffer.concat([head, contents]);
}

/** The EXIF block a phone camera writes, here just where the photo was taken (GPS, north). */
function gpsExif() {
  const tiff = Buffer.alloc(44);
  tiff.write('MM\u0000*', 0, 'latin1');
  tiff.writeUInt32BE(8, 4); // IFD0
  tiff.writeUInt16BE(1, 8);
  tiff.writeUInt16BE(0x8825, 10); // GPSInfo, a LONG pointing at the GPS IFD
  tiff.writeUInt16BE(4, 12);
  tiff.writeUInt32BE(1, 14);
  tiff.writeUInt32BE(26, 18);
  tiff.writeUInt16BE(1, 26);
  tiff.writeUInt16BE(0x0001, 28); // GPSLatitudeRef = "N"
  tiff.writeUInt16BE(2, 30);
  tiff.writeUInt32BE(2, 32);
  tiff.write('N', 36, 'latin1');
  return Buffer.concat([Buffer.from('Exif\u0000\u0000', 'latin1'), tiff]);
}

/**
 * A photo as a phone camera takes it (`taken`: with its GPS position in EXIF) and as PropLink
 * must keep it (`kept`: the same picture without the EXIF block).
 */
function makePhoto(size = 4096) {
  const jfif = segment(0xe0, Buffer.from('JFIF\u0000\u0001\u0001\u0000\u0000\u0001\u0000\u0001\u0000\u0000', 'latin1'));
  const frame = segment(0xc0, Buffer.from([8, 0, 1, 0, 1, 1, 1, 0x11, 0]));
  const scan = segment(0xda, Buffer.from([1, 1, 0, 0, 63, 0]));
  // Entropy-coded data never holds 0xFF unstuffed: keep every byte below it.
  const data = Buffer.from(randomBytes(size).map((b) => b & 0x7f));
  const soi = Buffer.from([0xff, 0xd8]);
  const eoi = Buffer.from([0xff, 0xd9]);
  return {
    taken: Buffer.concat([soi, jfif, segment(0xe1, gpsExif()), frame, scan, data, eoi]),
    kept: Buffer.concat([soi, jfif, frame, scan, data, eoi]),
  };
}


/**
 * PropLink's API as another device would call it (a manager's, here): node's resolver does not
 * know *.localhost, so the request goes to loopback with the API's host name.
 */
function apiCall(port, method, route, { body, token } = {}) {
  const data = body ? Buffer.from(JSON.stringify(body)) : null;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: `/v1${route}`,
        headers: {
          host: `api.proplink.localhost:${port}`,
          ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json = null;
          try {
            json = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode, json, text });
        });
      },
    );
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

/** The manager raises a high-priority ticket on the site from their own device. */
async function raiseTicketElsewhere(port, smtp, siteName, subject) {
  const deviceId = randomUUID();
  let r = await apiCall(port, 'POST', '/auth/code', { body: { org: ORG, email: STAFF_EMAIL } });
  assert.equal(r.status, 202, `code for ${STAFF_EMAIL}: ${r.text}`);
  const code = await smtp.waitForCode(STAFF_EMAIL, 30000);
  r = await apiCall(port, 'POST', '/auth/token', { body: { org: ORG, email: STAFF_EMAIL, code, device_id: deviceId, device_name: 'Office tablet' } });
  assert.equal(r.status, 200, `token for ${STAFF_EMAIL}: ${r.text}`);
  const { token, next_seq: seq } = r.json;
  r = await apiCall(port, 'GET', '/sync/pull?cursor=0', { token });
  assert.equal(r.status, 200, r.text);
  const site = r.json.sites.find((s) => s.name === siteName);
  assert.ok(site, `${siteName} among the manager's sites`);
  const ticketId = randomUUID();
  r = await apiCall(port, 'POST', '/sync/push', {
    token,
    body: {
      device_id: deviceId,
      mutations: [
        {
          mutation_id: randomUUID(),
          seq,
          kind: 'raise_ticket',
          payload: { ticket_id: ticketId, site_id: site.id, unit_id: null, subject, body: 'Water coming through the ceiling of the bin store.', category: 'maintenance', priority: 'high', photos: [] },
        },
      ],
    },
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.results[0].outcome, 'applied', JSON.stringify(r.json));
  return ticketId;
}

/** A JPEG's image data: from its start-of-scan marker to its end. */
function scanOf(jpeg) {
  const at = jpeg.indexOf(Buffer.from([0xff, 0xda]));
  assert.ok(at > 0, 'a JPEG has a start of scan');
  return jpeg.subarray(at);
}

/** `jpeg` with the camera's EXIF block (its GPS position) right after the start marker. */
function withGps(jpeg) {
  return Buffer.concat([jpeg.subarray(0, 2), segment(0xe1, gpsExif()), jpeg.subarray(2)]);
}

const cardFor = (state, title) => state.cards.find((c) => c.title === title);

/** The first line of the notification log that `wanted` accepts, waiting up to `timeoutMs`. */
async function waitForNotice(log, wanted, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await readFile(log, 'utf8').catch(() => '');
    const found = text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)).find(wanted);
    if (found) return found;
    if (Date.now() > deadline) assert.fail(`no such notification was shown: ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('Facility Report desktop app', () => {
  let smtp;
  let server;
  let app;
  let browser;
  let apiUrl;
  let notificationLog;

  before(async () => {
    smtp = await startSmtp();
    // The app's pushes come to its loopback endpoint, as a desktop build takes them.
    server = await startServer({ smtpUrl: smtp.url, startTimeoutMs: 90000, env: { PROPLINK_PUSH_INSECURE_ENDPOINTS: 'true' } });
    apiUrl = `http://api.proplink.localhost:${server.port}`;
    notificationLog = path.join(await mkdtemp(path.join(os.tmpdir(), 'facility-report-notices-')), 'shown.jsonl');
    app = await startApp({ env: { FACILITY_REPORT_SERVER: apiUrl, FACILITY_REPORT_NOTIFICATION_LOG: notificationLog }, startTimeoutMs: 60000 });
    browser = app.browser;
    // A phone's screen: 390×844.
    await browser.setWindowSize(390, 844).catch(() => {});
  }, { timeout: 240000 });

  after(async () => {
    if (app) await app.stop().catch(() => {});
    if (server) await server.stop().catch(() => {});
    if (smtp) await smtp.stop().catch(() => {});
  }, { timeout: 60000 });

  test('a site manager’s day in the app, online and offline, reaches the office', { timeout: 900000 }, async (t) => {
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    const first = `Valve leaking in plant room ${stamp}`;
    const second = `Cracked paving by the bins ${stamp}`;
    const urgentSubject = `Leak into the bin store ${stamp}`;
    let photo;
    let kept;
    let photoSha;
    const photoDir = await mkdtemp(path.join(os.tmpdir(), 'facility-report-photo-'));
    await mkdir(resultsDir, { recursive: true });
    const shot = (name) => screenshot(browser, path.join(resultsDir, `app-${name}.png`), t);
    let step = 'starting';
    let chromium;
    let page;
    try {
      // a. Sign in. The server address is tucked away; errors sit on the fields they are about.
      step = 'sign in';
      await (await browser.$('#org')).waitForDisplayed({ timeout: 60000 });
      let state = await appState(browser);
      assert.ok(state.width <= 400, `the window should be a phone's width, is ${state.width}×${state.height}`);
      t.diagnostic(`window ${state.width}×${state.height}`);
      assert.equal(await (await browser.$('#server')).isDisplayed(), false, 'the server address is under Advanced, not the first field');
      assert.equal(await browser.execute(() => document.getElementById('server').value), apiUrl, 'the server comes from FACILITY_REPORT_SERVER');
      await tap(browser, '#send-code');
      state = await appState(browser);
      assert.match(state.fieldErrors.org ?? '', /Enter your organisation/, `an empty organisation is said on its field: ${JSON.stringify(state.fieldErrors)}`);
      assert.match(state.fieldErrors.email ?? '', /Enter your email/, 'and an empty email on its');
      assert.doesNotMatch(state.alert, /no organisation/i, 'an empty form is not "no such organisation"');
      await fill(browser, '#org', 'no-such-org');
      await fill(browser, '#email', SITE_MANAGER);
      await tap(browser, '#send-code');
      state = await waitForApp(browser, 'the unknown organisation on its field', (s) => /no organisation/i.test(s.fieldErrors.org ?? ''));
      assert.equal(state.fieldErrors.email, undefined, 'the email is fine and says nothing');
      await shot('sign-in-error');
      await fill(browser, '#org', ORG);
      await tap(browser, '#send-code');
      await (await browser.$('#code')).waitForDisplayed({ timeout: 30000 });
      assert.ok(await (await browser.$('#resend')).isDisplayed(), 'a new code can be asked for');
      assert.ok(await (await browser.$('#change-email')).isDisplayed(), 'and the email changed');
      const code = await smtp.waitForCode(SITE_MANAGER, 30000);
      await fill(browser, '#code', code);
      await tap(browser, '#sign-in');
      state = await waitForApp(browser, 'the lists after signing in', (s) => s.home, { timeout: 60000 });
      assert.match(state.status, /^Online · all changes sent/, 'the bar says online and nothing waiting');

      // b. Navigation fits a phone with counts; cards show priority and UK dates.
      step = 'the lists';
      if (state.site !== SITE) {
        await tap(browser, '#site-button');
        await tap(browser, `//button[contains(@class,"card")][.//strong[contains(., "${SITE}")]]`);
        state = await waitForApp(browser, `site ${SITE}`, (s) => s.home && s.site === SITE);
      }
      assert.deepEqual(state.nav.map((n) => n.replace(/\s*\d+$/, '')), ['Work', 'Issues', 'Tickets', 'Outbox']);
      assert.ok(state.nav.every((n) => /\d+$/.test(n)), `each section shows its count: ${state.nav}`);
      assert.deepEqual(await layoutProblems(browser, '#nav .nav-item, #nav .nav-label, .bar-row, #log-issue'), [], 'nothing in the bar or the navigation is cut off');
      assert.ok(state.cards.length > 0, 'Riverside Court has open work orders');
      assert.ok(state.cards.every((c) => c.priority), 'every card carries its priority');
      const dated = state.cards.find((c) => /Due \d{1,2} [A-Z][a-z]{2} \d{4}/.test(c.text));
      assert.ok(dated, `due dates in UK form: ${state.cards.map((c) => c.text).join(' / ')}`);
      assert.ok(!state.cards.some((c) => /\d{4}-\d{2}-\d{2}/.test(c.text)), 'no ISO dates on cards');
      await shot('work-orders');

      // c. Log an issue camera-first: Log issue, photo, title and a place, Save.
      step = 'log an issue with a photo';
      // A real picture, with where it was taken in its EXIF as a phone camera writes it.
      kept = await drawJpeg(browser, 1200, 900);
      photo = withGps(kept);
      photoSha = createHash('sha256').update(photo).digest('hex');
      const taps = { count: 0 };
      await tap(browser, '#log-issue', taps);
      await (await browser.$('#take-photo')).waitForDisplayed({ timeout: 15000 });
      const photoFirst = await browser.execute(() => {
        const take = document.getElementById('take-photo').getBoundingClientRect();
        const title = document.getElementById('title').getBoundingClientRect();
        return take.top < title.top && take.bottom <= window.innerHeight;
      });
      assert.ok(photoFirst, 'the photo button comes first, above the fold');
      // The camera's shutter is the second tap; the picked photo arrives in the input.
      taps.count += 1;
      const via = await attachPhoto(browser, '#photo-input', photo, path.join(photoDir, 'photo.jpg'));
      await waitForApp(browser, 'the thumbnail', (s) => s.thumbs === 1);
      // A second shot, then thought better of: removed.
      await attachPhoto(browser, '#photo-input', makePhoto().taken, path.join(photoDir, 'photo2.jpg'));
      await waitForApp(browser, 'two thumbnails', (s) => s.thumbs === 2);
      await tap(browser, '[aria-label="Remove photo 2"]');
      await waitForApp(browser, 'one thumbnail again', (s) => s.thumbs === 1);
      await fill(browser, '#title', first);
      await fill(browser, '#location', 'Basement plant room, by boiler 2');
      await choose(browser, 'priority-high');
      await shot('log-issue');
      await tap(browser, '#save-issue', taps);
      state = await waitForApp(browser, `"${first}" on the Issues list`, (s) => s.home && s.list.startsWith('Issues') && !!cardFor(s, first), { timeout: 30000 });
      t.diagnostic(`issue logged in ${taps.count} taps (photo by ${via}), plus typing`);
      assert.ok(taps.count <= 3, `logging an issue with a photo takes about three taps, took ${taps.count}`);
      state = await waitForApp(
        browser,
        `"${first}" sent`,
        (s) => /all changes sent/.test(s.status) && cardFor(s, first) && !cardFor(s, first).pending,
        { timeout: 60000, nudge: 10000 },
      );
      assert.match(cardFor(state, first).text, /\b1 photo\b/);
      assert.equal(cardFor(state, first).priority, 'high');

      // Its detail: photos from the phone's store, the viewer, its history.
      step = 'issue detail';
      await tap(browser, `//button[contains(@class,"card")][.//strong[text()="${first}"]]`);
      await (await browser.$('.thumb-button img')).waitForDisplayed({ timeout: 15000 });
      await tap(browser, '.thumb-button');
      await (await browser.$('#viewer-image')).waitForDisplayed({ timeout: 15000 });
      await tap(browser, '#viewer-close');
      const history = await browser.execute(() => Array.from(document.querySelectorAll('.history li')).map((li) => li.textContent));
      assert.ok(history.some((h) => /logged issue/i.test(h) && /Sam Singh/.test(h)), `the history says who logged it: ${history}`);
      await shot('issue-detail');
      await tap(browser, '#back');

      // d. A work order through its life cycle, with notes and a big photo made smaller.
      step = 'work order life cycle';
      await tap(browser, '#site-button');
      await tap(browser, `//button[contains(@class,"card")][.//strong[contains(., "${OTHER_SITE}")]]`);
      await tap(browser, '#tab-work-orders');
      state = await waitForApp(browser, `${WORK_ORDER} on ${OTHER_SITE}`, (s) => s.home && s.site === OTHER_SITE && s.list.startsWith('Work orders') && s.cards.some((c) => c.title.includes(WORK_ORDER)));
      const woCard = `//button[contains(@class,"card")][.//strong[contains(., "${WORK_ORDER}")]]`;
      await tap(browser, woCard);
      await choose(browser, 'status-in_progress');
      await fill(browser, '#note', 'Started on the entrance hall; stairwell next week.');
      const drawn = await attachDrawnPhoto(browser, '#photo-input', 3200, 2400);
      await waitForApp(browser, 'the work order photo', (s) => s.thumbs === 1);
      await shot('work-order-update');
      await tap(browser, '#save-work-order');
      state = await waitForApp(browser, 'work started and sent', (s) => s.home && /all changes sent/.test(s.status) && /In progress/.test(cardFor(s, s.cards.find((c) => c.title.includes(WORK_ORDER))?.title)?.text ?? '') && !s.cards.find((c) => c.title.includes(WORK_ORDER)).pending, { timeout: 60000, nudge: 5000 });
      await tap(browser, woCard);
      await (await browser.$('.thumb-button img')).waitForDisplayed({ timeout: 30000 });
      const size = await browser.execute(() => {
        const img = document.querySelector('.thumb-button img');
        return { w: img.naturalWidth, h: img.naturalHeight };
      });
      t.diagnostic(`a ${drawn}-byte 3200×2400 photo was queued as ${size.w}×${size.h}`);
      assert.ok(Math.max(size.w, size.h) <= 1600 && size.w > 0, `the photo is made smaller on the phone: ${size.w}×${size.h}`);
      await choose(browser, 'status-completed');
      await fill(browser, '#note', 'Finished: both areas redecorated, snagging done.');
      await tap(browser, '#save-work-order');
      state = await waitForApp(browser, 'work complete and sent', (s) => s.home && /all changes sent/.test(s.status) && /Completed/.test(s.cards.find((c) => c.title.includes(WORK_ORDER))?.text ?? '') && !s.cards.find((c) => c.title.includes(WORK_ORDER)).pending, { timeout: 60000, nudge: 5000 });

      // A quoted work order has nothing to move on from site: it says what it waits for.
      await tap(browser, '#site-button');
      await tap(browser, `//button[contains(@class,"card")][.//strong[contains(., "${SITE}")]]`);
      await tap(browser, '#tab-work-orders');
      await tap(browser, '//button[contains(@class,"card")][.//strong[contains(., "Gutter clearance")]]');
      assert.match(await (await browser.$('#waiting')).getText(), /quote/i, 'a quoted work order offers no status menu, just what it waits for');
      assert.equal(await browser.$$('input[name="status"]').length, 0);
      await tap(browser, '#back');

      // e. A ticket: a reply to the resident and an internal note.
      step = 'ticket reply and note';
      await tap(browser, '#tab-tickets');
      state = await waitForApp(browser, 'tickets on Riverside Court', (s) => s.home && s.site === SITE && s.list.startsWith('Tickets') && s.cards.length > 0);
      const ticket = state.cards[0].title;
      const ticketRef = ticket.split(':')[0];
      const reply = `We have booked a plumber for Thursday morning (${stamp}).`;
      const note = `Resident asked for a call before arrival (${stamp}).`;
      const ticketCard = `//button[contains(@class,"card")][.//strong[text()="${ticket}"]]`;
      await tap(browser, ticketCard);
      await fill(browser, '#body', reply);
      await tap(browser, '#send-reply');
      await waitForApp(browser, 'the reply saved', (s) => s.home && s.tab === 'tab-tickets');
      await tap(browser, ticketCard);
      await choose(browser, 'audience-internal');
      await fill(browser, '#body', note);
      await tap(browser, '#send-reply');
      await waitForApp(browser, 'both sent', (s) => s.home && /all changes sent/.test(s.status), { timeout: 60000, nudge: 5000 });
      await tap(browser, ticketCard);
      const thread = await browser.execute(() => Array.from(document.querySelectorAll('.thread li')).map((li) => ({ text: li.textContent, note: li.classList.contains('note') })));
      assert.ok(thread.some((m) => m.text.includes(reply) && !m.note), 'the reply is in the conversation');
      assert.ok(thread.some((m) => m.text.includes(note) && m.note), 'the note is marked internal');
      await shot('ticket');
      await tap(browser, '#back');

      // f. Offline: log an issue and link it to the ticket; signing out warns; then sync.
      step = 'offline';
      await server.pause();
      await tap(browser, '#sync');
      state = await waitForApp(browser, 'the offline bar', (s) => /^Offline/.test(s.status), { timeout: 60000, nudge: 5000 });
      assert.match(state.status, /last synced (just now|\d+ min ago)/, `offline says when it last synced: ${state.status}`);
      await tap(browser, '#log-issue');
      await fill(browser, '#title', second);
      await tap(browser, '.suggestion');
      assert.equal(await (await browser.$('#location')).getValue(), 'Basement plant room, by boiler 2', 'a recent place fills Where in one tap');
      await fill(browser, '#location', 'Bin store entrance');
      await tap(browser, '#save-issue');
      state = await waitForApp(browser, `"${second}" waiting`, (s) => s.home && cardFor(s, second)?.pending);
      await tap(browser, `//button[contains(@class,"card")][.//strong[text()="${second}"]]`);
      await (await browser.$('#ticket')).selectByVisibleText(ticket);
      await tap(browser, '#save-links');
      state = await waitForApp(browser, 'two changes waiting offline', (s) => s.home && /^Offline · 2 waiting to send/.test(s.status), { nudge: 5000 });
      assert.match(cardFor(state, second).text, new RegExp(`For ticket ${ticketRef}`), 'the link shows at once, offline');
      assert.ok(state.nav.some((n) => /^Outbox\s*2$/.test(n)), `the Outbox counts what waits: ${state.nav}`);
      await shot('offline');
      await tap(browser, '#site-button');
      await tap(browser, '#sign-out');
      await (await browser.$('#sign-out-anyway')).waitForDisplayed({ timeout: 15000 });
      assert.match(await (await browser.$('#app h2')).getText(), /2 changes not sent yet/);
      await shot('sign-out-warning');
      await tap(browser, '#stay');
      state = await waitForApp(browser, 'the outbox', (s) => s.home && s.list.startsWith('Waiting to send'));
      assert.equal(state.cards.length, 2, 'the outbox lists both changes');

      step = 'sync after the server is back';
      await server.resume();
      await tap(browser, '#sync');
      await tap(browser, '#tab-issues');
      state = await waitForApp(browser, 'everything sent', (s) => s.home && /^Online · all changes sent/.test(s.status) && cardFor(s, second) && !cardFor(s, second).pending, { timeout: 90000, nudge: 5000 });
      assert.match(cardFor(state, second).text, new RegExp(`For ticket ${ticketRef}`), 'the server kept the link');

      // g. A new high-priority ticket raised elsewhere: a notification, and its notice opens it.
      step = 'notification';
      const urgentId = await raiseTicketElsewhere(server.port, smtp, SITE, urgentSubject);
      // The server pushes it to the device at once, sealed for the app's own keys: the app
      // opens it and the system shows it, before any sync. Lock screens get no words of it.
      const pushed = await waitForNotice(notificationLog, (n) => n.source === 'push' && n.record === `ticket/${urgentId}`, 30000);
      assert.equal(pushed.title, `High request at ${SITE}`);
      assert.ok(!pushed.body.includes(urgentSubject), 'the lock screen does not say what was written');
      state = await waitForApp(browser, 'the notice of the new ticket', (s) => s.alerts.some((a) => a.includes(urgentSubject)), { timeout: 60000, nudge: 5000 });
      const shown = (await readFile(notificationLog, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
      const told = shown.filter((n) => n.record === `ticket/${urgentId}`);
      const pushedAt = told.findIndex((n) => n.source === 'push');
      assert.ok(told.slice(pushedAt + 1).every((n) => n.source !== 'sync'), `a sync does not tell of it again: ${JSON.stringify(told)}`);
      await shot('notification');
      await tap(browser, `//button[contains(@class,"alert-open")][contains(., "${urgentSubject}")]`);
      await waitForApp(browser, 'the ticket opened from its notice', (s) => s.heading.includes(urgentSubject));

      // Search, offline-capable: finds the issue by a word of its place.
      step = 'search';
      await tap(browser, '#back');
      await fill(browser, '#search', 'bin store');
      state = await waitForApp(browser, 'search results', (s) => s.cards.some((c) => c.title === second));
      await shot('search');

      // h. All of it is in the admin app, via Facility Report.
      step = 'check the admin app';
      chromium = await launchBrowser();
      const context = await chromium.newContext({ viewport: { width: 1280, height: 900 } });
      page = await context.newPage();
      page.setDefaultTimeout(15000);
      page.setDefaultNavigationTimeout(30000);
      const admin = server.orgUrl(ORG);
      await page.goto(`${admin}/`);
      await page.waitForURL((url) => url.pathname === '/sign-in');
      await page.getByLabel('Email address', { exact: true }).fill(STAFF_EMAIL);
      await page.getByRole('button', { name: 'Send code', exact: true }).click();
      await page.waitForURL((url) => url.pathname === '/sign-in/code');
      const staffCode = await smtp.waitForCode(STAFF_EMAIL, 30000);
      await page.getByLabel('Code', { exact: true }).fill(staffCode);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL((url) => url.pathname === '/dashboard');

      await page.goto(`${admin}/issues`);
      const table = page.locator('table');
      await table.waitFor({ state: 'visible' });
      for (const title of [first, second]) {
        assert.equal(await table.getByRole('link', { name: title, exact: true }).count(), 1, `the issues list shows "${title}" once`);
      }
      await table.getByRole('link', { name: first, exact: true }).click();
      await page.waitForURL((url) => url.pathname.startsWith('/issues/'));
      const trail = (await page.locator('section[aria-labelledby="audit-heading"]').innerText()).replace(/\s+/g, ' ');
      assert.match(trail, /via Facility Report/, `the audit trail names the app: ${trail}`);
      const photos = page.locator('section', { has: page.getByRole('heading', { name: /^Photos \(/ }) });
      assert.equal((await photos.getByRole('heading', { level: 2 }).innerText()).trim(), 'Photos (1)');
      const href = await photos.getByRole('link', { name: 'Photo 1', exact: true }).getAttribute('href');
      assert.ok(href && href.endsWith(`/photos/${photoSha}`), `the photo link names its SHA-256 (${photoSha}): ${href}`);
      const got = await page.evaluate(async (url) => {
        const res = await fetch(url);
        return { status: res.status, type: res.headers.get('content-type'), bytes: Array.from(new Uint8Array(await res.arrayBuffer())) };
      }, href);
      assert.equal(got.status, 200, `GET ${href}`);
      const stored = Buffer.from(got.bytes);
      assert.equal(stored.indexOf(Buffer.from('Exif\u0000\u0000', 'latin1')), -1, 'the stored photo has lost where it was taken');
      assert.ok(scanOf(stored).equals(scanOf(kept)), 'and is the very picture taken (the same image data)');

      await page.goto(`${admin}/issues`);
      await page.locator('table').getByRole('link', { name: second, exact: true }).click();
      await page.waitForURL((url) => url.pathname.startsWith('/issues/'));
      const secondPage = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
      assert.ok(secondPage.includes(ticketRef), `the issue linked offline names ticket ${ticketRef} in the admin app`);
      assert.match(secondPage, new RegExp(`linked issue "${second}" to request ${ticketRef}`), 'and its trail says so');

      await page.goto(`${admin}/work-orders`);
      await page.locator('table tbody tr', { hasText: WORK_ORDER }).getByRole('link').first().click();
      await page.waitForURL((url) => url.pathname.startsWith('/work-orders/'));
      const woPage = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
      assert.match(woPage, /Completed/, 'the work order is complete in the office');
      assert.match(woPage, /Finished: both areas redecorated/, 'with the note from site');
      await page.screenshot({ path: path.join(resultsDir, 'app-work-order-admin.png'), fullPage: true });
    } catch (err) {
      await mkdir(resultsDir, { recursive: true }).catch(() => {});
      await screenshot(browser, path.join(resultsDir, 'app-failure.png'), t).catch(() => {});
      const html = await browser.getPageSource().catch(() => '');
      await writeFile(path.join(resultsDir, 'app-failure.html'), html).catch(() => {});
      await writeFile(path.join(resultsDir, 'app.log'), app.logs()).catch(() => {});
      await writeFile(path.join(resultsDir, 'server.log'), server.logs()).catch(() => {});
      if (page) {
        await page.screenshot({ path: path.join(resultsDir, 'admin-failure.png'), fullPage: true }).catch(() => {});
        await writeFile(path.join(resultsDir, 'admin-failure.html'), await page.content().catch(() => '')).catch(() => {});
      }
      t.diagnostic(`failed at step "${step}"; see tests/e2e/test-results/ (app-failure.*, app.log, server.log${page ? ', admin-failure.*' : ''})`);
      throw err;
    } finally {
      if (chromium) await chromium.close().catch(() => {});
    }
  });
});
