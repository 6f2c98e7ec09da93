import { describe, expect, it } from 'vitest';
import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import Studio from '../src/lib/studio/Studio.svelte';
import { layout } from '../src/lib/studio/layout';
import type { ScenarioGraph, StudioView, TrialView } from '../src/ipc';

function graph(): ScenarioGraph {
  return {
    scenario: 'impatient',
    title: 'Impatient',
    nodes: [
      { id: 'opening', outcome: null, start: true, say: 'Hello?', choices: [] },
      { id: 'thanks', outcome: 'success', start: false, say: 'Thanks.', choices: [] },
      { id: 'hung_up', outcome: 'hung_up', start: false, say: 'Bye!', choices: [] },
    ],
    edges: [
      { from: 'opening', to: 'thanks', via: 'otherwise', label: '', covered_by: ['polite'] },
      { from: 'opening', to: 'hung_up', via: 'silence', label: 'silent 1 s', covered_by: [] },
    ],
  };
}

function studioView(revision: number, errors = 0): StudioView {
  return {
    dir: '/packs/mine',
    info: null,
    revision,
    files: [
      {
        path: 'impatient.yaml',
        scenario_id: errors ? null : 'impatient',
        errors,
        warnings: 0,
        diagnostics: errors
          ? [
              {
                file: '/packs/mine/impatient.yaml',
                line: 18,
                column: 24,
                severity: 'error',
                code: 'unknown-target',
                message: '`thanx` is not a node or an ending of this scenario.',
                hint: 'did you mean `thanks`?',
              },
            ]
          : [],
      },
    ],
  };
}

const tried: TrialView = {
  node: 'opening',
  customer_line: 'Hello?',
  scores: { empathy: null, problem_solving: 60, professionalism: 100, overall: 80 },
  criteria: [{ id: 'clarifying_question', met: true, focus: false, decided_by: ['phrase "how can i help"'], cancelled: [] }],
  via: 'otherwise',
  goto: 'thanks',
  mood: 0,
  reason: 'no branch held',
  rejected: [],
};

describe('Studio', () => {
  it('lays the graph out with dagre, untested edges marked', () => {
    const placed = layout(graph());
    expect(placed.width).toBeGreaterThan(0);
    expect(placed.nodes.map((n) => n.id)).toEqual(['opening', 'thanks', 'hung_up']);
    expect(placed.edges.map((e) => e.tested)).toEqual([true, false]);
    expect(placed.edges[0].d).toMatch(/^M[\d.]+,[\d.]+ L/);
    const opening = placed.nodes[0];
    expect(opening.y).toBeLessThan(placed.nodes[1].y);
  });

  it('opens a pack by path, updates when a file changes on disk, and tries a reply', async () => {
    const user = userEvent.setup();
    const calls: [string, unknown][] = [];
    mockIPC(
      (cmd, args) => {
        calls.push([cmd, args]);
        switch (cmd) {
          case 'studio_view':
            throw { kind: 'studio', message: 'no pack is open in the Studio' };
          case 'studio_open':
            return studioView(1);
          case 'studio_graph':
            return graph();
          case 'studio_try':
            return tried;
          case 'studio_tests':
            return [{ name: 'polite', passed: true, failures: [], transcript: '' }];
          default:
            return null;
        }
      },
      { shouldMockEvents: true },
    );
    render(Studio);
    await user.type(screen.getByTestId('studio-path'), '/packs/mine');
    await user.click(screen.getByTestId('studio-open'));
    const file = await screen.findByTestId('studio-file');
    expect(file.dataset.errors).toBe('0');
    const g = await screen.findByTestId('studio-graph');
    expect(within(g).getAllByTestId('graph-edge').map((e) => e.dataset.tested)).toEqual(['true', 'false']);
    // The SVG carries no inline style (the CSP forbids them).
    expect(g.querySelector('[style]')).toBeNull();

    // Saved with a mistake: the pushed view shows the diagnostic.
    await emit('studio-updated', studioView(2, 1));
    const diag = await screen.findByTestId('studio-diagnostic');
    expect(diag.dataset.code).toBe('unknown-target');
    expect(diag.textContent).toContain('did you mean `thanks`?');

    // Fixed again: the graph is back and a reply can be tried at a node.
    await emit('studio-updated', studioView(3));
    await screen.findByTestId('studio-graph');
    await user.type(screen.getByTestId('studio-reply'), 'Hi Sam, how can I help?');
    await user.click(screen.getByTestId('studio-try'));
    const result = await screen.findByTestId('studio-try-result');
    expect(result.dataset.goto).toBe('thanks');
    expect(calls.find(([c]) => c === 'studio_try')?.[1]).toEqual({
      scenario: 'impatient',
      node: 'opening',
      reply: 'Hi Sam, how can I help?',
      mood: null,
    });
    await user.click(screen.getByTestId('studio-run-tests'));
    expect((await screen.findByTestId('studio-test')).dataset.passed).toBe('true');
  });
});
