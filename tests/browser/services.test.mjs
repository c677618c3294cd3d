// The Services section of a captured launch in a real browser against `lti-inspector serve`:
// `launch_demo` (API) is followed in a browser tab so the tool side captures a valid demo launch
// carrying the AGS and NRPS claims; its flow page then fetches the roster (4 members, Grace
// Hopper among them, raw pages one click away), lists, creates, edits and deletes line items,
// posts a score for a learner picked from the roster, and reads it back in the results and the
// line items × members grid — each call's findings shown; the emulator's gradebook (API) confirms
// the score arrived.
//
//   cd ui && npm run build && cd .. && node --test tests/browser/services.test.mjs
//
// Screenshots: tests/artifacts/browser-services.png (gradebook), browser-services-roster.png,
// browser-services-refused.png.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ARTIFACTS, launchBrowser, skip, startServer, stopServer, afterInjectedHandlersWouldHaveRun } from './harness.mjs';

if (skip) console.log(`# SKIP ${skip}`);

const DEMO_COURSE = 'demo-course';
const HOSTILE_COMMENT = '<img src=x onerror=alert(1)> nice';

let server = null;
let context = null;
let page = null;
let tmp = null;
let flowId = null;
let lineItemUrl = null;
const dialogs = [];
const pageErrors = [];

before(async () => {
  if (skip) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lti-ui-services-'));
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  server = await startServer(tmp);
  ({ context, page } = await launchBrowser(path.join(tmp, 'profile'), { width: 1440, height: 900 }));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
});

