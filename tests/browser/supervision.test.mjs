// Browser test of supervision (issue 6): a real `zhifa demo` server on a free port, driven in
// headless Debian Chromium through playwright-core. The province supervisor drills from the
// region down to an alerted case of the demo head's agency, looks at the case, takes the alert
// and issues a supervision opinion (监督意见书) with a rectification deadline; the agency head
// sees the opinion and records the rectification; the supervisor sees it. Screenshots go to
// target/browser/.
//
// Run: node --test tests/browser/   (ZHIFA_BIN overrides the binary; CHROMIUM the browser)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { shots, startDemo, login as signIn } from './harness.mjs';

let demo;
let password;

before(async () => {
  demo = await startDemo('zhifa-supervision-', 600_000);
  const m = demo.out.match(/密码均为 (\S+?)）/);
  password = m ? m[1] : 'zhifa-demo-2026';
});

after(async () => {
  if (demo) await demo.stop();
});

function login(username) {
  return signIn(demo, password, username);
}

/** The date `days` after today in China (UTC+8), as YYYY-MM-DD. */
function inDays(days) {
  return new Date(Date.now() + 8 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);
}

/** Waits until the worker has raised alerts the page lists; returns the first row with a case. */
async function firstCaseAlert(page, url) {
  for (let i = 0; i < 240; i++) {
    await page.goto(url);
    const rows = page.locator('#alerts tbody tr:has(a[href^="/cases/"])');
    if (await rows.count()) return rows.first();
    await page.waitForTimeout(1000);
  }
  assert.fail(`no alert with a case at ${url}`);
}

test('a supervisor drills down to an alerted case and issues an opinion; the agency head records the rectification', { timeout: 600_000 }, async () => {
  // The agency head's own alerts tell which agency and region to drill into.
  const head = await login('head');
  const row = await firstCaseAlert(head.page, `${demo.base}/supervision/alerts?severity=high`);
  const alertHref = await row.locator('a[href^="/supervision/alerts/"]').first().getAttribute('href');
  const alertId = alertHref.split('/').pop();
  await head.page.goto(`${demo.base}${alertHref}`);
  const agencyLine = await head.page.locator('table.kv tr:has(th:text("执法主体")) td').innerText();

  const agencyName = agencyLine.split('（')[0].trim();
  const ruleName = (await head.page.locator('h1').innerText()).split(' ')[0].replace(/风险.$/, '').trim();

  // The supervisor of the province drills down on the dashboard: 广东省 → 广州市 → the agency
  // → its alerts of that rule → the alert → the case.
  const sup = await login('supervisor');
  const p = sup.page;
  await p.goto(`${demo.base}/supervision`);
  assert.match(await p.locator('#crumbs').innerText(), /广东省/);
  assert.ok(await p.locator('svg').count() >= 2, 'server-rendered SVG charts');
  await p.screenshot({ path: join(shots, 'supervision-dashboard-province.png'), fullPage: true });
  await Promise.all([p.waitForNavigation(), p.click('td.name a:text-is("广州市")')]);
  assert.match(await p.locator('#crumbs').innerText(), /广东省[\s\S]*广州市/);
  await Promise.all([p.waitForNavigation(), p.click('nav.tabs a:text("按执法主体")')]);
  await Promise.all([p.waitForNavigation(), p.click(`td.name a:text-is("${agencyName}")`)]);
  assert.match(await p.locator('#crumbs').innerText(), new RegExp(agencyName));
  await p.screenshot({ path: join(shots, 'supervision-dashboard-agency.png'), fullPage: true });
  await Promise.all([p.waitForNavigation(), p.click(`#rules-table a:text-is("${ruleName}")`)]);
  assert.match(p.url(), /\/supervision\/alerts\?/);
  const link = p.locator(`a[href="${alertHref}"]`);
  for (let page = 0; page < 200 && !(await link.count()); page++) {
    const next = p.locator('.pager a:text("下一页")');
    assert.ok(await next.count(), `alert ${alertId} of ${agencyName} is listed under ${ruleName}`);
    await Promise.all([p.waitForNavigation(), next.click()]);
  }
  await p.screenshot({ path: join(shots, 'supervision-alerts-agency.png'), fullPage: true });
  await Promise.all([p.waitForNavigation(), link.first().click()]);
  assert.match(await p.locator('#alert-status').innerText(), /待处置/);
  assert.match(await p.locator('table.kv').first().innerText(), /《/);
  await Promise.all([p.waitForNavigation(), p.click('#alert-case')]);
  assert.match(p.url(), /\/cases\//);
  assert.ok(await p.locator('#case-alerts').count(), 'the case page lists its alerts');
  await p.screenshot({ path: join(shots, 'supervision-case.png'), fullPage: true });
  await p.goBack();

  // Take it and issue the opinion; an empty opinion is refused first, the typed date kept.
  await Promise.all([p.waitForNavigation(), p.click('#assign')]);
  assert.match(await p.locator('#alert-status').innerText(), /已指派/);
  const due = inDays(30);
  await p.fill('#opinion-form input[name=rectify_due]', due);
  await Promise.all([p.waitForNavigation(), p.click('#opinion-form button[type=submit]')]);
  assert.match(await p.locator('#opinion-form').innerText(), /请填写监督意见/);
  assert.equal(await p.inputValue('#opinion-form input[name=rectify_due]'), due);
  await p.fill('#opinion-form textarea[name=opinion]', '请对本案问题进行核查，依法纠正，并将整改情况书面反馈。');
  await Promise.all([p.waitForNavigation(), p.click('#opinion-form button[type=submit]')]);
  assert.match(await p.locator('#alert-status').innerText(), /已发监督意见/);
  const docHref = await p.locator('#opinion-doc').getAttribute('href');
  await p.goto(`${demo.base}${docHref}`);
  assert.match(await p.locator('#document').innerText(), /行政执法监督意见书[\s\S]*监督意见〔\d{4}〕\d+号/);
  await p.screenshot({ path: join(shots, 'supervision-opinion.png'), fullPage: true });

  // The agency head sees the opinion and records the rectification.
  const h = head.page;
  await h.goto(`${demo.base}${alertHref}`);
  assert.match(await h.locator('#alert-status').innerText(), /已发监督意见/);
  assert.match(await h.locator('table.kv').first().innerText(), /请对本案问题进行核查/);
  await h.fill('#rectify-form textarea[name=rectification]', '已组织复查，撤销原决定并重新履行法定程序。');
  await Promise.all([h.waitForNavigation(), h.click('#rectify-form button[type=submit]')]);
  assert.match(await h.locator('#alert-status').innerText(), /已整改/);
  assert.match(await h.locator('#rectification').innerText(), /撤销原决定/);
  await h.screenshot({ path: join(shots, 'supervision-rectified.png'), fullPage: true });

  // Back at the justice bureau: the step is in the history.
  await p.goto(`${demo.base}${alertHref}`);
  assert.match(await p.locator('#alert-history').innerText(), /被监督机关记录整改情况/);
  await sup.context.close();
  await head.context.close();
});
