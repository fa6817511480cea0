// Drives kcheck's web explorer in headless Chromium: waits for the counterexample of a
// property, follows it, and reports what the page shows as one JSON line.
// Usage: node explorer.mjs URL PROPERTY SCREENSHOT.png
import { chromium } from 'playwright-core';

const [url, property, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(url);
  // The property list links a property to its discovery once there is one.
  const link = page.locator('nav a.font-code', { hasText: property }).first();
  await link.waitFor({ timeout: 30000 });
  const item = link.locator('xpath=..');
  const summary = (await item.locator('b').first().innerText()).trim();
  const href = await link.getAttribute('href');
  await link.click();
  await page.waitForFunction(
    (n) => document.querySelectorAll('.path-list li').length >= n,
    href.split('/').length - 1,
  );
  const path = (await page.locator('.path-list li').allInnerTexts()).map((t) => t.trim());
  const state = await page.locator('section.main-flex-right > div.font-code').last().innerText();
  const model = await page.locator('[data-bind="text: model"]').innerText();
  const texts = await page.locator('section.main-flex-right svg text').allTextContents();
  const picture = texts.join(' | ');
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify({ summary, href, path, state, model, picture }));
} finally {
  await browser.close();
}
