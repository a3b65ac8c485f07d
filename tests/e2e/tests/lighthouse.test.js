// Lighthouse on the admin app's main pages, at phone and desktop sizes: performance,
// accessibility and best practices must each score 100. Failing audits are listed by name.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { chromium } from 'playwright-core';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';

import { startSmtp } from '../lib/smtp.js';
import { startServer } from '../lib/server.js';
import { CHROMIUM_ARGS, chromiumPath, launchBrowser } from '../lib/browser.js';

const e2eDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = path.join(e2eDir, 'test-results');
const STAFF_EMAIL = 'mark.manager@acme.example';
const CATEGORIES = ['performance', 'accessibility', 'best-practices'];

/** Signs in through the pages with a code from the SMTP server; the session cookie. */
async function sessionCookie(admin, smtp) {
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${admin}/sign-in`);
    await page.getByLabel('Email address', { exact: true }).fill(STAFF_EMAIL);
    await page.getByRole('button', { name: 'Send code', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/sign-in/code');
    const code = await smtp.waitForCode(STAFF_EMAIL, 20000);
    await page.getByLabel('Code', { exact: true }).fill(code);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/dashboard');
    const ticket = await page.goto(`${admin}/tickets`).then(() =>
      page.locator('a[href^="/tickets/"]').first().getAttribute('href'),
    );
    const cookie = (await page.context().cookies()).find((c) => c.name.endsWith('proplink_session'));
    assert.ok(cookie, 'signed in');
    return { cookie, ticket };
  } finally {
    await browser.close();
  }
}

describe('Lighthouse', () => {
  let smtp;
  let server;
  let chrome;

  before(async () => {
    smtp = await startSmtp();
    server = await startServer({ smtpUrl: smtp.url, startTimeoutMs: 90000 });
    chrome = await chromeLauncher.launch({
      chromePath: chromiumPath(),
      chromeFlags: ['--headless=new', ...CHROMIUM_ARGS],
    });
  }, { timeout: 180000 });

  after(async () => {
    if (chrome) await chrome.kill();
    if (server) await server.stop().catch(() => {});
    if (smtp) await smtp.stop().catch(() => {});
  }, { timeout: 60000 });

  test('main pages score 100 for performance, accessibility and best practices', { timeout: 600000 }, async (t) => {
    const admin = server.orgUrl('acme');
    const { cookie, ticket } = await sessionCookie(admin, smtp);
    // The session goes into the Chrome that Lighthouse drives, which then keeps its cookies.
    const cdp = await chromium.connectOverCDP(`http://127.0.0.1:${chrome.port}`);
    await cdp.contexts()[0].addCookies([cookie]);
    await cdp.close();
    const pages = [
      ['dashboard', '/dashboard'],
      ['tickets', '/tickets'],
      ['ticket', ticket],
      ['invoices', '/invoices'],
      ['work orders', '/work-orders'],
    ];
    const failures = [];
    const summary = [];
    for (const [formFactor, config] of [['mobile', undefined], ['desktop', desktopConfig]]) {
      for (const [label, pathname] of pages) {
        const result = await lighthouse(
          `${admin}${pathname}`,
          {
            port: chrome.port,
            output: 'json',
            logLevel: 'error',
            onlyCategories: CATEGORIES,
            disableStorageReset: true,
          },
          config,
        );
        const { lhr } = result;
        const scores = CATEGORIES.map((c) => Math.round((lhr.categories[c]?.score ?? 0) * 100));
        summary.push(`${formFactor} ${label}: ${scores.join('/')}`);
        for (const category of CATEGORIES) {
          const { score, auditRefs } = lhr.categories[category];
          if (score === 1) continue;
          const failing = auditRefs
            .map((ref) => lhr.audits[ref.id])
            .filter((a) => a && a.score !== null && a.score < 1 && a.scoreDisplayMode !== 'informative')
            .map((a) => `${a.id} (${a.score})`);
          failures.push(`${formFactor} ${label} ${category} ${Math.round(score * 100)}: ${failing.join(', ')}`);
        }
        if (lhr.finalDisplayedUrl && new URL(lhr.finalDisplayedUrl).pathname !== pathname) {
          failures.push(`${formFactor} ${label}: ended at ${lhr.finalDisplayedUrl}, not ${pathname}`);
        }
      }
    }
    await mkdir(resultsDir, { recursive: true });
    await writeFile(path.join(resultsDir, 'lighthouse.txt'), `${summary.join('\n')}\n`);
    t.diagnostic(summary.join('; '));
    assert.deepEqual(failures, [], 'every page scores 100');
  });
});
