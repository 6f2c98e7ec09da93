// Pure helpers of the Progress screen.
import type { CriterionRate, ProgressPoint } from '../ipc';
import { appLanguage, t } from '../i18n/index.svelte';
import { criterionName } from './text';

export type SeriesId = 'overall' | 'empathy' | 'problem_solving' | 'professionalism';

export const SERIES: SeriesId[] = ['overall', 'empathy', 'problem_solving', 'professionalism'];

/** The series' name in the app's language. */
export const seriesLabel = (id: SeriesId) => t(`common.rubric.${id}`);

/** The point's score for `series`, `null` when that rubric was not assessed. */
export function seriesValue(p: ProgressPoint, series: SeriesId): number | null {
  const v = p.scores[series];
  return v === null || v === undefined ? null : v;
}

/** A criterion's name in the app's language. */
export const nameOf = (id: string) => criterionName(id, appLanguage());

/** A rate's label: the criterion's name, "Avoided: ..." for a penalty. */
export function rateLabel(c: Pick<CriterionRate, 'id' | 'penalty'>): string {
  return c.penalty ? t('progress.avoided', { criterion: nameOf(c.id) }) : nameOf(c.id);
}

/** "3 of 4 turns (75%)". */
export function rateText(c: CriterionRate): string {
  return t('progress.rateText', { count: c.judged, wentWell: c.went_well, rate: c.rate });
}

/**
 * A linear map from `[d0, d1]` to `[r0, r1]`. Hand-written rather than d3-scale: d3-scale
 * pulls in d3-color, whose prototype set-up assigns `toString` and the like, which the app's
 * frozen prototypes (Tauri's `freezePrototype`) refuse, so the bundle would not start.
 */
export function linear([d0, d1]: [number, number], [r0, r1]: [number, number]) {
  const f = (v: number) => r0 + ((v - d0) * (r1 - r0)) / (d1 - d0 || 1);
  /** `count`+1 round ticks across the domain (0, 20, ... 100 for 0-100 and 5). */
  f.ticks = (count: number) => Array.from({ length: count + 1 }, (_, i) => d0 + ((d1 - d0) * i) / count);
  return f;
}

/** Evenly spaced positions for `keys` across `[r0, r1]`, half a step in from each end. */
export function points(keys: string[], [r0, r1]: [number, number]) {
  const step = (r1 - r0) / Math.max(1, keys.length);
  const at = new Map(keys.map((k, i) => [k, r0 + step * (i + 0.5)]));
  return (k: string) => at.get(k) ?? r0;
}

/** Bands for `keys` across `[r0, r1]`, each with `padding` (0-1) of its step left empty. */
export function bands(keys: string[], [r0, r1]: [number, number], padding: number) {
  const step = (r1 - r0) / Math.max(1, keys.length);
  const width = step * (1 - padding);
  const at = new Map(keys.map((k, i) => [k, r0 + step * i + (step - width) / 2]));
  const f = (k: string) => at.get(k) ?? r0;
  f.bandwidth = () => width;
  return f;
}