after(async () => {
  await context?.close().catch(() => undefined);
  await stopServer(server);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('1. a demo launch followed in a tab is captured with the AGS and NRPS claims; its flow shows Services', { skip }, async () => {
  const launch = await server.api('launch_demo');
  const tab = await context.newPage();
  await tab.goto(launch.url);
  await tab.waitForURL(/\/lti\/launch(\?|$)/, { timeout: 15_000 });
  const html = await tab.content();
  flowId = /#\/flows\/([A-Za-z0-9_-]+)/.exec(html)?.[1];
  assert.ok(flowId, `the landing page links to the tool-side flow: ${html.slice(0, 300)}`);
  await tab.close();
  const flow = await server.api('get_flow', { id: flowId });
  assert.equal(flow.flow.verdict, 'valid');
  const payload = flow.messages.find((m) => m.message.kind === 'id_token')?.decoded?.payload ?? {};
  assert.ok(payload['https://purl.imsglobal.org/spec/lti-ags/claim/endpoint'], 'AGS claim');
  assert.ok(payload['https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice'], 'NRPS claim');

  await page.goto(server.uiUrl);
  await page.getByTestId('nav-timeline').waitFor();
  await page.goto(`${server.base}/#/flows/${flowId}`);
  await page.getByTestId('services-card').waitFor();
  assert.equal(await page.getByTestId('services-tab-roster').getAttribute('aria-selected'), 'true');
});

test('2. Roster: fetch (4 members incl. Grace Hopper), role filter, raw pages open the recorded exchange', { skip }, async () => {
  // A picture (http(s): the emulator refuses other schemes) becomes an <img> without a referrer.
  await server.api('save_emulator_user', { id: 'demo-learner-1', given_name: 'Alan', family_name: 'Turing', email: 'demo-learner-1@demo.lti-inspector.invalid', picture: 'https://pictures.invalid/alan.png' });
  // A 6,000-character family name must not push the other columns off screen.
  await server.api('save_emulator_user', { id: 'demo-learner-2', given_name: 'Long', family_name: 'W'.repeat(6000), email: 'demo-learner-2@demo.lti-inspector.invalid' });
  await page.getByTestId('roster-fetch').click();
  await page.locator('[data-testid="roster-row"]').nth(3).waitFor();
  assert.equal(await page.getByTestId('roster-row').count(), 4);
  const fits = await page.getByTestId('roster-table').evaluate((t) => {
    const last = t.querySelector('th:last-child').getBoundingClientRect();
    return { scroll: t.scrollWidth, client: t.parentElement.clientWidth, lastRight: last.right, viewport: window.innerWidth };
  });
  assert.ok(fits.scroll <= fits.client + 1 && fits.lastRight <= fits.viewport, `the roster overflows: ${JSON.stringify(fits)}`);
  // Katherine Johnson again, for the tests that follow (the fetches below re-read the roster).
  await server.api('save_emulator_user', { id: 'demo-learner-2', given_name: 'Katherine', family_name: 'Johnson', email: 'demo-learner-2@demo.lti-inspector.invalid' });
  const names = await page.getByTestId('member-name').allTextContents();
  assert.ok(names.includes('Grace Hopper'), names.join(', '));
  const grace = page.locator('[data-testid="roster-row"][data-user="demo-instructor"]');
  assert.match(await grace.getByTestId('member-roles').textContent(), /Instructor/);
  assert.match(await grace.textContent(), /Active/);
  assert.match(await page.getByTestId('roster-summary').textContent(), /4 members.*1 page fetched/);
  const pics = await page.getByTestId('member-picture').evaluateAll((els) => els.map((e) => [e.getAttribute('src'), e.referrerPolicy]));
  assert.deepEqual(pics, [['https://pictures.invalid/alan.png', 'no-referrer']]);

  // Raw pages: the recorded GET of the memberships URL, one click away.
  await page.getByTestId('roster-log').getByTestId('call-log-toggle').click();
  const pageRow = page.getByTestId('roster-log').getByTestId('call-row').filter({ hasText: '/memberships' }).first();
  await pageRow.getByTestId('call-open').click();
  const detail = page.getByTestId('roster-log').getByTestId('exchange-detail');
  await detail.getByTestId('detail-url').waitFor();
  assert.match(await detail.getByTestId('detail-url').textContent(), /\/courses\/demo-course\/memberships/);
  // The bearer token is masked (shown and copied as curl without it) until revealed.
  const masked = detail.getByTestId('exchange-masked');
  assert.match(await masked.textContent(), /request header Authorization/);
  assert.match(await detail.textContent(), /Bearer ‹masked, \d+ chars/);
  await detail.getByTestId('exchange-reveal').click();
  await masked.waitFor({ state: 'detached' });
  assert.doesNotMatch(await detail.textContent(), /‹masked/);
  await page.getByTestId('services-card').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(ARTIFACTS, 'browser-services-roster.png') });
  assert.ok((await page.getByTestId('roster-log').getByTestId('findings').count()) === 1, 'the response findings are shown');

  // The differences link: shown, and fetchable (nothing changed since).
  assert.match(await page.getByTestId('roster-differences').textContent(), /\/memberships\?since=/);
  await page.getByTestId('roster-fetch-differences').click();
  await page.locator('[data-testid="roster-summary"][data-differences="yes"]').waitFor();
  assert.match(await page.getByTestId('roster-count').textContent(), /^0 members/);

  // Role filter: learners only.
  await page.getByTestId('roster-role').selectOption('Learner');
  await page.getByTestId('roster-fetch').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="roster-row"]').length === 3);
  // rlid: the members who can access the launch's link, each with the link's message claims.
  await page.getByTestId('roster-role').selectOption('');
  await page.getByTestId('roster-rlid').fill('demo-link-1');
  await page.getByTestId('roster-fetch').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="member-message"]').length === 4);
  assert.ok((await page.getByTestId('roster-log').getByTestId('call-row').filter({ hasText: 'rlid=demo-link-1' }).count()) >= 1, 'the rlid page is in the raw pages');
  await page.getByTestId('roster-rlid').fill('');
  // Back to everyone, for the score form's picker.
  await page.getByTestId('roster-role').selectOption('');
  await page.getByTestId('roster-fetch').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="roster-row"]').length === 4 && document.querySelectorAll('[data-testid="member-message"]').length === 0);
  await page.locator('[data-testid="roster-fetch"]:not([disabled])').waitFor();
});

