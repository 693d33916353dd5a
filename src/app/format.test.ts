import { describe, expect, it } from 'vitest';
import { formatValue } from './format';

describe('formatValue', () => {
  it('writes 3 significant digits', () => {
    expect(formatValue(3.14159)).toBe('3.14');
    expect(formatValue(0.012345)).toBe('0.0123');
    expect(formatValue(-0.5)).toBe('-0.5');
    expect(formatValue(1234.5)).toBe('1230');
    expect(formatValue(2)).toBe('2');
    expect(formatValue(0)).toBe('0');
    expect(formatValue(-0)).toBe('0');
  });

  it('uses an exponent for the very small and very large', () => {
    expect(formatValue(0.000123456)).toBe('1.23e-4');
    expect(formatValue(-0.0001)).toBe('-1e-4');
    expect(formatValue(2.5e7)).toBe('2.5e7');
  });

  it('writes non-finite values', () => {
    expect(formatValue(NaN)).toBe('NaN');
    expect(formatValue(Infinity)).toBe('∞');
    expect(formatValue(-Infinity)).toBe('-∞');
  });
});
