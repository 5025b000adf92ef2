// Browser test of case handling (issue 4): a real `zhifa demo` server on a free port, driven in
// headless Debian Chromium through playwright-core. A general-procedure case is walked from the
// lead to closure through the UI, with a fine large enough to require legal review (APL Art.
// 58): the officer registers it and the head files it; the officer records, collects evidence,
// concludes and serves the prior notice; the party waives its rights; the officer requests the
// review, the reviewer agrees, the head decides, the officer serves, publishes and records the
// payment, and the head closes the case. The public portal then shows the decision with the
// party masked, and its verification code verifies. Screenshots go to target/browser/.
//
// Run: node --test tests/browser/   (ZHIFA_BIN overrides the binary; CHROMIUM the browser)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { shots, startDemo, login as signIn } from './harness.mjs';

let demo;
let base;
let password;
let browser;
const CAUSE = '销售超过保质期的食品（浏览器测试）';

before(async () => {
  demo = await startDemo('zhifa-cases-', 600_000);
  ({ base, browser } = demo);
  const m = demo.out.match(/密码均为 (\S+?)）/);
  password = m ? m[1] : 'zhifa-demo-2026';
});

after(async () => {
  if (demo) await demo.stop();
});

function login(username, viewport) {
  return signIn(demo, password, username, viewport);
}

/** The date `days` before today in China (UTC+8), as YYYY-MM-DD. */
function ago(days) {
  return new Date(Date.now() + 8 * 3600_000 - days * 86_400_000).toISOString().slice(0, 10);
}

/** A valid citizen ID (GB 11643, ISO 7064 MOD 11-2 check digit) for a 17-digit prefix. */
function citizenId(prefix17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...prefix17].reduce((s, c, i) => s + Number(c) * w[i], 0);
  return prefix17 + '10X98765432'[sum % 11];
}

/** Issues a command from the case page's command panel and asserts it was accepted. */
async function run(page, kind, on, fill = async () => {}) {
  const details = page.locator(`details[data-command="${kind}"]`);
  assert.equal(await details.count(), 1,
    `${kind} is offered as allowed; panel: ${await page.locator('#commands').innerText()}`);
  await details.evaluate((d) => { d.open = true; });
  const form = page.locator(`#form-${kind}`);
  await form.locator('input[name=on]').fill(on);
  await fill(form);
  await Promise.all([
    page.waitForNavigation(),
    form.locator('button[type=submit]').click(),
  ]);
  const refusal = page.locator('#refusal, p.error');
  if (await refusal.count()) {
    assert.fail(`${kind} refused: ${await refusal.first().innerText()}`);
  }
}

async function fillPenalty(form, fineYuan) {
  await form.locator('input[name=penalty_types][value="01"]').check();
  await form.locator('input[name=penalty_types][value="03"]').check();
  await form.locator('input[name=fine_yuan]').fill(String(fineYuan));
  await form.locator('textarea[name=facts]').fill('销售超过保质期的预包装食品 24 盒');
  await form.locator('input[name=violated]').fill('《中华人民共和国食品安全法》第三十四条第（十）项');
  await form.locator('input[name=basis]').fill('《中华人民共和国食品安全法》第一百二十四条第一款');
}

