// WCAG AA needs 4.5:1 between text and its background. The pairs below are every text
// colour the stylesheet puts on a background; the colours are read from app.css itself,
// so a palette change that breaks contrast fails here rather than in a trainee's eyes.
import { describe, expect, it } from 'vitest';
import css from '../src/app.css?raw';

function colour(name: string): string {
  if (name.startsWith('#')) return name;
  const m = css.match(new RegExp(`--${name}:\\s*(#[0-9a-fA-F]{6})`));
  if (!m) throw new Error(`--${name} is not a 6-digit hex colour in app.css`);
  return m[1];
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(colour(a)), luminance(colour(b))].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

// [text, background, where]
const pairs: [string, string, string][] = [
  ['ink', 'paper', 'body text on cards'],
  ['ink', 'wash', 'body text on the page and customer bubbles'],
  ['muted', 'paper', 'labels and hints on cards'],
  ['muted', 'wash', 'labels on score tiles'],
  ['muted', '#dbeafe', 'the overall score label'],
  ['accent', 'paper', 'the brand and links'],
  ['accent-ink', 'accent', 'primary buttons'],
  ['accent-ink', '#1e40af', 'primary buttons, hovered'],
  ['good', 'good-wash', 'met criteria and good highlights'],
  ['bad', 'bad-wash', 'penalties and bad highlights'],
  ['warn', '#fffbeb', 'the load-errors heading'],
  ['#1e3a8a', '#e0e7ff', 'skill chips'],
  ['#1e3a8a', '#dbeafe', "the trainee's name in their bubbles"],
  ['ink', '#eff6ff', 'tips'],
  ['good', 'paper', 'met criteria in the feedback'],
  ['bad', 'paper', 'missed criteria and penalties in the feedback'],
  ['warn', 'paper', '"the customer is waiting while you type"'],
  ['ink', '#fffbeb', 'what decided the ending'],
  ['partial', 'partial-wash', 'a partial resolution (neither green nor red)'],
  ['muted', 'paper', 'the mood chart\'s dashed-line label'],
];

describe('colour contrast (WCAG AA)', () => {
  it.each(pairs)('%s on %s (%s) is at least 4.5:1', (text, background) => {
    expect(contrast(text, background)).toBeGreaterThanOrEqual(4.5);
  });

  it('would catch a pale grey on white', () => {
    expect(contrast('#9ca3af', '#ffffff')).toBeLessThan(4.5);
  });
});
