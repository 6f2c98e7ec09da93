// End to end: WebdriverIO drives the real rapport-app binary through tauri-driver and
// WebKitWebDriver (run under Xvfb by `make e2e`). The success and failure runs replay
// the trainer's own golden tests from the shipped double-charge scenario, so they follow
// the real scorer as it is tuned.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { remote } from 'webdriverio';
import YAML from 'yaml';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const app = path.resolve(root, process.env.RAPPORT_APP ?? 'target/debug/rapport-app');
const shipped = path.resolve(root, process.env.RAPPORT_E2E_SCENARIOS ?? 'scenarios');
const shots = path.resolve(root, '.e2e-out/screenshots');
const SCENARIO = 'double-charge';
const SEED = 1;
const XSS = '<img src=x onerror=alert(1)>';
const FAILURES = ['failure', 'escalated', 'hung_up', 'churned'];

let driver;
let browser;

/** The pack the app loads: the shipped scenarios plus the e2e fixtures. */
function makePack() {
  const pack = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-e2e-'));
  if (fs.existsSync(shipped)) fs.cpSync(shipped, pack, { recursive: true });
  for (const f of fs.readdirSync(path.join(here, 'fixtures'))) {
    fs.copyFileSync(path.join(here, 'fixtures', f), path.join(pack, f));
  }
  fs.copyFileSync(path.join(root, 'tests/fixtures/impatient.yaml'), path.join(pack, 'impatient.yaml'));
  return pack;
}

