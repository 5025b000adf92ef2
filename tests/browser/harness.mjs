// Shared harness of the browser tests: a real `zhifa demo` on a free port with a temporary
// data directory, headless Debian Chromium through playwright-core (no browser download), and a
// login helper. ZHIFA_BIN overrides the binary (default target/debug/zhifa); CHROMIUM the
// browser. Screenshots go to `shots` (target/browser/).

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = process.env.ZHIFA_BIN || join(root, 'target', 'debug', 'zhifa');

/** Where screenshots go. */
export const shots = join(root, 'target', 'browser');

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/**
 * Starts `zhifa demo` in a fresh data directory (named after `prefix`) and a headless browser.
 * Resolves to { base, out, browser, stop } once the server prints its URL; `out` is what the
 * demo printed (logins, password), `stop()` ends both and removes the directory.
 */
export async function startDemo(prefix, timeoutMs) {
  mkdirSync(shots, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const port = await freePort();
  const server = spawn(bin, ['demo', '--data-dir', dataDir, '--bind', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ZHIFA_LOG: 'warn' },
  });
  let out = '';
  await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`zhifa demo did not start:\n${out}`)), timeoutMs);
    server.stdout.on('data', (d) => {
      out += d;
      if (out.includes('serving http://')) {
        clearTimeout(timer);
        ok();
      }
    });
    server.stderr.on('data', (d) => { out += d; });
    server.once('exit', (code) => fail(new Error(`zhifa demo exited (${code}):\n${out}`)));
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  return {
    base: `http://127.0.0.1:${port}`,
    out,
    browser,
    async stop() {
      await browser.close();
      // Wait for the server to stop (its workers may still be writing into the data directory).
      const exited = server.exitCode !== null
        ? Promise.resolve()
        : new Promise((ok) => server.once('exit', ok));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise((ok) => setTimeout(ok, 15_000))]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A new browser context signed in as `username` with `password`; resolves to { context, page }. */
export async function login(demo, password, username, viewport = { width: 1280, height: 900 }) {
  const context = await demo.browser.newContext({ viewport, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${demo.base}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL(`${demo.base}/`), page.click('button[type=submit]')]);
  return { context, page };
}