test('3. Gradebook: list, create, edit, post a score for a learner from the roster, see it in results and the grid', { skip }, async () => {
  await page.getByTestId('services-tab-gradebook').click();
  await page.getByTestId('li-list').click();
  await page.locator('[data-testid="line-item-row"][data-label="Welcome quiz"]').waitFor();

  // Create.
  await page.getByTestId('li-new').click();
  await page.getByTestId('li-label').fill('UI quiz');
  await page.getByTestId('li-scoreMaximum').fill('20');
  await page.getByTestId('li-tag').fill('ui');
  await page.getByTestId('li-resourceId').fill('ui-quiz');
  await page.getByTestId('li-endDateTime').fill('2030-01-01T00:00:00Z');
  await page.getByTestId('li-save').click();
  const row = page.locator('[data-testid="line-item-row"][data-label="UI quiz"]');
  await row.waitFor();
  lineItemUrl = await row.getAttribute('data-id');
  assert.match(lineItemUrl, /\/courses\/demo-course\/lineitems\/./);
  assert.match(await page.getByTestId('gradebook-log').textContent(), /Create line item/);

  // Edit (PUT): the label changes, the URL stays.
  await row.getByTestId('li-edit').click();
  await page.getByTestId('li-label').fill('UI quiz (edited)');
  await page.getByTestId('li-save').click();
  const edited = page.locator(`[data-testid="line-item-row"][data-label="UI quiz (edited)"]`);
  await edited.waitFor();
  assert.equal(await edited.getAttribute('data-id'), lineItemUrl);

  // Score: the learner picked from the roster; every field; the timestamp left to default.
  await edited.getByTestId('li-score').click();
  const form = page.getByTestId('score-form');
  await form.waitFor();
  const options = await form.getByTestId('score-userId').locator('option').allTextContents();
  assert.ok(options.some((o) => o.includes('Katherine Johnson')), options.join(' | '));
  await form.getByTestId('score-userId').selectOption('demo-learner-2');
  await form.getByTestId('score-scoreGiven').fill('17');
  assert.equal(await form.getByTestId('score-scoreMaximum').inputValue(), '20');
  await form.getByTestId('score-comment').fill(HOSTILE_COMMENT);
  await form.getByTestId('score-activityProgress').selectOption('Submitted');
  assert.deepEqual(await form.getByTestId('score-gradingProgress').locator('option').allTextContents(), ['FullyGraded', 'Pending', 'PendingManual', 'Failed', 'NotReady']);
  await form.getByTestId('score-startedAt').fill('2026-11-27T09:00:00Z');
  await form.getByTestId('score-submittedAt').fill('2026-11-27T09:30:00.250Z');
  await form.getByTestId('score-post').click();

  // Results of the line item are read after the score.
  const result = page.locator('[data-testid="result-row"][data-user="demo-learner-2"]');
  await result.waitFor();
  assert.equal(await result.getByTestId('result-score').textContent(), '17 / 20');
  assert.ok((await result.textContent()).includes(HOSTILE_COMMENT), 'the comment is text');
  const cell = page.locator(`[data-testid="service-grid-cell"][data-id="${lineItemUrl}"][data-user="demo-learner-2"]`);
  await cell.waitFor();
  assert.match(await cell.textContent(), /17 \/ 20/);
  const gridRows = await page.getByTestId('service-grid-row').evaluateAll((els) => els.map((e) => e.dataset.user));
  assert.deepEqual(gridRows, ['demo-learner-1', 'demo-learner-2', 'demo-learner-3']);
  // Both calls' exchanges and findings: the score POST, then the results read.
  const logs = page.getByTestId('gradebook-log');
  assert.deepEqual(await logs.locator('.svc-log-head .strong').allTextContents(), ['Post score', 'Results']);
  assert.equal(await logs.getByTestId('findings').count(), 2);
  await logs.first().getByTestId('call-log-toggle').click();
  assert.match(await logs.first().getByTestId('call-row').first().textContent(), /POST\s*204/);

  // The score as sent has the default timestamp with microseconds: the POST is in the flow.
  const flow = await server.api('get_flow', { id: flowId });
  const post = flow.exchanges.filter((e) => e.method === 'POST' && e.url === `${lineItemUrl}/scores`);
  assert.equal(post.length, 1, 'the score POST joined the flow');
  const ex = await server.api('get_exchange', { id: post[0].id });
  const body = JSON.parse(ex.request_body);
  assert.match(body.timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
  assert.equal(body.activityProgress, 'Submitted');
  assert.equal(body.comment, HOSTILE_COMMENT);
  assert.deepEqual(body.submission, { startedAt: '2026-11-27T09:00:00Z', submittedAt: '2026-11-27T09:30:00.250Z' });

  // The emulator's gradebook has it.
  const gb = await server.api('get_gradebook', { course_id: DEMO_COURSE });
  const id = lineItemUrl.slice(lineItemUrl.lastIndexOf('/') + 1);
  const got = gb.cells.find((c) => c.line_item_id === id && c.user_id === 'demo-learner-2');
  assert.ok(got, `no cell for ${id}: ${JSON.stringify(gb.cells)}`);
  assert.equal(got.score_given, 17);
  assert.equal(got.score_maximum, 20);
  assert.equal(got.activity_progress, 'Submitted');
  assert.equal(got.comment, HOSTILE_COMMENT);
  assert.equal(gb.line_items.find((c) => c.line_item.id === id)?.line_item.label, 'UI quiz (edited)');

  await page.getByTestId('services-card').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(ARTIFACTS, 'browser-services.png'), fullPage: true });
});