test('a general-procedure case goes from lead to closure with legal review, and its decision is published masked and verifiable', { timeout: 600_000 }, async () => {
  const officer = await login('officer');
  const head = await login('head');
  const reviewer = await login('reviewer');
  const reviewerName = (await reviewer.page.textContent('header .me')).replace(/（.*$/, '').trim();
  const officerName = (await officer.page.textContent('header .me')).replace(/（.*$/, '').trim();
  const partyId = citizenId('44010619880512123');

  // 案源登记 (officer).
  const p = officer.page;
  await p.goto(`${base}/cases/new`);
  await p.fill('input[name=on]', ago(40));
  await p.selectOption('select[name=source]', '2');
  await p.fill('input[name=cause]', CAUSE);
  await p.selectOption('select[name=party_type]', '1');
  await p.fill('input[name=party_name]', '王小明');
  await p.fill('input[name=id_number]', partyId);
  await p.fill('input[name=address]', '广州市越秀区中山五路 1 号');
  await p.fill('input[name=act_date]', ago(45));
  await p.fill('textarea[name=summary]', '群众举报，现场发现货架上有过期食品');
  await Promise.all([p.waitForURL(/\/cases\/[0-9a-f-]+$/), p.click('#start-form button[type=submit]')]);
  const caseUrl = p.url();
  assert.match(await p.textContent('#case-title'), /未立案/);
  // Filing is the head's: greyed for the officer, with article and remedy.
  const greyed = p.locator('.command.disabled[data-command="file_case"]');
  assert.equal(await greyed.count(), 1);
  assert.match(await greyed.innerText(), /机关负责人/);
  await p.screenshot({ path: join(shots, 'case-lead.png'), fullPage: true });

  // 立案 (head), from the approvals queue.
  const h = head.page;
  assert.equal((await h.goto(`${base}/cases/approvals`)).status(), 200);
  await h.goto(caseUrl);
  await run(h, 'file_case', ago(39));
  const number = (await h.textContent('#case-title')).trim();
  assert.match(number, /〔\d{4}〕\d+号/);

  // Investigation (officer): two officers with valid certificates, not the reviewer.
  await p.goto(caseUrl);
  await run(p, 'assign_officers', ago(39), async (form) => {
    const boxes = form.locator('input[name=officers]');
    const labels = await form.locator('label.check').allInnerTexts();
    const mine = (i) => (labels[i].startsWith(`${officerName}（`) ? 0 : 1);
    const order = labels.map((_, i) => i).sort((x, y) => mine(x) - mine(y));
    const picked = order
      .filter((i) => labels[i].includes('执法证 ') && !labels[i].startsWith(`${reviewerName}（`))
      .slice(0, 2);
    assert.equal(picked.length, 2, `two qualified officers among ${labels.join(' / ')}`);
    for (const i of picked) await boxes.nth(i).check();
  });
  const assigned = await p.locator('#timeline').innerText();
  await run(p, 'make_record', ago(38), async (form) => {
    await form.locator('select[name=kind]').selectOption('inquiry');
    await form.locator('input[name=place]').fill('广州市越秀区中山五路 1 号');
    const boxes = form.locator('input[name=officers]');
    const labels = await form.locator('label.check').allInnerTexts();
    let n = 0;
    for (let i = 0; i < labels.length && n < 2; i++) {
      const name = labels[i].replace(/（.*$/, '');
      if (assigned.includes(name)) { await boxes.nth(i).check(); n++; }
    }
    await form.locator('input[name=interviewee]').fill('王小明');
    await form.locator('textarea[name=content]').fill('问：货架上的食品是否已过保质期？答：是，共 24 盒。');
  });
  await run(p, 'add_evidence', ago(38), async (form) => {
    await form.locator('select[name=evidence_type]').selectOption('2');
    await form.locator('textarea[name=description]').fill('过期食品 24 盒（照片 3 张）');
  });
  await run(p, 'conclude', ago(37), async (form) => {
    await form.locator('select[name=outcome]').selectOption('penalty');
    await fillPenalty(form, 20000);
  });
  await run(p, 'serve_notice', ago(36), async (form) => {
    await form.locator('select[name=method]').selectOption('1');
  });
  await run(p, 'waive_rights', ago(36));
  // The decision is locked until the legal review agrees.
  await h.goto(caseUrl);
  const locked = h.locator('.command.disabled[data-command="decide"]');
  assert.equal(await locked.count(), 1, 'decide is greyed before the review');
  assert.match(await locked.innerText(), /法制审核/);
  await p.goto(caseUrl);
  await run(p, 'request_review', ago(35));
  await p.screenshot({ path: join(shots, 'case-review-requested.png'), fullPage: true });

  // 法制审核 (reviewer), from the review queue.
  const r = reviewer.page;
  assert.equal((await r.goto(`${base}/cases/review`)).status(), 200);
  await r.goto(caseUrl);
  await run(r, 'give_review', ago(34), async (form) => {
    await form.locator('select[name=opinion]').selectOption('agree');
    await form.locator('textarea[name=comments]').fill('事实清楚，证据确凿，程序合法，处罚适当。');
  });

  // 作出决定 (head).
  await h.goto(caseUrl);
  await run(h, 'decide', ago(33));

  // Service, publication, payment (officer).
  await p.goto(caseUrl);
  await run(p, 'serve_decision', ago(32), async (form) => {
    await form.locator('select[name=method]').selectOption('1');
  });
  await run(p, 'publish', ago(31));
  await run(p, 'record_payment', ago(30), async (form) => {
    await form.locator('input[name=amount_fen]').fill('20000');
  });

  // 结案 (head).
  await h.goto(caseUrl);
  await run(h, 'close', ago(29));
  assert.equal((await h.textContent('#case-stage')).trim(), '已结案');
  await h.screenshot({ path: join(shots, 'case-closed.png'), fullPage: true });

  // Documents of every step, the decision with its Art. 59 contents.
  const docs = await h.locator('#documents a').evaluateAll((as) => as.map((a) => a.dataset.kind));
  for (const k of ['filing', 'inquiry', 'notice', 'review', 'decision', 'service', 'closure']) {
    assert.ok(docs.includes(k), `${k} in ${docs}`);
  }
  await h.goto(`${caseUrl}/documents/decision`);
  const decisionText = await h.textContent('#document');
  assert.match(decisionText, /行政处罚决定书/);
  assert.match(decisionText, /六十日内/);
  assert.equal(await h.locator('#missing').count(), 0, 'the decision has every required item');
  await h.screenshot({ path: join(shots, 'case-decision-document.png'), fullPage: true });

  // A timeline entry verifies against the signed checkpoint (in the browser, SM3).
  let verified = '';
  for (let attempt = 0; attempt < 10 && !verified.includes('已验证'); attempt++) {
    await h.goto(caseUrl);
    await h.locator('a.verify').first().click();
    await h.waitForFunction(() => {
      const s = document.querySelector('.verify-result');
      return s && s.textContent && s.textContent !== '验证中…';
    });
    verified = await h.locator('.verify-result').first().innerText();
    if (!verified.includes('已验证')) await new Promise((ok) => setTimeout(ok, 1000));
  }
  assert.match(verified, /已验证/);

  // The public portal: masked party, verification code verifies.
  const pub = await browser.newContext({ locale: 'zh-CN' });
  const q = await pub.newPage();
  await q.goto(`${base}/decisions?q=${encodeURIComponent(CAUSE)}`);
  const row = q.locator('#decisions tbody tr', { hasText: '王某某' }).first();
  assert.equal(await row.count(), 1, await q.content());
  const html = await q.content();
  assert.ok(!html.includes('王小明'), 'the name is masked');
  await row.locator('a').click();
  await q.waitForSelector('#decision');
  assert.equal((await q.textContent('#party')).trim(), '王某某');
  const maskedId = (await q.textContent('#party-id')).trim();
  assert.notEqual(maskedId, partyId);
  assert.ok(!html.includes(partyId));
  await q.screenshot({ path: join(shots, 'portal-decision.png'), fullPage: true });
  const code = (await q.textContent('#verification-code')).trim();
  await q.goto(`${base}/decisions/verify`);
  await q.fill('input[name=code]', code);
  await Promise.all([q.waitForURL(/verify\?code=/), q.click('form.filters button[type=submit]')]);
  assert.equal(await q.getAttribute('#verify-result', 'data-verified'), 'true', await q.textContent('main'));
  assert.ok(Number(await q.textContent('#leaf-index')) >= 0);
  await q.screenshot({ path: join(shots, 'portal-verify.png'), fullPage: true });
  // A forged code is not found.
  await q.goto(`${base}/decisions/verify?code=${'0'.repeat(64)}`);
  assert.equal(await q.getAttribute('#verify-result', 'data-verified'), 'false');

  await pub.close();
  await officer.context.close();
  await head.context.close();
  await reviewer.context.close();
});

