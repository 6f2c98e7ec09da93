// Shared by the end-to-end tests and the app benchmark: the scenario pack, tauri-driver,
// a WebDriver session on a Tauri binary, and the few moves a trainee makes.
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
export const root = path.resolve(here, '../..');
/** The shipped pack (or the one `RAPPORT_E2E_SCENARIOS` names). */
export const shipped = path.resolve(root, process.env.RAPPORT_E2E_SCENARIOS ?? 'scenarios');
/** The app binary under test: `RAPPORT_APP`, else the debug build. */
export const app = path.resolve(root, process.env.RAPPORT_APP ?? 'target/debug/rapport-app');
const shots = path.resolve(root, '.e2e-out/screenshots');
export const SCENARIO = 'double-charge';
export const SEED = 1;
export const FAILURES = ['failure', 'escalated', 'hung_up', 'churned'];

/** The WebDriver session in use; set by `connect`. */
export let browser;

/** The pack the app loads: the shipped scenarios plus the e2e fixtures. */
export function makePack() {
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

/**
 * Starts tauri-driver; the apps it launches inherit `env`. Returns the child process.
 * Unless `env` says otherwise, the app keeps its attempt history in a fresh temporary
 * folder, never in the per-user one.
 */
export async function startDriver(env) {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-e2e-data-'));
  const driver = spawn('tauri-driver', ['--port', '4444', '--native-port', '4445'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    // XDG_DATA_HOME: the webview's own storage (the language choice in localStorage) is
    // fresh too, so one run's choice never leaks into the next.
    env: { ...process.env, RAPPORT_DATA_DIR: data, XDG_DATA_HOME: path.join(data, 'xdg'), ...env },
  });
  await waitForPort(4444, 10000);
  return driver;
}

/** Stops tauri-driver and waits until it has gone, so the next one can take its port. */
export async function stopDriver(driver) {
  if (!driver || driver.exitCode !== null || driver.signalCode !== null) return;
  const gone = new Promise((resolve) => driver.once('exit', resolve));
  driver.kill();
  await gone;
}

/** Launches `binary` through the driver and keeps the session in `browser`. */
export async function connect(binary) {
  assert.ok(fs.existsSync(binary), `${binary} is missing: build it first (make e2e does)`);
  browser = await remote({
    hostname: '127.0.0.1',
    port: 4444,
    logLevel: 'warn',
    capabilities: { 'tauri:options': { application: binary } },
  });
  return browser;
}

/** The golden tests of the shipped scenario, with the outcome of the ending each reaches. */
export function goldenRuns() {
  const file = path.join(shipped, `${SCENARIO}.yaml`);
  const doc = YAML.parse(fs.readFileSync(file, 'utf8'));
  const typed = doc.tests.filter((t) => t.turns.every((turn) => 'reply' in turn));
  const outcome = (t) => doc.endings[t.ending].outcome;
  const success =
    typed.find((t) => outcome(t) === 'success' && (t.seed ?? 0) === SEED) ?? typed.find((t) => outcome(t) === 'success');
  const failure = typed.find((t) => FAILURES.includes(outcome(t)));
  assert.ok(success && failure, `${file} needs a typed golden test to a success and one to a failure`);
  return { success, failure };
}

export const byId = (id) => browser.$(`[data-testid="${id}"]`);
export const allById = (id) => browser.$$(`[data-testid="${id}"]`);

export async function shot(name) {
  fs.mkdirSync(shots, { recursive: true });
  await browser.saveScreenshot(path.join(shots, `${name}.png`));
}

export async function waitForLibrary(timeout = 10000) {
  await browser.waitUntil(async () => (await allById('scenario-card')).length > 0, { timeout });
}

export async function openLibrary() {
  if (await byId('back-to-library').isExisting()) await byId('back-to-library').click();
  else if (await byId('abandon').isExisting()) {
    await byId('abandon').click();
    // Mid-conversation the app asks before throwing the conversation away.
    if (await byId('confirm-dialog').isExisting()) await byId('confirm-yes').click();
  }
  await waitForLibrary();
}

export async function start(id) {
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

export async function reply(text, n, { keyboard = false } = {}) {
  const input = await byId('reply-input');
  await input.setValue(text);
  if (keyboard) await browser.keys(['Enter']);
  else await byId('send-reply').click();
  await settled(n);
}

/**
 * Plays a golden run of the shipped scenario through the UI, opens the debrief and
 * returns its outcome and scores. `afterFirst` runs once the first reply has feedback.
 */
export async function play(run, { afterFirst } = {}) {
  await start(SCENARIO);
  for (const [i, turn] of run.turns.entries()) {
    await reply(turn.reply.trim(), i + 1, { keyboard: i === 0 });
    if (i === 0 && afterFirst) await afterFirst();
    if (await byId('open-debrief').isExisting()) break;
  }
  await byId('open-debrief').waitForExist({ timeout: 10000 });
  await byId('open-debrief').click();
  await byId('debrief').waitForExist({ timeout: 10000 });
  const outcome = await byId('outcome').getAttribute('data-outcome');
  // A rubric no turn assessed reads "—" (data-assessed="false"): null, never 0.
  const score = async (id) =>
    (await byId(id).getAttribute('data-assessed')) === 'false' ? null : Number(await byId(id).getText());
  const scores = {
    empathy: await score('score-empathy'),
    problem_solving: await score('score-problem-solving'),
    professionalism: await score('score-professionalism'),
    overall: await score('score-overall'),
  };
  return { outcome, scores };
}
