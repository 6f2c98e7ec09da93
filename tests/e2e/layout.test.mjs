// The conversation screen fits a laptop: at 1366x768, at 100% and at 160% text, every
// control is inside the window and Tab reaches it, the page itself never scrolls, and
// the reply box keeps a usable width. And the French scenario is French on every screen.
// Screenshots land in .e2e-out/screenshots; `make screenshots` copies them into docs/.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { app, SCENARIO, SEED, allById, browser, byId, connect, goldenRuns, openLibrary, reply, shipped, shot, start, startDriver, stopDriver, waitForLibrary } from './harness.mjs';

const W = 1366;
const H = 768;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Controls that must be on screen (not only reachable) on the conversation screen. */
const ON_SCREEN = ['restart', 'abandon', 'reply-input', 'send-reply', 'mood-meter', 'patience', 'customer-column', 'feedback-column', 'language-switch', 'text-larger'];
/** Controls Tab must reach there. */
const TAB_REACHES = ['language-switch', 'text-smaller', 'text-larger', 'restart', 'abandon', 'customer-column', 'reply-input', 'send-reply', 'feedback-column'];

function runApp() {
  let driver;
  before(async () => {
    driver = await startDriver({ RAPPORT_SCENARIOS_DIR: shipped, RAPPORT_SEED: String(SEED) });
    await connect(app);
    await browser.setWindowSize(W, H);
    await waitForLibrary(15000);
  });
  after(async () => {
    await browser?.execute(() => localStorage.removeItem('rapport.language')).catch(() => undefined);
    await browser?.deleteSession().catch(() => undefined);
    await stopDriver(driver);
  });
}

const inside = (r, vw, vh) => r.width > 0 && r.height > 0 && r.left >= -0.5 && r.top >= -0.5 && r.right <= vw + 0.5 && r.bottom <= vh + 0.5;

/** The boxes of the controls named by test id, with the viewport's size. */
async function boxes(ids) {
  return browser.execute((ids) => {
    const out = {};
    for (const id of ids) {
      const el = document.querySelector(`[data-testid="${id}"]`);
      const r = el?.getBoundingClientRect();
      out[id] = r ? { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height } : null;
    }
    const page = document.scrollingElement;
    return { out, vw: innerWidth, vh: innerHeight, pageScrolls: page.scrollHeight > page.clientHeight + 1 || page.scrollWidth > page.clientWidth + 1 };
  }, ids);
}

/**
 * Presses Tab from the top of the page until focus comes back round, and returns every
 * element it stopped on with its box once focused (focus scrolls it into view).
 */
async function tabWalk(max = 120) {
  await browser.execute(() => {
    document.querySelectorAll('[data-tab-seen]').forEach((e) => e.removeAttribute('data-tab-seen'));
    document.activeElement?.blur?.();
  });
  const stops = [];
  for (let i = 0; i < max; i++) {
    await browser.keys(['Tab']);
    const stop = await browser.execute((i) => {
      const el = document.activeElement;
      if (!el || el === document.body) return { none: true };
      if (el.hasAttribute('data-tab-seen')) return { again: true };
      el.setAttribute('data-tab-seen', String(i));
      const r = el.getBoundingClientRect();
      return {
        id: el.dataset.testid ?? null,
        what: `${el.tagName.toLowerCase()} ${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40)}`,
        box: { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height },
        vw: innerWidth,
        vh: innerHeight,
      };
    }, i);
    if (stop.again) break;
    if (!stop.none) stops.push(stop);
  }
  return stops;
}

async function setTextScale(percent) {
  const now = async () => browser.execute(() => document.documentElement.style.fontSize || '100%');
  for (let i = 0; i < 10 && (await now()) !== `${percent}%`; i++) {
    const current = parseFloat(await now());
    await byId(current < percent ? 'text-larger' : 'text-smaller').click();
  }
  assert.equal(await now(), `${percent}%`);
  await sleep(300);
}

