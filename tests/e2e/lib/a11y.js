// Accessibility check with axe-core: WCAG 2.0/2.1 A and AA, plus 2.2 AA.
import assert from 'node:assert/strict';
import AxeBuilder from '@axe-core/playwright';

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Render axe violations as readable text. */
export function formatViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => {
          const target = n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(', ');
          const summary = (n.failureSummary || '').replace(/\n/g, '\n        ');
          return `    - ${target}\n      ${n.html}\n        ${summary}`;
        })
        .join('\n');
      return `  [${v.impact || 'n/a'}] ${v.id}: ${v.help}\n    ${v.helpUrl}\n${nodes}`;
    })
    .join('\n\n');
}

/**
 * Run axe on the current page and fail if it finds any violation.
 * @param {import('playwright-core').Page} page
 * @param {string} label what page this is, for the failure message
 * @param {{exclude?: string[], disableRules?: string[]}} [opts]
 */
export async function assertNoA11yViolations(page, label, { exclude = [], disableRules = [] } = {}) {
  let builder = new AxeBuilder({ page }).withTags(WCAG_TAGS);
  for (const sel of exclude) builder = builder.exclude(sel);
  if (disableRules.length) builder = builder.disableRules(disableRules);
  const results = await builder.analyze();
  const { violations } = results;
  if (violations.length > 0) {
    assert.fail(
      `${violations.length} accessibility violation(s) on ${label} (${page.url()}):\n\n` +
        formatViolations(violations),
    );
  }
  return results;
}
