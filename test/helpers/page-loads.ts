/**
 * Loading the example app (examples/twotier-app/frontend) in headless Chromium while a release is deployed,
 * for the browser test and the broken-page benchmark. Debian's chromium, driven by playwright-core; every
 * load records what a visitor would notice: a failed request (network error or HTTP status 400 or more),
 * a console error, an uncaught exception, or content that never rendered.
 *
 * One load: open the page at `/` or `/about`, check the app rendered (the release in the footer and the
 * route's content), stay `dwellMs` as a visitor reading the page, then follow the other link (client-side
 * navigation: going to About imports its lazily loaded chunk, going Home calls the API) and check again.
 * The API (`/api/message`) is answered by the browser context with a fixed JSON body: the API tier is not
 * what is under test.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { projectRoot } from '../../src/local/moto.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Flags that work on this machine (no sandbox as root, no background traffic to the closed network). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
];

const APP = path.join(projectRoot, 'examples', 'twotier-app');

/**
 * Why the browser tests cannot run here, or undefined when they can. Chromium missing is a failure where
 * scripts/setup.sh could have installed it (root with apt-get): the returned text then says so, and the
 * caller should fail rather than skip.
 */
export function chromiumStatus(): { ok: true } | { ok: false; installable: boolean; reason: string } {
  if (existsSync(CHROMIUM)) return { ok: true };
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const apt = existsSync('/usr/bin/apt-get');
  return {
    ok: false,
    installable: root && apt,
    reason:
      root && apt
        ? `${CHROMIUM} is missing although it can be installed here: run bash scripts/setup.sh (apt-get install chromium)`
        : `${CHROMIUM} is missing and cannot be installed here (${root ? 'no apt-get' : 'not root'}); the browser tests are skipped`
  };
}

/** Starts headless Chromium with a fresh profile (playwright-core makes a new user-data-dir per launch). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30000 });
}

/**
 * Builds the example app for `release` (VITE_APP_RELEASE, which ends up in every chunk, so two releases
 * have different chunk names) into a new temporary directory, leaving the working tree as it was.
 * @returns the directory holding index.html and assets/.
 */
export function buildRelease(release: string): string {
  execFileSync('bash', [path.join(APP, 'build-frontend.sh'), '--install-only'], {
    stdio: ['ignore', 'ignore', 'pipe']
  });
  const out = mkdtempSync(path.join(tmpdir(), `twotier-${release}-`));
  const vite = path.join(APP, 'frontend', 'node_modules', '.bin', 'vite');
  execFileSync(vite, ['build', '--outDir', out, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: path.join(APP, 'frontend'),
    env: { ...process.env, VITE_APP_RELEASE: release },
    stdio: ['ignore', 'ignore', 'pipe']
  });
  return out;
}

/** Removes what {@link buildRelease} made. */
export function removeBuild(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** How a load reached the page: a new browser context (empty cache), one shared context, or a tab kept open. */
export type LoadMode = 'fresh' | 'cached' | 'held';

/** What one load saw. */
export interface LoadResult {
  mode: LoadMode;
  /** The route opened first. */
  route: '/' | '/about';
  /** The release the page showed ('' when it never rendered). */
  release: string;
  ok: boolean;
  /** What went wrong, one line each (empty when ok). */
  problems: string[];
  /** performance.now() when the load started and ended (milliseconds). */
  startedAt: number;
  endedAt: number;
}

/** The API's answer, given by the browser context instead of the API tier. */
async function stubApi(context: BrowserContext): Promise<void> {
  await context.route('**/api/message', (route) =>
    route.fulfill({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ message: 'Hello from the stub API', version: 'stub', hostname: 'browser' })
    })
  );
}

/** A browser context with the API stubbed. */
export async function newAppContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext();
  await stubApi(context);
  return context;
}

/** Records everything on `page` that a visitor would see as broken. */
function watch(page: Page, problems: string[]): void {
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) =>
    problems.push(
      `request failed: ${new URL(request.url()).pathname} (${request.failure()?.errorText ?? 'no reason'})`
    )
  );
  page.on('response', (response) => {
    if (response.status() >= 400)
      problems.push(`HTTP ${response.status()}: ${new URL(response.url()).pathname}`);
  });
}