async function checkFits(label) {
  const { out, vw, vh, pageScrolls } = await boxes(ON_SCREEN);
  assert.equal(vw, W, `${label}: the viewport is ${W} wide`);
  assert.ok(vh >= H - 40, `${label}: the viewport is about ${H} high (${vh})`);
  assert.equal(pageScrolls, false, `${label}: the conversation screen fits the window without page scrolling`);
  for (const id of ON_SCREEN) {
    assert.ok(out[id], `${label}: ${id} is on the page`);
    assert.ok(inside(out[id], vw, vh), `${label}: ${id} is inside the ${vw}x${vh} window: ${JSON.stringify(out[id])}`);
  }
  // The record starts on screen; the rest of it scrolls in its column.
  const crm = (await boxes(['crm-panel'])).out['crm-panel'];
  assert.ok(crm && crm.top >= 0 && crm.top + 40 <= vh, `${label}: the customer record starts on screen: ${JSON.stringify(crm)}`);
  assert.ok(out['reply-input'].width >= 400, `${label}: the reply box is ${out['reply-input'].width}px wide`);
  const stops = await tabWalk();
  for (const s of stops) {
    assert.ok(inside(s.box, s.vw, s.vh), `${label}: ${s.id ?? s.what} is outside the window when focused: ${JSON.stringify(s.box)}`);
  }
  const reached = new Set(stops.map((s) => s.id));
  for (const id of TAB_REACHES) assert.ok(reached.has(id), `${label}: Tab reaches ${id} (reached ${[...reached].join(', ')})`);
  // The record's column scrolls from the keyboard once focused.
  await browser.execute(() => document.querySelector('[data-testid="customer-column"]').focus());
  const before = await browser.execute(() => {
    const c = document.querySelector('[data-testid="customer-column"]');
    return { top: c.scrollTop, scrolls: c.scrollHeight > c.clientHeight + 1 };
  });
  if (before.scrolls) {
    await browser.keys(['PageDown']);
    // WebKit scrolls smoothly: let it finish.
    await sleep(800);
    const top = await browser.execute(() => document.querySelector('[data-testid="customer-column"]').scrollTop);
    assert.ok(top > before.top, `${label}: PageDown scrolls the customer column`);
  }
  // Back as a trainee would see it for the screenshot: columns at their top, typing.
  await browser.execute(() => {
    for (const id of ['customer-column', 'feedback-column']) document.querySelector(`[data-testid="${id}"]`).scrollTop = 0;
    const log = document.querySelector('.transcript');
    log.scrollTop = log.scrollHeight;
  });
  await byId('reply-input').click();
  await sleep(300);
  return stops.length;
}

describe('rapport-app: the conversation screen fits 1366x768', { timeout: 180000 }, () => {
  runApp();

  it('shows and reaches every control at 100% and at 160% text', async () => {
    const { success } = goldenRuns();
    await start(SCENARIO);
    await reply(success.turns[0].reply.trim(), 1);
    await byId('turn-feedback').waitForExist({ timeout: 5000 });
    // A draft, so Send is enabled (a disabled button is not a Tab stop).
    await byId('reply-input').setValue('Let me check');
    await checkFits('100%');
    await shot('layout-1366x768');
    await setTextScale(160);
    await checkFits('160%');
    const sizes = await boxes(['feedback-column', 'reply-input']);
    // The feedback folded under the chat: below the reply box, not beside it.
    assert.ok(sizes.out['feedback-column'].top >= sizes.out['reply-input'].bottom, 'at 160% the feedback is under the chat');
    await shot('layout-1366x768-160');
    await setTextScale(100);
    await openLibrary();
  });

  it('asks before abandoning a conversation in progress', async () => {
    const { success } = goldenRuns();
    await start(SCENARIO);
    await reply(success.turns[0].reply.trim(), 1);
    await byId('abandon').click();
    await byId('confirm-dialog').waitForExist({ timeout: 3000 });
    await shot('confirm-abandon');
    await byId('confirm-no').click();
    assert.equal(await byId('confirm-dialog').isExisting(), false);
    assert.ok(await byId('reply-input').isExisting(), 'keeping going keeps the conversation');
    await openLibrary();
  });

  it('writes an email in a ten-line box with no patience bar: Enter is a new line, Ctrl+Enter sends', async () => {
    await start('regulator-threat');
    assert.equal(await byId('patience').isExisting(), false, 'an email customer has no patience bar');
    const input = await byId('reply-input');
    assert.equal(await input.getAttribute('rows'), '10');
    assert.match(await byId('reply-hint').getText(), /Ctrl\+Enter/);
    // One key per call: WebKitWebDriver merges a repeated key within one call.
    await input.setValue('Dear Helen,');
    await browser.keys(['Enter']);
    await browser.keys(['Enter']);
    await input.addValue('I am so sorry.');
    await browser.keys(['Enter']);
    await input.addValue('Kind regards,');
    assert.equal(await allById('agent-line').then((l) => l.length), 0, 'Enter did not send');
    assert.equal(await input.getValue(), 'Dear Helen,\n\nI am so sorry.\nKind regards,');
    const { out, vw, vh, pageScrolls } = await boxes(['reply-input', 'send-reply', 'reply-hint', 'mood-meter']);
    for (const [id, r] of Object.entries(out)) assert.ok(r && inside(r, vw, vh), `${id} is inside the window`);
    assert.equal(pageScrolls, false, 'the page does not scroll');
    await shot('email-composer');
    await browser.keys(['Control', 'Enter', 'Control']);
    await browser.waitUntil(async () => (await allById('agent-line')).length === 1, { timeout: 10000 });
    await openLibrary();
  });
});

