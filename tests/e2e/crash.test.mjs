// End to end: the real app killed with SIGKILL in the middle of a conversation loses
// nothing. Two replies into the shipped double-charge scenario, the app process (the
// binary tauri-driver launched for this test, and only it) is killed; a new session on the
// same data folder offers the unfinished attempt, which comes back with the same customer
// lines and goes on at turn three. The customer lines a full run meets with the same seed
// and replies, played first in the same app, are the reference.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  app,
  SCENARIO,
  SEED,
  allById,
  browser,
  byId,
  connect,
  goldenRuns,
  makePack,
  reply,
  shot,
  start,
  startDriver,
  stopDriver,
  waitForLibrary,
} from './harness.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The customer's lines on screen, without the chases (those depend on the clock), read
 * in one script so a line the page redraws meanwhile is never a stale element. */
async function customerLines() {
  return browser.execute(() =>
    [...document.querySelectorAll('[data-testid="customer-line"][data-chase="false"]')].map((l) => l.innerText.trim()),
  );
}

/** The parent of every process, read from /proc. */
function parents() {
  const map = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      map.set(Number(name), ppid);
    } catch {
      // Gone while listing.
    }
  }
  return map;
}

/** Is process `pid` running `binary`? */
function runs(pid, binary) {
  try {
    if (fs.readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '') === binary) return true;
    const argv0 = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
    return path.resolve(argv0) === binary;
  } catch {
    return false;
  }
}

/** The pid of the app `driver` (tauri-driver, through WebKitWebDriver) launched. */
function appPid(driver) {
  const parent = parents();
  const below = new Set([driver.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (below.has(ppid) && !below.has(pid)) {
        below.add(pid);
        grew = true;
      }
    }
  }
  const apps = [...below].filter((pid) => pid !== driver.pid && runs(pid, app));
  assert.equal(apps.length, 1, `one ${app} under tauri-driver ${driver.pid}, found [${apps}]`);
  return apps[0];
}

/** Waits until `pid` has exited (gone, or a zombie its parent has not reaped yet). */
async function exited(pid, ms = 10000) {
  const until = Date.now() + ms;
  for (;;) {
    let state;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      state = stat.slice(stat.lastIndexOf(')') + 2)[0];
    } catch {
      return;
    }
    if (state === 'Z' || state === 'X') return;
    assert.ok(Date.now() < until, `process ${pid} still runs after SIGKILL`);
    await sleep(50);
  }
}

describe('rapport-app: killed with SIGKILL mid-conversation, then resumed', { timeout: 240000 }, () => {
  // One data folder for both app starts, as on a trainee's laptop.
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-e2e-crash-'));
  const env = {
    RAPPORT_SCENARIOS_DIR: makePack(),
    RAPPORT_SEED: String(SEED),
    RAPPORT_DATA_DIR: data,
    XDG_DATA_HOME: path.join(data, 'xdg'),
  };
  let driver;

  after(async () => {
    await browser?.deleteSession().catch(() => undefined);
    await stopDriver(driver);
  });

  it('resumes at turn three with the same customer lines', async () => {
    const { success } = goldenRuns();
    const replies = success.turns.map((t) => t.reply.trim());
    assert.ok(replies.length >= 3, `the golden run has three replies or more, got ${replies.length}`);

    driver = await startDriver(env);
    await connect(app);
    await waitForLibrary(15000);

    // The reference: three replies without a crash.
    await start(SCENARIO);
    for (const [i, text] of replies.slice(0, 3).entries()) await reply(text, i + 1);
    const reference = await customerLines();
    assert.ok(reference.length >= 4, `an opening and an answer to each reply, got ${reference.length}`);
    if (await byId('open-debrief').isExisting()) {
      await byId('open-debrief').click();
      await byId('debrief').waitForExist({ timeout: 10000 });
    }

    // The same scenario again, killed two replies in.
    await start(SCENARIO);
    await reply(replies[0], 1);
    await reply(replies[1], 2);
    const before = await customerLines();
    assert.deepEqual(before, reference.slice(0, 3), 'the same seed and replies meet the same lines');
    assert.equal(await byId('open-debrief').isExisting(), false, 'the conversation is still going');
    const pid = appPid(driver);
    process.kill(pid, 'SIGKILL');
    await exited(pid);
    await browser.deleteSession().catch(() => undefined);
    await stopDriver(driver);
    driver = undefined;

    // Start again on the same data folder: the attempt is offered and continued.
    driver = await startDriver(env);
    await connect(app);
    const offer = await byId('resume-offer');
    await offer.waitForExist({ timeout: 15000, timeoutMsg: 'no resume offer after the crash' });
    assert.match(await offer.$('h2').getText(), /^Continue your conversation with .+\?$/);
    await shot('resume-offer');
    await byId('resume-continue').click();
    await byId('mood-meter').waitForExist({ timeout: 10000 });
    await browser.waitUntil(async () => (await customerLines()).length >= before.length, {
      timeout: 10000,
      timeoutMsg: 'the resumed conversation never showed its lines',
    });
    assert.deepEqual(await customerLines(), before, 'the resumed conversation shows the same customer lines');
    assert.equal((await allById('agent-line')).length, 2, 'both replies are back');
    assert.ok(await byId('reply-input').isExisting(), 'the trainee can type turn three');

    // Turn three: the customer answers with the line the uninterrupted run met.
    await reply(replies[2], 3);
    const resumed = await customerLines();
    assert.deepEqual(resumed, reference, 'turn three gets the next customer line');
  });
});
