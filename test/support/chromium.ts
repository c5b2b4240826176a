/// <reference lib="dom" />
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { accessibilityViolations } from './a11y.ts';

const EXECUTABLE = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'screenshots');

/** Debian's chromium through playwright-core (no browser downloads here); fails with how to get it when missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(EXECUTABLE)) {
    throw new Error(
      `No Chromium at ${EXECUTABLE}. Install Debian's package (apt-get install chromium) or set CHROMIUM_PATH.`,
    );
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: EXECUTABLE,
    // The flags keep a headless Chromium from calling out to the network it does not have here.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Fills the development upstream's sign-in form (password "demo" for every demo account). */
export async function upstreamSignIn(page: Page, username: string) {
  await page.waitForURL(/\/dev-upstream\/interaction\//);
  await page.fill('#username', username);
  await page.fill('#password', 'demo');
  await page.click('form[action$="/login"] button');
}

/**
 * A page wider than the screen scrolls sideways: on a phone (390 px) a person then reads every line in two moves.
 * Returns the widest offenders, so that the failure says what to fix.
 */
export async function horizontalScroll(page: Page): Promise<string[]> {
  const found = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return [];
    const offenders = [...document.querySelectorAll('body *')]
      .filter((element) => element.getBoundingClientRect().right > width + 1)
      .slice(0, 3)
      .map((element) => `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}.${element.className}`);
    return [
      `scrolls sideways at ${width} px (${document.documentElement.scrollWidth} px wide): ${offenders.join(', ')}`,
    ];
  });
  return found.map((line) => `${page.url()} — ${line}`);
}

/**
 * For a walk through the pages: each step saves a screenshot (CI artifact, named `<prefix>-<name>.png`), runs
 * axe-core on what is on screen and checks that the page does not scroll sideways.
 */
export function createWalkRecorder(prefix: string) {
  const recorder = {
    violations: [] as string[],
    pagesChecked: 0,
    async step(page: Page, name: string) {
      await page.screenshot({ path: join(ARTIFACTS, `${prefix}-${name}.png`), fullPage: true });
      recorder.violations.push(...(await accessibilityViolations(page)), ...(await horizontalScroll(page)));
      recorder.pagesChecked += 1;
    },
  };
  return recorder;
}