describe('rapport-app in French', { timeout: 180000 }, () => {
  runApp();
  const FR = 'bilingue-facture';

  it('shows a French scenario in French whatever the app language', async () => {
    await start(FR);
    assert.equal(await byId('send-reply').getText(), 'Envoyer');
    assert.match(await byId('mood-meter').getText(), /Humeur/);
    assert.match(await byId('crm-panel').getText(), /Dossier client/);
    await openLibrary();
  });

  it('is French on every screen: library, conversation, debrief', async () => {
    await byId('language-switch').selectByAttribute('value', 'fr');
    await browser.waitUntil(async () => (await browser.$('h1').getText()) === 'Choisissez un client avec qui vous exercer', { timeout: 3000 });
    await shot('fr-library');
    const doc = YAML.parse(fs.readFileSync(path.join(shipped, `${FR}.yaml`), 'utf8'));
    const run = doc.tests.find((t) => doc.endings[t.ending].outcome === 'success' && t.turns.every((x) => 'reply' in x));
    assert.ok(run, `${FR} has a typed golden test to a success`);
    await start(FR);
    for (const [i, turn] of run.turns.entries()) {
      await reply(turn.reply.trim(), i + 1);
      if (i === 0) {
        await byId('turn-feedback').waitForExist({ timeout: 5000 });
        const text = await browser.$('.conversation').getText();
        for (const fr of ['Envoyer', 'Humeur', 'Patience', 'Retour', 'Dossier client', 'Recommencer', 'Abandonner']) {
          assert.ok(text.includes(fr), `the conversation shows "${fr}"`);
        }
        for (const en of [/\bSend\b/, /\bMood\b/, /\bFeedback\b/, /\bCustomer record\b/, /\bTip:/]) {
          assert.doesNotMatch(text, en);
        }
        await shot('fr-conversation');
      }
      if (await byId('open-debrief').isExisting()) break;
    }
    await byId('open-debrief').waitForExist({ timeout: 10000 });
    assert.match(await byId('session-outcome').getText(), /Résolu/);
    await byId('open-debrief').click();
    await byId('debrief').waitForExist({ timeout: 10000 });
    const text = await byId('debrief').getText();
    for (const fr of ['Bilan', 'Leçon', 'Tour 1', 'Réessayer', 'Retour à la bibliothèque']) assert.ok(text.includes(fr), `the debrief shows "${fr}"`);
    for (const en of [/\bLesson\b/, /\bTurn \d/, /\bTry again\b/, /\bOverall\b/]) assert.doesNotMatch(text, en);
    assert.ok((await allById('model-answer')).length >= 1);
    await shot('fr-debrief');
  });
});