const WAIT_MS = 5000;

/** Checks that `route` rendered: the footer's release and the route's own content. Returns the release. */
async function rendered(page: Page, route: '/' | '/about'): Promise<string> {
  const footer = page.locator('[data-test="release"]');
  await footer.waitFor({ timeout: WAIT_MS });
  const release = ((await footer.textContent({ timeout: WAIT_MS })) ?? '').replace(/^release\s+/, '').trim();
  if (route === '/about') {
    const text = await page.locator('[data-test="about-release"]').textContent({ timeout: WAIT_MS });
    if (!text?.includes(`release ${release}.`))
      throw new Error(`About shows ${JSON.stringify(text)} under release ${release}`);
  } else {
    await page.locator('[data-test="message"]').waitFor({ timeout: WAIT_MS });
  }
  return release;
}

/** An open tab: the first half of a load; `finish` follows the other link and checks. */
export interface OpenTab {
  finish(): Promise<LoadResult>;
}

/**
 * Opens the app at `route` in a new page of `context` and checks it rendered; `finish()` (call it later:
 * the tab stays open meanwhile) follows the link to the other route, checks it, and closes the page (and
 * the context when `closeContext`).
 */
export async function openTab(
  context: BrowserContext,
  baseUrl: string,
  route: '/' | '/about',
  mode: LoadMode,
  closeContext = false
): Promise<OpenTab> {
  const startedAt = performance.now();
  const problems: string[] = [];
  let release = '';
  const page = await context.newPage();
  watch(page, problems);
  let opened = false;
  try {
    await page.goto(`${baseUrl}${route}`, { waitUntil: 'load', timeout: WAIT_MS });
    release = await rendered(page, route);
    opened = true;
  } catch (error) {
    problems.push(`did not render ${route}: ${(error as Error).message.split('\n')[0]}`);
  }
  return {
    async finish() {
      if (opened) {
        const next = route === '/' ? '/about' : '/';
        try {
          await page.locator(`nav a[href="${next}"]`).click({ timeout: WAIT_MS });
          const after = await rendered(page, next);
          if (after !== release)
            problems.push(`release changed from ${release} to ${after} without a reload`);
        } catch (error) {
          problems.push(`did not render ${next} after the click: ${(error as Error).message.split('\n')[0]}`);
        }
      }
      await page.close().catch(() => undefined);
      if (closeContext) await context.close().catch(() => undefined);
      return {
        mode,
        route,
        release,
        ok: problems.length === 0,
        problems,
        startedAt,
        endedAt: performance.now()
      };
    }
  };
}

/** Waits `ms` milliseconds. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Loads the app again and again until `stop()` returns true, in two lanes side by side: one opens every
 * load in a new browser context (a first visit), the other in one shared context (a returning visitor
 * whose browser cache holds what it saw before). Routes alternate between `/` and `/about`.
 * @param dwellMs how long each load stays on its first route before following the link (milliseconds).
 * @param maxLoads a bound on the loads of each lane, whatever `stop` says.
 */
export async function loadLoop(
  browser: Browser,
  baseUrl: string,
  stop: () => boolean,
  dwellMs: number,
  maxLoads = 200
): Promise<LoadResult[]> {
  const results: LoadResult[] = [];
  const shared = await newAppContext(browser);
  const lane = async (mode: 'fresh' | 'cached'): Promise<void> => {
    for (let i = 0; i < maxLoads && !stop(); i++) {
      const route = i % 2 === 0 ? '/' : '/about';
      const context = mode === 'fresh' ? await newAppContext(browser) : shared;
      const tab = await openTab(context, baseUrl, route, mode, mode === 'fresh');
      await pause(dwellMs);
      results.push(await tab.finish());
    }
  };
  try {
    await Promise.all([lane('fresh'), lane('cached')]);
  } finally {
    await shared.close().catch(() => undefined);
  }
  return results;
}

/** One line per broken load, for a failure message or a benchmark's notes. */
export function describeBroken(results: LoadResult[]): string[] {
  return results
    .filter((r) => !r.ok)
    .map((r) => `${r.mode} ${r.route} (release ${r.release || '?'}): ${r.problems.slice(0, 3).join('; ')}`);
}