test('4. a score the platform refuses: the error, and the refused exchange with its finding read back from the flow', { skip }, async () => {
  const row = page.locator(`[data-testid="line-item-row"][data-id="${lineItemUrl}"]`);
  await row.getByTestId('li-score').click();
  const form = page.getByTestId('score-form');
  await form.getByTestId('score-userId').selectOption({ label: 'Another user id…' });
  await form.getByTestId('score-userId-other').fill('not-a-member');
  await form.getByTestId('score-scoreGiven').fill('1');
  await form.getByTestId('score-post').click();
  const failed = page.getByTestId('gradebook-error');
  await failed.waitFor();
  assert.match(await failed.textContent(), /Post score failed/);
  const recovered = failed.getByTestId('failed-call-log');
  await recovered.waitFor();
  await recovered.locator('[data-testid="finding"][data-rule="service.status"]').waitFor();
  await recovered.getByTestId('call-log-toggle').click();
  assert.match(await recovered.getByTestId('call-row').last().textContent(), /POST\s*400.*\/scores/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'browser-services-refused.png') });
  await form.getByRole('button', { name: 'Cancel' }).click();
});

test('5. delete a line item; no injected markup, no dialogs, no uncaught errors', { skip }, async () => {
  await page.getByTestId('li-new').click();
  await page.getByTestId('li-label').fill('Doomed item');
  await page.getByTestId('li-save').click();
  const doomed = page.locator('[data-testid="line-item-row"][data-label="Doomed item"]');
  await doomed.waitFor();
  const url = await doomed.getAttribute('data-id');
  await doomed.getByTestId('li-delete').click();
  await doomed.getByTestId('li-delete-yes').click();
  await doomed.waitFor({ state: 'detached' });
  const id = url.slice(url.lastIndexOf('/') + 1);
  assert.ok(!(await server.api('get_gradebook', { course_id: DEMO_COURSE })).line_items.some((c) => c.line_item.id === id));

  const injected = await page.evaluate(() => document.querySelectorAll('img[src="x"], img[onerror]').length);
  assert.equal(injected, 0, 'platform-supplied markup turned into elements');
  await afterInjectedHandlersWouldHaveRun(page);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(pageErrors, [], `uncaught errors in the page: ${pageErrors.join('\n')}`);
});
