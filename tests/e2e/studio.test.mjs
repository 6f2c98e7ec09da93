// End to end: the trainer's Studio in the real app. A pack is opened by its typed path
// (WebDriver cannot drive the system's folder dialog), a file is edited on disk and the
// diagnostics change without a restart, and a reply is tried at a node.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { app, allById, browser, byId, connect, shipped, shot, startDriver, stopDriver, waitForLibrary } from './harness.mjs';


describe('rapport-app: the Studio', { timeout: 180000 }, () => {
  let driver;
  const pack = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-e2e-studio-'));
  const file = path.join(pack, 'double-charge.yaml');
  const original = fs.readFileSync(path.join(shipped, 'double-charge.yaml'), 'utf8');
  fs.writeFileSync(file, original);
  fs.cpSync(path.join(shipped, 'pack.yaml'), path.join(pack, 'pack.yaml'));

  before(async () => {
    driver = await startDriver({ RAPPORT_SCENARIOS_DIR: shipped });
    await connect(app);
  });
  after(async () => {
    await browser?.deleteSession().catch(() => undefined);
    await stopDriver(driver);
  });

  const diagnostics = async () => (await allById('studio-diagnostic')).length;

  it('opens a pack by its path and lists its files and the scenario graph', async () => {
    await waitForLibrary(15000);
    await byId('open-studio').click();
    await byId('studio-path').setValue(pack);
    await byId('studio-open').click();
    await browser.waitUntil(async () => (await allById('studio-file')).length >= 2, {
      timeout: 15000,
      timeoutMsg: 'the pack files were never listed',
    });
    const files = await allById('studio-file').map((f) => f.getAttribute('data-file'));
    assert.deepEqual(files.sort(), ['double-charge.yaml', 'pack.yaml']);
    assert.equal(await diagnostics(), 0);
    await byId('studio-graph').waitForExist({ timeout: 15000 });
    const nodes = await allById('graph-node').length;
    assert.ok(nodes >= 4, `${nodes} nodes drawn`);
    const untested = await browser.$$('[data-testid="graph-edge"][data-tested="false"]').length;
    assert.ok(untested > 0, 'untested branches are marked');
    await shot('studio');
  });

  it('shows a mistake saved on disk without a restart, and its fix', async () => {
    const broken = original.replace(/goto: (\w+)/, 'goto: nowhere_at_all');
    assert.notEqual(broken, original);
    fs.writeFileSync(file, broken);
    await browser.waitUntil(async () => (await diagnostics()) > 0, {
      timeout: 15000,
      interval: 250,
      timeoutMsg: 'the diagnostics never showed the saved mistake',
    });
    const codes = await allById('studio-diagnostic').map((d) => d.getAttribute('data-code'));
    assert.ok(codes.includes('unknown-target'), codes.join(','));
    assert.match(await byId('studio-diagnostic').getText(), /nowhere_at_all/);
    await shot('studio-diagnostics');
    fs.writeFileSync(file, original);
    await browser.waitUntil(async () => (await diagnostics()) === 0, {
      timeout: 15000,
      interval: 250,
      timeoutMsg: 'the fix never cleared the diagnostics',
    });
    await byId('studio-graph').waitForExist({ timeout: 15000 });
  });

  it('tries a reply at a node and runs the tests', async () => {
    await byId('studio-reply').setValue("I'm so sorry, Dana. I can see the duplicate charge and I'll refund it today.");
    await byId('studio-try').click();
    const result = byId('studio-try-result');
    await result.waitForExist({ timeout: 15000 }).catch(async (e) => {
      await shot('studio-try-failed');
      const why = (await byId('studio-error').isExisting()) ? await byId('studio-error').getText() : 'no error shown';
      throw new Error(`no result after Try (${why}): ${e}`);
    });
    const goto = await result.getAttribute('data-goto');
    assert.ok(goto && goto.length > 0, 'the branch it takes is shown');
    assert.match(await result.getText(), /Takes (branch \d+|otherwise) to/);
    await byId('studio-run-tests').click();
    await browser.waitUntil(async () => (await allById('studio-test')).length > 0, { timeout: 30000 });
    const passed = await allById('studio-test').map((t) => t.getAttribute('data-passed'));
    assert.ok(passed.every((p) => p === 'true'), passed.join(','));
    await shot('studio-try');
  });
});
