// Reading and driving Facility Report's screens over WebDriver, and screenshots that never
// hang the test.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** What the app shows, read in one go (screens are redrawn often, so no element handles). */
export function appState(browser) {
  return browser.execute(() => {
    const status = document.getElementById('status');
    const flash = document.getElementById('flash');
    const alert = document.querySelector('.form-alert:not([hidden])');
    const text = (el) => (el ? el.textContent.replace(/\s+/g, ' ').trim() : '');
    return {
      heading: text(document.querySelector('#app h2')),
      status: status && !status.hidden ? text(status) : '',
      home: !!document.getElementById('log-issue') && !document.getElementById('nav').hidden,
      site: text(document.getElementById('site-name')),
      tab: document.querySelector('#nav [aria-current="page"]')?.id ?? '',
      list: text(document.querySelector('#list .list-heading')),
      nav: Array.from(document.querySelectorAll('#nav .nav-item')).map((b) => text(b)),
      flash: flash && !flash.hidden ? text(flash) : '',
      alert: text(alert),
      alerts: Array.from(document.querySelectorAll('#alerts .alert')).map((a) => text(a.querySelector('.alert-open'))),
      fieldErrors: Object.fromEntries(
        Array.from(document.querySelectorAll('.error-message:not([hidden])')).map((e) => [e.id.replace(/-error$/, ''), text(e)]),
      ),
      cards: Array.from(document.querySelectorAll('#list ul.cards > li')).map((li) => ({
        title: text(li.querySelector('strong')),
        text: text(li),
        priority: (li.querySelector('.card')?.className.match(/prio-(\w+)/) ?? [])[1] ?? '',
        pending: !!li.querySelector('.tag.pending'),
      })),
      thumbs: document.querySelectorAll('#app .thumbs img').length,
      width: window.innerWidth,
      height: window.innerHeight,
    };
  });
}

/**
 * Wait until `check(state)` is true. With `nudge`, press Sync every `nudge` ms while waiting
 * (the app also syncs every 15 s on its own).
 */
export async function waitForApp(browser, what, check, { timeout = 60000, nudge = 0 } = {}) {
  const deadline = Date.now() + timeout;
  let lastNudge = Date.now();
  let state = null;
  let lastError = null;
  for (;;) {
    try {
      state = await appState(browser);
      if (check(state)) return state;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeout} ms waiting for ${what}; app showed: ${JSON.stringify(state)}` +
          (lastError ? ` (last error: ${lastError.message})` : ''),
      );
    }
    if (nudge && Date.now() - lastNudge >= nudge) {
      lastNudge = Date.now();
      await browser
        .execute(() => {
          const button = document.getElementById('sync');
          if (button && !button.disabled && !button.hidden) button.click();
        })
        .catch(() => {});
    }
    await sleep(250);
  }
}

/** Type into a field, replacing what was there. */
export async function fill(browser, selector, text) {
  const el = await browser.$(selector);
  await el.waitForDisplayed({ timeout: 15000 });
  await el.clearValue();
  await el.setValue(text);
  assert.equal(await el.getValue(), text, `${selector} should hold what was typed`);
}

/** A person's tap: counted, so a test can say how many a task took. */
export async function tap(browser, selector, taps) {
  // The bar and the navigation are redrawn after each sync: an element found a moment ago may
  // have been replaced by its new self, which is then tapped instead.
  for (let attempt = 1; ; attempt++) {
    try {
      const el = await browser.$(selector);
      await el.waitForDisplayed({ timeout: 15000 });
      // As a thumb scrolls to a button below the fold.
      await el.scrollIntoView({ block: 'center' });
      await el.waitForClickable({ timeout: 15000 });
      await el.click();
      break;
    } catch (err) {
      const stale = /stale|was not found|no longer attached/i.test(`${err.name} ${err.message}`);
      if (!stale || attempt >= 3) throw err;
      await sleep(200);
    }
  }
  if (taps) taps.count += 1;
}

/** Choose a radio button by its visible segment (the input itself is transparent). */
export async function choose(browser, inputId, taps) {
  await tap(browser, `label:has(> #${inputId})`, taps);
  assert.ok(await browser.execute((id) => document.getElementById(id).checked, inputId), `${inputId} should be chosen`);
}

/**
 * Put `bytes` into a file input as photo.jpg, as if picked from the camera or gallery; falls
 * back to sending a file's path where the webview has no DataTransfer. Returns how.
 */
export async function attachPhoto(browser, selector, bytes, fallbackPath) {
  const attached = await browser
    .execute(
      (sel, data) => {
        const input = document.querySelector(sel);
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(data)], 'photo.jpg', { type: 'image/jpeg' }));
        input.files = transfer.files;
        input.dispatchEvent(new Event('change', { bubbles: true }));
        return input.files.length;
      },
      selector,
      Array.from(bytes),
    )
    .catch(() => 0);
  if (attached === 1) return 'DataTransfer';
  await writeFile(fallbackPath, bytes);
  await (await browser.$(selector)).setValue(fallbackPath);
  return 'file path';
}

