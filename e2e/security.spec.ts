/**
 * Nothing from a link becomes markup or script, and tfjs needs no eval.
 *
 * About the Content Security Policy: index.html carries it as a <meta> tag,
 * which binds the page only. A dedicated worker made from a same-origin URL
 * takes its policy from its own script's HTTP response headers, and neither
 * `vite preview` nor a plain static host sends one: as served here, the
 * training worker runs with no CSP at all. The CSP test below therefore sends
 * the page's policy as a real header on every response (page.route) so that
 * it binds the worker too, proves that it does, and trains on every backend
 * under it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { expectFinishedRun, status, trainerWorkers } from './helpers';
import { serveDataset, tinyDataset, watchForTrouble } from './robustness.helpers';

const KEYS = ['preset', 'lr', 'batch', 'epochs', 'optimizer', 'init', 'activation', 'pool', 'seed', 'train', 'test', 'backend'];

/** Each tries to set window.__xss (or open a dialog) if it ever became markup or code. */
const PAYLOADS = [
  '<img src=x onerror="window.__xss=1">',
  '<script>window.__xss=1</script>',
  '"><svg onload=window.__xss=1>',
  "'><iframe srcdoc=\"<script>parent.__xss=1</script>\">",
  'javascript:window.__xss=1',
  '<a href="javascript:window.__xss=1" id=xss>x</a>',
  '{{constructor.constructor("window.__xss=1")()}}',
  '${window.__xss=1}',
  '</p></li></ul><style>*{display:none}</style><b onmouseover=window.__xss=1>',
  '&lt;img src=x onerror=window.__xss=1&gt;',
  '%3Cimg%20src%3Dx%20onerror%3Dwindow.__xss%3D1%3E',
  '<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>',
  '\u202e<img src=x onerror=alert(1)>',
  '<object data="data:text/html,<script>parent.__xss=1</script>">',
  '__proto__',
  'alert(1)',
];

async function noInjectedMarkup(page: Page) {
  const found = await page.evaluate(() => ({
    flag: (window as unknown as { __xss?: unknown }).__xss,
    inline: document.querySelectorAll('script:not([src]), iframe, object, embed, img, a#xss, [onerror], [onload], [onmouseover], [srcdoc]').length,
    styles: [...document.querySelectorAll('style')].filter((s) => s.textContent?.includes('display:none')).length,
    title: document.title,
  }));
  expect(found).toEqual({ flag: undefined, inline: 0, styles: 0, title: 'LeNet Playground' });
}

test('injection payloads in every key of a link stay plain text: no dialog, no script, no console error', async ({ page }) => {
  test.setTimeout(180_000);
  const trouble = watchForTrouble(page);
  // A tiny dataset: these pages never train, they only load.
  await serveDataset(page, tinyDataset(100));
  let cases = 0;
  for (const payload of PAYLOADS) {
    const value = encodeURIComponent(payload);
    // The payload as the value of all twelve keys and of an unknown one, and as an unknown key's name.
    const query = [...KEYS, 'colour'].map((key) => `${key}=${value}`).concat(`${value}=1`).join('&');
    await page.goto(`/?${query}`);
    await expect(status(page)).toContainText('Ready');
    const notice = page.getByRole('region', { name: 'Link problems' });
    // One line per key: twelve settings, the unknown key and the payload-named key (once even where it is __proto__).
    await expect(notice.getByRole('listitem')).toHaveCount(14);
    // Shown as text (the codec shortens it to 24 characters).
    const printable = payload.replace(/[\u202e]/g, '\uFFFD');
    await expect(notice).toContainText(Array.from(printable).slice(0, 12).join(''));
    // The controls hold safe values, never the payload.
    await expect(page.getByLabel('Learning rate', { exact: true })).toHaveValue('0.9');
    await expect(page.getByLabel('Backend', { exact: true })).toHaveValue('auto');
    await noInjectedMarkup(page);
    // Hovering and clicking over the notice runs nothing either.
    await notice.hover();
    await notice.getByRole('listitem').first().click();
    await noInjectedMarkup(page);
    cases += KEYS.length + 2;
  }
  expect(cases).toBe(PAYLOADS.length * 14);
  expect(trouble).toEqual([]);
});

const META_POLICY = (() => {
  const html = readFileSync(join(import.meta.dirname, '..', 'index.html'), 'utf8');
  return /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)![1];
})();

test.describe('under the page\'s CSP sent as a header, so that it binds the worker too', () => {
  test.beforeEach(async ({ page }) => {
    // blob: for the WebAssembly thread workers, which load a script tfjs makes.
    expect(META_POLICY).toContain("script-src 'self' blob: 'wasm-unsafe-eval'");
    expect(META_POLICY).not.toContain("'unsafe-eval'");
    await page.route('**/*', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': META_POLICY } });
    });
  });

  for (const backend of ['wasm', 'webgl', 'webgpu', 'cpu'] as const) {
    test(`tfjs trains on ${backend} without unsafe-eval`, async ({ page }) => {
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy|unsafe-eval|Refused to/i.test(message.text())) violations.push(message.text());
      });
      await page.goto(`/?train=32&test=16&batch=16&epochs=1&backend=${backend}`);
      await expect(status(page)).toContainText('Ready');
      // The worker really is under the policy: code from a string is refused there.
      const refused = await trainerWorkers(page)[0].evaluate(() => new Promise<string>((resolve) => {
        self.addEventListener('securitypolicyviolation', (event) => resolve(event.effectiveDirective), { once: true });
        (self.setTimeout as unknown as (code: string) => void)('self.__evaluated = true');
        setTimeout(() => resolve((self as unknown as { __evaluated?: boolean }).__evaluated ? 'string code ran' : 'no report'), 1_000);
      }));
      expect(refused).toMatch(/^script-src/);
      violations.length = 0; // that probe's own report
      await page.getByRole('button', { name: 'Train', exact: true }).click();
      await expectFinishedRun(page, 1);
      // Trained on the backend asked for, not a fallback.
      await expect(status(page)).toContainText(`Done · Backend: ${backend}`);
      await expect(status(page)).not.toContainText('unavailable');
      if (backend === 'wasm') {
        // Its thread workers started under the policy too.
        const cores = await page.evaluate(() => navigator.hardwareConcurrency);
        const threads = Math.min(cores, 8);
        await expect(status(page)).toContainText(`SIMD, ${threads} thread${threads === 1 ? '' : 's'} of ${cores} cores`);
      }
      expect(violations).toEqual([]);
    });
  }
});
