/** How the page writes numbers: one formatter per kind, shared by every view. */

const formatter = (options: Intl.NumberFormatOptions) => new Intl.NumberFormat('en-US', options);

const integerFormat = formatter({ maximumFractionDigits: 0 });
const oneDecimal = formatter({ minimumFractionDigits: 1, maximumFractionDigits: 1 });
const threeDecimals = formatter({ minimumFractionDigits: 3, maximumFractionDigits: 3 });
const plainFormat = formatter({ maximumFractionDigits: 10 });

/** 61,706 */
export const integer = (n: number) => integerFormat.format(n);
/** 1.8 (seconds, megabytes) */
export const oneDigit = (n: number) => oneDecimal.format(n);
/** 0.824 (losses and accuracies, as the book prints them) */
export const threeDigits = (n: number) => threeDecimals.format(n);
/** A setting as typed: no grouping surprises, no rounding of small learning rates. */
export const plain = (n: number) => plainFormat.format(n);
/** 87.1% from 0.871; "–" when unknown. */
export const percent = (fraction: number) => (Number.isFinite(fraction) ? `${oneDecimal.format(fraction * 100)}%` : '–');
/** +2.5 pts / −1.0 pts: a change of a fraction, in percentage points. */
export function pointsChange(fraction: number): string {
  if (!Number.isFinite(fraction)) return '–';
  const points = oneDecimal.format(Math.abs(fraction * 100));
  return `${fraction < 0 && points !== '0.0' ? '−' : '+'}${points} pts`;
}

const threeSignificant = formatter({ maximumSignificantDigits: 3, useGrouping: false });

/** A legend number: 3 significant digits, exponent form for the very small and very large. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  if (v === 0) return '0';
  const magnitude = Math.abs(v);
  if (magnitude < 1e-3 || magnitude >= 1e6) {
    const [mantissa, exponent] = v.toExponential(2).split('e');
    return `${mantissa.replace(/\.?0+$/, '')}e${exponent.replace('+', '')}`;
  }
  return threeSignificant.format(v);
}

const dateTimeFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
/** 2 Dec 2026, 19:48: when a run started, in the learner's time zone. */
export const dateTime = (ms: number) => dateTimeFormat.format(ms);