test('the on-site page works on a phone', { timeout: 120_000 }, async () => {
  const { context, page } = await login('officer', { width: 390, height: 844 });
  await page.goto(`${base}/cases/on-site`);
  assert.equal(await page.locator('form.mobile').count(), 1);
  await page.screenshot({ path: join(shots, 'case-on-site-phone.png'), fullPage: true });
  await page.goto(`${base}/`);
  assert.equal(await page.locator('#my-cases').count(), 1);
  await context.close();
});

test('the case list and a case page work without JavaScript, including 验证', { timeout: 120_000 }, async () => {
  const context = await browser.newContext({ javaScriptEnabled: false, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.fill('input[name=username]', 'head');
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
  await page.goto(`${base}/cases?due=overdue`);
  const first = page.locator('table.cases tbody tr td a').first();
  assert.equal(await first.count(), 1, 'the demo has overdue cases');
  await Promise.all([page.waitForURL(/\/cases\/[0-9a-f-]+$/), first.click()]);
  assert.ok(await page.isVisible('#clocks'));
  assert.ok(await page.isVisible('#commands'));
  await Promise.all([page.waitForURL(/verify=/), page.locator('a.verify').first().click()]);
  assert.ok(await page.isVisible('#verification'));
  assert.match(await page.textContent('#verification'), /已验证|尚无覆盖/);
  await page.screenshot({ path: join(shots, 'case-no-js.png'), fullPage: true });
  await context.close();
});
