import { describe, expect, it } from 'vitest';
import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { mockIPC } from '@tauri-apps/api/mocks';
import App from '../src/App.svelte';
import Library from '../src/lib/Library.svelte';
import type { LibraryView, PackGroup } from '../src/ipc';
import { library } from './fixtures';

function group(id: string, title: string, scenarios: string[], installed: boolean): PackGroup {
  return {
    info: { id, title, version: '2', author: 'Dana', description: '' },
    source: `/packs/${id}`,
    installed,
    scenarios,
  };
}

function twoPacks(): LibraryView {
  return {
    ...library(),
    packs: [
      group('rapport-starter', 'Rapport starter pack', ['double-charge', 'xss'], false),
      group('billing', 'Billing basics', ['late-gift'], true),
    ],
  };
}

describe('Packs', () => {
  it('lists scenarios grouped by pack once more than one is installed', () => {
    render(Library, { library: twoPacks(), onstart: () => undefined });
    const groups = screen.getAllByTestId('pack-group');
    expect(groups.map((g) => g.dataset.packId)).toEqual(['rapport-starter', 'billing']);
    expect(within(groups[1]).getByRole('heading', { level: 2, name: /Billing basics/ }).textContent).toContain(
      'imported',
    );
    const ids = within(groups[1])
      .getAllByTestId('scenario-card')
      .map((c) => c.dataset.scenarioId);
    expect(ids).toEqual(['late-gift']);
  });

  it('imports a pack chosen in the file dialog, asking before replacing an installed one', async () => {
    const user = userEvent.setup();
    const imports: unknown[] = [];
    mockIPC((cmd, args) => {
      switch (cmd) {
        case 'library':
          return library();
        case 'plugin:dialog|open':
          return '/home/dana/billing.rapportpack';
        case 'import_pack': {
          imports.push(args);
          if (!(args as { replace: boolean }).replace)
            throw { kind: 'pack_exists', message: 'a pack `billing` (version 1) is already installed; replace it?' };
          return { id: 'billing', title: 'Billing basics', version: '2', replaced: '1', warnings: [], library: twoPacks() };
        }
        default:
          return null;
      }
    });
    render(App);
    await user.click(await screen.findByTestId('import-pack'));
    const ask = await screen.findByTestId('replace-pack');
    expect(ask.textContent).toContain('already installed');
    await user.click(within(ask).getByTestId('replace-pack-yes'));
    expect((await screen.findByTestId('import-notice')).textContent).toBe(
      'Imported "Billing basics" version 2 (replacing version 1).',
    );
    expect(imports).toEqual([
      { path: '/home/dana/billing.rapportpack', replace: false },
      { path: '/home/dana/billing.rapportpack', replace: true },
    ]);
    expect(screen.getAllByTestId('pack-group')).toHaveLength(2);
  });

  it('shows why a pack was refused', async () => {
    const user = userEvent.setup();
    mockIPC((cmd) => {
      if (cmd === 'library') return library();
      if (cmd === 'plugin:dialog|open') return '/tmp/evil.rapportpack';
      if (cmd === 'import_pack')
        throw { kind: 'pack_unsafe', message: 'the pack file is unsafe and was not imported: `../x` climbs out' };
      return null;
    });
    render(App);
    await user.click(await screen.findByTestId('import-pack'));
    expect((await screen.findByTestId('error')).textContent).toContain('unsafe');
    expect(screen.queryByTestId('replace-pack')).toBeNull();
  });
});
