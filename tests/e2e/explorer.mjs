// Drives kcheck's web explorer in headless Chromium and reports what the page shows, as one
// JSON line: for each route asked for, the page's title, status, property table, path, state,
// marks and next steps, and a screenshot.
// Usage: node explorer.mjs URL OUT_DIR [--wait-done|--no-wait] ROUTE...
//   ROUTE is what follows '#/steps/' (e.g. 0/2); '-' is the page as opened.
import { chromium } from 'playwright-core';

const [url, outDir, wait, ...routes] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
const texts = (loc) => loc.evaluateAll((ns) => ns.map((n) => n.innerText.trim()));
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  if (wait === '--wait-done') {
    await page.waitForFunction(() => document.body.dataset.done === 'true', null, { timeout: 60000 });
  } else {
    await page.waitForFunction(() => document.body.dataset.done !== undefined, null, { timeout: 30000 });
  }
  const shots = [];
  for (const [i, route] of routes.entries()) {
    const target = route === '-' ? null : route;
    if (target !== null) {
      await page.evaluate((r) => { location.hash = `#/steps/${r}`; }, target);
    }
    await page.waitForFunction(
      ([r, marked]) => (r === null || document.body.dataset.route === r)
        && (!marked || document.body.dataset.marked === 'true'),
      [target, wait === '--wait-done'], { timeout: 30000 });
    const shot = `${outDir}/explorer-${i}.png`;
    await page.screenshot({ path: shot, fullPage: true });
    shots.push({
      route,
      hash: await page.evaluate(() => location.hash),
      title: await page.title(),
      heading: (await page.locator('header').innerText()).trim(),
      body: await page.locator('body').innerText(),
      status: (await page.locator('#status').innerText()).trim(),
      properties: await page.locator('#properties tbody tr').evaluateAll((rows) => rows.map((r) => ({
        property: r.dataset.property,
        cells: [...r.cells].map((c) => c.innerText.trim()),
        link: r.querySelector('a.trace-link') ? r.querySelector('a.trace-link').getAttribute('href') : null,
      }))),
      legend: (await page.locator('.legend').innerText()).trim(),
      path: await texts(page.locator('#path li')),
      error: await page.locator('#error').evaluate((n) => (n.hidden ? '' : n.innerText.trim())),
      marks: await page.locator('#state-marks .mark').evaluateAll((ns) => ns.map((n) => n.innerText.trim())),
      state: (await page.locator('#state').innerText()).trim(),
      picture: (await page.locator('#picture svg text').allTextContents()).join(' | '),
      next: await page.locator('#next li').evaluateAll((ns) => ns.map((n) => ({
        action: n.querySelector('a') ? n.querySelector('a').innerText.trim() : n.innerText.trim(),
        href: n.querySelector('a') ? n.querySelector('a').getAttribute('href') : null,
        marks: [...n.querySelectorAll('.mark')].map((m) => m.innerText.trim()),
      }))),
      screenshot: shot,
    });
  }
  console.log(JSON.stringify({ errors, shots }));
} finally {
  await browser.close();
}
