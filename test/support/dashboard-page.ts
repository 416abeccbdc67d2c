/**
 * Pages of the dashboard in headless Chromium for the browser tests: signed in as a role (the token minted by
 * the local stack, kept as the dashboard keeps it), and checked with axe-core.
 */
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import type { ProvidedLocalStack } from './global-local-stack.js';
import { eventually } from './local-stack.js';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** A new page whose session is signed in as `claims`; an error thrown in the page fails the test. */
export const signedInPage = async (
  browser: Browser,
  stack: ProvidedLocalStack,
  claims: object,
  viewport: { width: number; height: number },
): Promise<Page> => {
  const { token } = (await (
    await fetch(`${stack.httpUrl}/local/tokens`, { method: 'POST', body: JSON.stringify(claims) })
  ).json()) as { token: string };
  const page = await browser.newPage({ viewport });
  page.on('pageerror', (error) => {
    throw error;
  });
  await page.addInitScript((t) => sessionStorage.setItem('lindung.session', t), token);
  return page;
};

/** axe-core in the page: the serious and critical violations, by rule and element. */
export const axeViolations = async (page: Page): Promise<string[]> => {
  await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: () => Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run()).violations as {
      id: string;
      impact: string;
      nodes: { target: string[] }[];
    }[];
  });
  return found
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
};

/**
 * Opens the operator's enrollment page once the village's quota has reached its figures (through the stream
 * projector), with the start month set to January of `year`.
 */
export const openEnrollPage = async (page: Page, stack: ProvidedLocalStack, year: number): Promise<void> => {
  await page.goto(`${stack.httpUrl}/#/enroll`);
  await eventually(
    async () => {
      await page.reload();
      await page.getByTestId('enroll-title').waitFor();
      return (await page.getByTestId('enroll-form').count()) > 0 || undefined;
    },
    { timeoutMs: 60_000, what: 'the village quota on the enrollment page' },
  );
  await page.getByTestId('start-month').selectOption(`${year}-01`);
};
