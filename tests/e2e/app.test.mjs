// End to end: WebdriverIO drives the real rapport-app binary through tauri-driver and
// WebKitWebDriver (run under Xvfb by `make e2e`). The success and failure runs replay
// the trainer's own golden tests from the shipped double-charge scenario, so they follow
// the real scorer as it is tuned.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import {
  app,
  FAILURES,
  SEED,
  allById,
  browser,
  byId,
  connect,
  goldenRuns,
  makePack,
  shipped,
  play,
  reply,
  shot,
  start,
  startDriver,
  stopDriver,
  waitForLibrary,
} from './harness.mjs';

const XSS = '<img src=x onerror=alert(1)>';

async function noAlertAndNoImages() {
  // With a dialog open, WebKitWebDriver refuses every script ("unexpected alert open").
  const alertOpen = await browser.execute(() => false).catch((e) => /alert/i.test(String(e)));
  assert.equal(alertOpen, false, 'no alert may open');
  const imgs = await browser.execute(() => document.querySelectorAll('img').length);
  assert.equal(imgs, 0, 'scenario text must not become elements');
}

async function checkScores(run) {
  assert.equal(typeof run.scores.overall, 'number', 'the overall is always scored');
  for (const [k, v] of Object.entries(run.scores)) {
    // A rubric no turn assessed shows as "not assessed" (null here), never as 0.
    assert.ok(v === null || (v >= 0 && v <= 100), `${k} ${v} is a 0-100 score or not assessed`);
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const chases = async () => (await browser.$$('[data-testid="customer-line"][data-chase="true"]')).length;

/** Registers hooks that start the app on the pack in `scenariosDir` before the suite's
 * tests and close it, with its driver, after them. */
function runAppOn(scenariosDir) {
  let driver;
  before(async () => {
    driver = await startDriver({ RAPPORT_SCENARIOS_DIR: scenariosDir, RAPPORT_SEED: String(SEED) });
    await connect(app);
  });
  after(async () => {
    await browser?.deleteSession().catch(() => undefined);
    await stopDriver(driver);
  });
}

describe('rapport-app', { timeout: 240000 }, () => {
  const runs = {};
  runAppOn(makePack());

  it('opens the library with every card and the load-errors panel', async () => {
    await waitForLibrary(15000);
    assert.equal(await browser.getTitle(), 'Rapport');
    const ids = await browser.$$('[data-testid="scenario-card"]').map((c) => c.getAttribute('data-scenario-id'));
    assert.ok(ids.includes('e2e-xss') && ids.includes('impatient') && ids.includes('double-charge'), ids.join(','));
    assert.ok(!ids.includes('e2e-broken'));
    const text = await byId('load-errors').getText();
    assert.match(text, /broken\.yaml/);
    assert.match(text, /unknown-target/);
    await shot('library-with-errors');
  });

  it('shows scenario markup as text and runs none of it', async () => {
    await start('e2e-xss');
    const first = await (await allById('customer-line'))[0].getText();
    assert.ok(first.includes(`Hi ${XSS} can you help?`), first);
    assert.ok((await byId('persona-card').getText()).includes(XSS));
    assert.ok((await byId('crm-panel').getText()).includes(XSS));
    await noAlertAndNoImages();
    await reply("I'll refund it now.", 1);
    const lines = await allById('customer-line');
    assert.ok((await lines[lines.length - 1].getText()).includes('<script>alert(3)</script> thanks!'));
    await noAlertAndNoImages();
    await shot('xss');
  });

  it('plays to a success ending with good replies, with feedback on each', async () => {
    const { success } = goldenRuns();
    runs.success = await play(success, {
      afterFirst: async () => {
        const feedback = await byId('turn-feedback');
        await feedback.waitForExist({ timeout: 5000 });
        const met = await feedback.$$('[data-testid="criterion"][data-met="true"]');
        assert.ok(met.length > 0, 'a good first reply meets criteria');
        assert.ok(await feedback.$('mark').isExisting(), 'the matched words are highlighted');
        assert.equal(await browser.execute(() => document.activeElement?.dataset.testid), 'reply-input');
        await shot('conversation');
      },
    });
    assert.equal(runs.success.outcome, 'success');
    await checkScores(runs.success);
    assert.ok((await allById('debrief-turn')).length >= 1);
    assert.ok((await allById('model-answer')).length >= 1, 'the debrief shows the model answers');
    await shot('debrief');
  });

  it('plays to a failure ending with poor replies, scoring lower', async () => {
    const { failure } = goldenRuns();
    runs.failure = await play(failure);
    assert.ok(FAILURES.includes(runs.failure.outcome), runs.failure.outcome);
    await checkScores(runs.failure);
    assert.ok(
      runs.failure.scores.overall < runs.success.scores.overall,
      `poor ${runs.failure.scores.overall} < good ${runs.success.scores.overall}`,
    );
    await shot('debrief-failure');
  });

  it('charts the attempts on the Progress screen and reopens one as its debrief', async () => {
    await (await byId('nav-progress')).click();
    const chart = await byId('score-chart');
    await chart.waitForExist({ timeout: 10000 });
    const points = await browser.$$('[data-testid="score-chart"] circle.point.overall');
    assert.ok(points.length >= 2, `a point per finished attempt, got ${points.length}`);
    assert.ok((await browser.$$('[data-testid="criteria-chart"] rect.bar')).length > 0);
    assert.ok(await byId('weakest').isExisting());
    assert.equal(await browser.execute(() => document.querySelectorAll('[style]').length), 0, 'no inline styles');
    await shot('progress');
    await (await byId('table-toggle')).click();
    const rows = await browser.$$('[data-testid="scores-table"] tbody tr');
    assert.ok(rows.length >= 2);
    await (await byId('table-toggle')).click();
    // The newest attempt is the failure run: its recorded debrief, not scored again.
    await (await allById('open-attempt'))[0].click();
    await (await byId('debrief')).waitForExist({ timeout: 10000 });
    assert.equal(Number(await (await byId('score-overall')).getText()), runs.failure.scores.overall);
    await (await byId('nav-settings')).click();
    await (await byId('outbox-waiting')).waitForExist({ timeout: 10000 });
    assert.match(await (await byId('outbox-waiting')).getText(), /waiting to be sent/);
    await shot('settings');
    await (await byId('nav-library')).click();
    await waitForLibrary();
  });

  it('chases a silent trainee from the backend timer', async () => {
    await start('impatient');
    await browser.waitUntil(
      async () => {
        const lines = await allById('customer-line');
        return (await lines[lines.length - 1].getText()).includes('Anyone there, Sam is waiting!');
      },
      { timeout: 8000, timeoutMsg: 'the customer never chased' },
    );
    await byId('open-debrief').waitForExist({ timeout: 8000 });
    await shot('chased');
    await byId('open-debrief').click();
    assert.equal(await byId('outcome').getAttribute('data-outcome'), 'hung_up');
  });
});

// The customer waits while the trainee types: a slow typist past the customer's patience
// is not chased, and the clock runs again once they stop.
describe('rapport-app: the customer waits while the trainee types', { timeout: 120000 }, () => {
  runAppOn(makePack());

  it('holds the patience while typing, then chases once typing stops', async () => {
    const scenario = YAML.parse(fs.readFileSync(path.join(shipped, 'small-business-rush.yaml'), 'utf8'));
    const patience = scenario.customer.patience;
    assert.ok(patience > 0 && patience <= 20, `small-business-rush has a short patience (${patience} s)`);
    await waitForLibrary(15000);
    await start('small-business-rush');
    await browser.waitUntil(async () => !(await byId('typing-indicator').isExisting()), { timeout: 10000 });
    assert.equal(await chases(), 0, 'no chase before anything happens');
    const input = await byId('reply-input');
    await input.click();
    // One key about every second, for longer than the customer's patience (10 s) plus margin.
    const typedFor = (patience + 4) * 1000;
    const began = Date.now();
    let sawWaiting = false;
    while (Date.now() - began < typedFor) {
      await input.addValue('a');
      await sleep(900);
      assert.equal(await chases(), 0, `chased ${Math.round((Date.now() - began) / 1000)} s into typing`);
      if (await byId('customer-waiting').isExisting()) {
        sawWaiting = true;
        assert.equal(await byId('patience').getAttribute('data-paused'), 'true');
      }
    }
    assert.ok(sawWaiting, 'the waiting note was shown while typing');
    assert.match(await byId('customer-waiting').getText(), /is waiting while you type/);
    await shot('customer-waiting');
    const stopped = Date.now();
    // Typing stopped: the hold (4 s) runs out, then the rest of the patience, then the chase.
    await browser.waitUntil(async () => (await chases()) > 0, {
      timeout: 25000,
      interval: 250,
      timeoutMsg: 'the customer never chased after typing stopped',
    });
    const after = Date.now() - stopped;
    assert.ok(after >= 3000, `the chase came ${after} ms after typing stopped, inside the typing hold`);
    assert.equal(await byId('customer-waiting').isExisting(), false, 'no waiting note once chased');
    assert.ok((await input.getValue()).startsWith('aaa'), 'the draft is kept through the chase');
  });
});

// The README shows the library a trainee meets: the shipped pack alone, without the test
// fixtures above. A second app, so it also checks the pack loads with no errors panel.
describe('rapport-app on the shipped pack', { timeout: 120000 }, () => {
  runAppOn(shipped);

  it('lists every shipped scenario and no load errors', async () => {
    await waitForLibrary(15000);
    const ids = await browser.$$('[data-testid="scenario-card"]').map((c) => c.getAttribute('data-scenario-id'));
    assert.ok(ids.length >= 10 && ids.includes('double-charge'), ids.join(','));
    assert.ok(!ids.includes('e2e-xss') && !ids.includes('impatient'), ids.join(','));
    assert.equal(await byId('load-errors').isExisting(), false);
    await shot('library');
  });
});