function waitForPort(port, ms) {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.end();
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > until) reject(new Error(`nothing listens on ${port}`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

/** The golden tests of the shipped scenario, with the outcome of the ending each reaches. */
function goldenRuns() {
  const file = path.join(shipped, `${SCENARIO}.yaml`);
  const doc = YAML.parse(fs.readFileSync(file, 'utf8'));
  const typed = doc.tests.filter((t) => t.turns.every((turn) => 'reply' in turn));
  const outcome = (t) => doc.endings[t.ending].outcome;
  const success = typed.find((t) => outcome(t) === 'success' && (t.seed ?? 0) === SEED) ?? typed.find((t) => outcome(t) === 'success');
  const failure = typed.find((t) => FAILURES.includes(outcome(t)));
  assert.ok(success && failure, `${file} needs a typed golden test to a success and one to a failure`);
  return { success, failure };
}

const byId = (id) => browser.$(`[data-testid="${id}"]`);
const allById = (id) => browser.$$(`[data-testid="${id}"]`);

async function shot(name) {
  fs.mkdirSync(shots, { recursive: true });
  await browser.saveScreenshot(path.join(shots, `${name}.png`));
}

async function noAlertAndNoImages() {
  // With a dialog open, WebKitWebDriver refuses every script ("unexpected alert open").
  const alertOpen = await browser.execute(() => false).catch((e) => /alert/i.test(String(e)));
  assert.equal(alertOpen, false, 'no alert may open');
  const imgs = await browser.execute(() => document.querySelectorAll('img').length);
  assert.equal(imgs, 0, 'scenario text must not become elements');
}

async function openLibrary() {
  if (await byId('back-to-library').isExisting()) await byId('back-to-library').click();
  else if (await byId('abandon').isExisting()) await byId('abandon').click();
  await browser.waitUntil(async () => (await allById('scenario-card')).length > 0, { timeout: 10000 });
}

async function start(id) {
  await openLibrary();
  const card = await browser.$(`[data-testid="scenario-card"][data-scenario-id="${id}"]`);
  await card.$('[data-testid="start-scenario"]').click();
  await byId('mood-meter').waitForExist({ timeout: 10000 });
  await browser.waitUntil(async () => (await allById('customer-line')).length > 0, { timeout: 10000 });
}

/** Waits until the customer has answered reply number `n` (1-based) or the chat ended. */
async function settled(n) {
  await browser.waitUntil(
    async () =>
      (await allById('agent-line')).length >= n &&
      !(await byId('typing-indicator').isExisting()) &&
      ((await byId('reply-input').isExisting()) || (await byId('open-debrief').isExisting())),
    { timeout: 15000, timeoutMsg: `no answer to reply ${n}` },
  );
}

async function reply(text, n, { keyboard = false } = {}) {
  const input = await byId('reply-input');
  await input.setValue(text);
  if (keyboard) await browser.keys(['Enter']);
  else await byId('send-reply').click();
  await settled(n);
}

async function play(run, name) {
  await start(SCENARIO);
  for (const [i, turn] of run.turns.entries()) {
    await reply(turn.reply.trim(), i + 1, { keyboard: i === 0 });
    if (i === 0) {
      const feedback = await byId('turn-feedback');
      await feedback.waitForExist({ timeout: 5000 });
      assert.ok((await feedback.$$('[data-testid="criterion"]')).length > 0, 'feedback lists criteria');
      if (name === 'success') await shot('conversation');
    }
    if (await byId('open-debrief').isExisting()) break;
  }
  await byId('open-debrief').waitForExist({ timeout: 10000 });
  await byId('open-debrief').click();
  await byId('debrief').waitForExist({ timeout: 10000 });
  const outcome = await byId('outcome').getAttribute('data-outcome');
  const score = async (id) => Number(await byId(id).getText());
  const scores = {
    empathy: await score('score-empathy'),
    problem_solving: await score('score-problem-solving'),
    professionalism: await score('score-professionalism'),
    overall: await score('score-overall'),
  };
  for (const [k, v] of Object.entries(scores)) assert.ok(v >= 0 && v <= 100, `${k} ${v} is a 0-100 score`);
  await shot(name === 'success' ? 'debrief' : 'debrief-failure');
  return { outcome, scores };
}

describe('rapport-app', { timeout: 240000 }, () => {
  before(async () => {
    assert.ok(fs.existsSync(app), `${app} is missing: build it first (make e2e does)`);
    const pack = makePack();
    driver = spawn('tauri-driver', ['--port', '4444', '--native-port', '4445'], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, RAPPORT_SCENARIOS_DIR: pack, RAPPORT_SEED: String(SEED) },
    });
    await waitForPort(4444, 10000);
    browser = await remote({
      hostname: '127.0.0.1',
      port: 4444,
      logLevel: 'warn',
      capabilities: { 'tauri:options': { application: app } },
    });
  });

  after(async () => {
    await browser?.deleteSession().catch(() => undefined);
    driver?.kill();
  });

  it('opens the library with every card and the load-errors panel', async () => {
    await browser.waitUntil(async () => (await allById('scenario-card')).length > 0, { timeout: 15000 });
    assert.equal(await browser.getTitle(), 'Rapport');
    const ids = await browser.$$('[data-testid="scenario-card"]').map((c) => c.getAttribute('data-scenario-id'));
    assert.ok(ids.includes('e2e-xss') && ids.includes('impatient'), ids.join(','));
    assert.ok(!ids.includes('e2e-broken'));
    const errors = await byId('load-errors');
    const text = await errors.getText();
    assert.match(text, /broken\.yaml/);
    assert.match(text, /unknown-target/);
    await shot('library');
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

  const runs = {};

  it('plays to a success ending with good replies', async () => {
    const { success } = goldenRuns();
    runs.success = await play(success, 'success');
    assert.equal(runs.success.outcome, 'success');
  });

  it('plays to a failure ending with poor replies, scoring lower', async () => {
    const { failure } = goldenRuns();
    runs.failure = await play(failure, 'failure');
    assert.ok(FAILURES.includes(runs.failure.outcome), runs.failure.outcome);
    assert.ok(
      runs.failure.scores.overall < runs.success.scores.overall,
      `poor ${runs.failure.scores.overall} < good ${runs.success.scores.overall}`,
    );
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