/** A photo drawn by the webview, `width`×`height`, as JPEG bytes: a picture that decodes. */
export async function drawJpeg(browser, width, height) {
  const base64 = await browser.executeAsync(
    (w, h, done) => {
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      const g = canvas.getContext('2d');
      g.fillStyle = '#5b6770';
      g.fillRect(0, 0, w, h);
      g.fillStyle = '#9aa5ad';
      g.fillRect(0, h * 0.6, w, h * 0.4);
      g.strokeStyle = '#1d70b8';
      g.lineWidth = h / 30;
      g.beginPath();
      g.moveTo(w * 0.1, h * 0.3);
      g.lineTo(w * 0.9, h * 0.3);
      g.stroke();
      g.fillStyle = '#3d8fd1';
      g.beginPath();
      g.arc(w * 0.55, h * 0.36, h / 25, 0, Math.PI * 2);
      g.fill();
      canvas.toBlob((blob) => {
        const reader = new FileReader();
        reader.onload = () => done(String(reader.result).split(',')[1]);
        reader.readAsDataURL(blob);
      }, 'image/jpeg', 0.9);
    },
    width,
    height,
  );
  return Buffer.from(base64, 'base64');
}

/**
 * A photo drawn by the webview itself, `width`×`height`, as a camera JPEG would be: big, and
 * decodable (unlike a hand-made one). Put into the file input like attachPhoto.
 */
export async function attachDrawnPhoto(browser, selector, width, height) {
  return browser.executeAsync(
    (sel, w, h, done) => {
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      const g = canvas.getContext('2d');
      const grad = g.createLinearGradient(0, 0, w, h);
      grad.addColorStop(0, '#8a6d3b');
      grad.addColorStop(1, '#d9d2c5');
      g.fillStyle = grad;
      g.fillRect(0, 0, w, h);
      g.fillStyle = '#222';
      g.font = `${Math.round(h / 8)}px sans-serif`;
      g.fillText('Door closer', w / 10, h / 2);
      canvas.toBlob((blob) => {
        const input = document.querySelector(sel);
        const transfer = new DataTransfer();
        transfer.items.add(new File([blob], 'door.jpg', { type: 'image/jpeg' }));
        input.files = transfer.files;
        input.dispatchEvent(new Event('change', { bubbles: true }));
        done(blob.size);
      }, 'image/jpeg', 0.95);
    },
    selector,
    width,
    height,
  );
}

/**
 * Save a screenshot of the app. WebKitWebDriver answers a screenshot from the page's next
 * paint, and an idle page under Xvfb may not paint again, so the call can hang: while it is
 * taken, a tiny animation keeps frames coming, and a screenshot that still does not come in
 * time is retried, then given up with a note (it is evidence, not the thing tested).
 */
export async function screenshot(browser, file, t) {
  for (let attempt = 1; attempt <= 3; attempt++) {
    await browser
      .execute(() => {
        if (document.getElementById('paint-keeper')) return;
        const el = document.createElement('div');
        el.id = 'paint-keeper';
        el.setAttribute('aria-hidden', 'true');
        el.style.cssText = 'position:fixed;left:0;top:0;width:2px;height:2px;opacity:0.01;pointer-events:none;z-index:99';
        el.animate([{ transform: 'translateX(0)' }, { transform: 'translateX(1px)' }], { duration: 200, iterations: Infinity });
        document.body.append(el);
      })
      .catch(() => {});
    let timer;
    const data = await Promise.race([
      browser.takeScreenshot().catch(() => null),
      new Promise((r) => {
        timer = setTimeout(() => r(null), 20000);
      }),
    ]);
    clearTimeout(timer);
    await browser.execute(() => document.getElementById('paint-keeper')?.remove()).catch(() => {});
    if (data) {
      await writeFile(file, Buffer.from(data, 'base64'));
      return true;
    }
    t?.diagnostic(`screenshot ${file}: attempt ${attempt} did not answer in time`);
  }
  t?.diagnostic(`screenshot ${file} skipped: WebKitWebDriver did not answer three times`);
  return false;
}

/**
 * Whether everything in `selector` fits the window's width, and text is not cut off
 * (an element whose text is wider than its box is clipped).
 */
export function layoutProblems(browser, selector) {
  return browser.execute((sel) => {
    const width = window.innerWidth;
    const problems = [];
    for (const el of document.querySelectorAll(sel)) {
      const r = el.getBoundingClientRect();
      const name = `${el.id || el.className || el.tagName} "${el.textContent.replace(/\s+/g, ' ').trim().slice(0, 30)}"`;
      if (r.left < -0.5 || r.right > width + 0.5) problems.push(`${name} spans ${Math.round(r.left)}–${Math.round(r.right)} of ${width}`);
      if (el.scrollWidth > el.clientWidth + 1) problems.push(`${name} is cut off (${el.scrollWidth} > ${el.clientWidth})`);
    }
    return problems;
  }, selector);
}
