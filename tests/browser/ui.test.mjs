// Browser tests of the web UI (issue 3): a real `zhifa demo` server on a free port with a
// temporary data directory, driven in headless Debian Chromium through playwright-core (no
// browser download). Screenshots of each role's home page go to target/browser/.
//
// Run: node --test tests/browser/   (scripts/test does this after cargo test)
// ZHIFA_BIN overrides the binary (default target/debug/zhifa); CHROMIUM the browser.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { shots, startDemo, login as signIn } from './harness.mjs';

let demo;
let base;
let password;
let browser;

before(async () => {
  demo = await startDemo('zhifa-browser-', 240_000);
  ({ base, browser } = demo);
  const m = demo.out.match(/密码均为 (\S+?)）/);
  assert.ok(m, `demo password not printed:\n${demo.out}`);
  password = m[1];
});

after(async () => {
  if (demo) await demo.stop();
});

function login(username, viewport) {
  return signIn(demo, password, username, viewport);
}

const homes = [
  ['officer', '执法人员工作台'],
  ['reviewer', '法制审核工作台'],
  ['head', '机关负责人工作台'],
  ['supervisor', '执法监督工作台'],
  ['supervisor-gz', '执法监督工作台'],
  ['admin', '系统管理'],
];

for (const [username, title] of homes) {
  test(`${username} logs in and sees their home page`, async () => {
    const { context, page } = await login(username);
    assert.equal((await page.textContent('#home-title')).trim(), title);
    const officers = Number((await page.textContent('#officer-count')).trim());
    assert.ok(officers > 0, `${username} sees officers of their scope`);
    await page.screenshot({ path: join(shots, `home-${username}.png`), fullPage: true });
    await context.close();
  });
}

test('a phone-sized screen shows the officer workbench', async () => {
  const { context, page } = await login('officer', { width: 390, height: 844 });
  assert.equal((await page.textContent('#home-title')).trim(), '执法人员工作台');
  await page.screenshot({ path: join(shots, 'home-officer-phone.png'), fullPage: true });
  await context.close();
});

test('an officer opens a record in scope and is refused one out of scope', async () => {
  // The administrator sees every agency: find an officer of another agency.
  const admin = await login('admin');
  const officerSession = await login('officer');
  await officerSession.page.goto(`${base}/officers`);
  const ownHref = await officerSession.page.getAttribute('table tbody tr td a', 'href');
  const ownAgency = (await officerSession.page.textContent('table tbody tr td:last-child')).trim();
  const res = await officerSession.page.goto(`${base}${ownHref}`);
  assert.equal(res.status(), 200);
  assert.ok((await officerSession.page.textContent('#officer-name')).trim().length > 0);

  let foreign;
  for (let offset = 0; !foreign && offset < 800; offset += 20) {
    await admin.page.goto(`${base}/officers?offset=${offset}`);
    const rows = await admin.page.$$eval('table tbody tr', (trs) => trs.map((tr) => ({
      href: tr.querySelector('td a').getAttribute('href'),
      agency: tr.querySelector('td:last-child').textContent.trim(),
    })));
    foreign = rows.find((r) => r.agency !== ownAgency);
  }
  assert.ok(foreign, 'an officer of another agency exists');
  const refused = await officerSession.page.goto(`${base}${foreign.href}`);
  assert.equal(refused.status(), 404);
  await admin.context.close();
  await officerSession.context.close();
});

test('an invalid form shows the Chinese error beside the field', async () => {
  const { context, page } = await login('admin');
  await page.goto(`${base}/officers/new`);
  await page.fill('input[name=name]', '测试人员');
  await page.fill('input[name=citizen_id]', '123');
  await page.fill('input[name=phone]', '12');
  await page.click('form.stack button[type=submit]');
  const error = await page.textContent('#error-citizen_id');
  assert.match(error, /[\u4e00-\u9fff]/, `Chinese message: ${error}`);
  const label = await page.$eval('#error-citizen_id', (e) => e.parentElement.querySelector('input').name);
  assert.equal(label, 'citizen_id');
  assert.ok(await page.isVisible('#error-phone'));
  await page.screenshot({ path: join(shots, 'form-error.png'), fullPage: true });
  await context.close();
});

test('the public verifies a certificate and sees its QR code', async () => {
  const { context, page } = await login('officer');
  const number = (await page.textContent('table tbody tr td a')).trim();
  await context.close();
  const pub = await browser.newContext({ locale: 'zh-CN' });
  const p = await pub.newPage();
  await p.goto(`${base}/certificates/verify`);
  await p.fill('input[name=number]', number);
  await p.click('form.filters button[type=submit]');
  const verdict = await p.textContent('.verdict');
  assert.match(verdict, /有效|暂扣|注销|已过期|尚未生效/);
  const qrLoaded = await p.$eval('figure.qr img', (img) => img.complete && img.naturalWidth > 0);
  assert.ok(qrLoaded, 'QR code image loads');
  await p.fill('input[name=number]', '4401009999999');
  await p.click('form.filters button[type=submit]');
  assert.match(await p.textContent('.verdict'), /未找到/);
  await p.screenshot({ path: join(shots, 'verify.png'), fullPage: true });
  await pub.close();
});

test('pages are readable with JavaScript disabled', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${base}/subjects`);
  assert.ok((await page.textContent('h1')).includes('执法主体'));
  await page.goto(`${base}/decisions`);
  // The published decisions (or the notice that there are none) are readable without JavaScript.
  assert.ok(await page.isVisible('#decisions') || await page.isVisible('#decisions-empty'));
  await context.close();
});
