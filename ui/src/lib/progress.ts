// Pure helpers of the Progress screen.
import type { CriterionRate, ProgressPoint } from '../ipc';

export type SeriesId = 'overall' | 'empathy' | 'problem_solving' | 'professionalism';

export const SERIES: { id: SeriesId; label: string }[] = [
  { id: 'overall', label: 'Overall' },
  { id: 'empathy', label: 'Empathy' },
  { id: 'problem_solving', label: 'Problem solving' },
  { id: 'professionalism', label: 'Professionalism' },
];

/** The point's score for `series`, `null` when that rubric was not assessed. */
export function seriesValue(p: ProgressPoint, series: SeriesId): number | null {
  const v = p.scores[series];
  return v === null || v === undefined ? null : v;
}

/** "3 of 4 turns (75%)". */
export function rateText(c: CriterionRate): string {
  return `${c.went_well} of ${c.judged} ${c.judged === 1 ? 'turn' : 'turns'} (${c.rate}%)`;
}
