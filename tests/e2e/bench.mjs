// `make bench` for the desktop app: cold start to the first interactive screen, and the
// resident memory of the app plus its WebKit processes after playing one scenario, next
// to a bare Tauri window measured the same way (launched through tauri-driver, timed from
// the session request until the screen's marker element exists).
//
// Usage: node bench.mjs APP_BINARY BARE_BINARY [runs]
import fs from 'node:fs';
import path from 'node:path';
import { SEED, browser, connect, goldenRuns, makePack, play, startDriver } from './harness.mjs';

const [appBin, bareBin, runsArg] = process.argv.slice(2).map((a, i) => (i < 2 ? path.resolve(a) : a));
const RUNS = Number(runsArg ?? 3);
const GOAL_START_MS = 1500;
const GOAL_MEMORY_RATIO = 1.3;

/** Every process whose parent chain leads to a process running `binary`. */
function processTree(binary) {
  const stats = fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((pid) => {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        let exe = '';
        try {
          exe = fs.readlinkSync(`/proc/${pid}/exe`);
        } catch {
          /* a kernel thread or gone */
        }
        return { pid: Number(pid), ppid, exe };
      } catch {
        return null;
      }
    })
    .filter(Boolean);
  const roots = stats.filter((p) => p.exe === binary).map((p) => p.pid);
  const tree = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of stats) {
      if (!tree.has(p.pid) && tree.has(p.ppid)) {
        tree.add(p.pid);
        grew = true;
      }
    }
  }
  return [...tree];
}

/** Resident and proportional set sizes (KiB) summed over the tree. */
function memory(binary) {
  let rss = 0;
  let pss = 0;
  const names = [];
  for (const pid of processTree(binary)) {
    try {
      const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      names.push(fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
    } catch {
      /* exited meanwhile */
    }
  }
  return { rss, pss, names };
}

async function measure(binary, marker, afterStart) {
  const starts = [];
  let mem;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await connect(binary);
    await browser.$(marker).waitForExist({ timeout: 20000, interval: 10 });
    starts.push(performance.now() - t0);
    if (i === RUNS - 1) {
      if (afterStart) await afterStart();
      await new Promise((r) => setTimeout(r, 1000));
      mem = memory(binary);
    }
    await browser.deleteSession();
  }
  starts.sort((a, b) => a - b);
  return { startMs: starts[Math.floor(starts.length / 2)], starts, mem };
}

const driver = await startDriver({ RAPPORT_SCENARIOS_DIR: makePack(), RAPPORT_SEED: String(SEED) });
try {
  const bare = await measure(bareBin, '#ready');
  const app = await measure(appBin, '[data-testid="start-scenario"]', async () => {
    await play(goldenRuns().success);
  });
  const mb = (k) => (k / 1024).toFixed(1);
  const ratio = app.mem.rss / bare.mem.rss;
  const rows = [
    ['', 'start (median ms)', 'RSS MiB', 'PSS MiB', 'processes'],
    ['bare Tauri window', bare.startMs.toFixed(0), mb(bare.mem.rss), mb(bare.mem.pss), bare.mem.names.join(' ')],
    ['rapport-app, one scenario played', app.startMs.toFixed(0), mb(app.mem.rss), mb(app.mem.pss), app.mem.names.join(' ')],
  ];
  for (const r of rows) console.log(r.map((c, i) => String(c).padEnd(i === 0 ? 34 : 18)).join(''));
  console.log(
    `start: ${app.startMs.toFixed(0)} ms (goal < ${GOAL_START_MS} ms: ${app.startMs < GOAL_START_MS ? 'met' : 'MISSED'}); ` +
      `memory: ${ratio.toFixed(2)}x the bare window (goal <= ${GOAL_MEMORY_RATIO}x: ${ratio <= GOAL_MEMORY_RATIO ? 'met' : 'MISSED'})`,
  );
  console.log(`(start times of each run: app ${app.starts.map((s) => s.toFixed(0)).join(', ')}; bare ${bare.starts.map((s) => s.toFixed(0)).join(', ')})`);
} finally {
  await browser?.deleteSession().catch(() => undefined);
  driver.kill();
}
