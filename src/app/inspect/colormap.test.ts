import { describe, expect, it } from 'vitest';
import { colormapGradient, gray, NAN_COLOR, paint, viridis, VIRIDIS_STOPS } from './colormap';

/** CIE L* of an sRGB colour: perceived lightness, 0 (black) to 100 (white). */
function lightness([r, g, b]: number[]): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const y = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  return y > 216 / 24389 ? 116 * Math.cbrt(y) - 16 : (24389 / 27) * y;
}

describe('viridis', () => {
  it('runs from dark purple to yellow', () => {
    expect(viridis(0)).toEqual([68, 1, 84]);
    expect(viridis(1)).toEqual([253, 231, 37]);
    expect(viridis(0.5)).toEqual([33, 145, 140]);
  });

  it('interpolates between stops', () => {
    const [a, b] = [VIRIDIS_STOPS[0], VIRIDIS_STOPS[1]];
    expect(viridis(0.05)).toEqual([0, 1, 2].map((c) => Math.round((a[c] + b[c]) / 2)));
  });

  it('gets lighter all the way', () => {
    let previous = -1;
    for (let i = 0; i <= 200; i++) {
      const l = lightness(viridis(i / 200));
      expect(l).toBeGreaterThanOrEqual(previous);
      previous = l;
    }
    expect(lightness(viridis(1)) - lightness(viridis(0))).toBeGreaterThan(70);
  });

  it('clamps t outside [0, 1]', () => {
    expect(viridis(-3)).toEqual(viridis(0));
    expect(viridis(7)).toEqual(viridis(1));
    expect(viridis(-Infinity)).toEqual(viridis(0));
    expect(viridis(Infinity)).toEqual(viridis(1));
  });

  it('paints NaN a neutral grey', () => {
    expect(viridis(NaN)).toEqual(NAN_COLOR);
    const [r, g, b] = NAN_COLOR;
    expect(r === g && g === b).toBe(true);
  });
});

describe('gray', () => {
  it('is black to white, clamped', () => {
    expect(gray(0)).toEqual([0, 0, 0]);
    expect(gray(1)).toEqual([255, 255, 255]);
    expect(gray(0.5)).toEqual([128, 128, 128]);
    expect(gray(-1)).toEqual([0, 0, 0]);
    expect(gray(2)).toEqual([255, 255, 255]);
  });
});

describe('paint', () => {
  it('maps the range onto the colormap, opaque', () => {
    const out = new Uint8ClampedArray(12);
    paint([2, 4, 6], [2, 6], 'viridis', out);
    expect([...out.slice(0, 4)]).toEqual([...viridis(0), 255]);
    expect([...out.slice(4, 8)]).toEqual([...viridis(0.5), 255]);
    expect([...out.slice(8, 12)]).toEqual([...viridis(1), 255]);
  });

  it('clamps values outside the range', () => {
    const out = new Uint8ClampedArray(8);
    paint(new Float32Array([-10, 10]), [0, 1], 'gray', out);
    expect([...out]).toEqual([0, 0, 0, 255, 255, 255, 255, 255]);
  });

  it('paints a flat range in the middle colour', () => {
    const out = new Uint8ClampedArray(8);
    paint([3, 3], [3, 3], 'viridis', out);
    expect([...out.slice(0, 4)]).toEqual([...viridis(0.5), 255]);
    expect([...out.slice(4, 8)]).toEqual([...viridis(0.5), 255]);
    paint([1, 2], [0, Infinity], 'gray', out);
    expect([...out.slice(0, 4)]).toEqual([...gray(0.5), 255]);
  });

  it('paints NaN values grey', () => {
    const out = new Uint8ClampedArray(8);
    paint([NaN, 1], [0, 1], 'viridis', out);
    expect([...out.slice(0, 4)]).toEqual([...NAN_COLOR, 255]);
    expect([...out.slice(4, 8)]).toEqual([...viridis(1), 255]);
  });

  it('refuses a buffer too small', () => {
    expect(() => paint([1, 2], [0, 1], 'gray', new Uint8ClampedArray(4))).toThrow();
  });
});

describe('colormapGradient', () => {
  it('lists every viridis stop from 0% to 100%', () => {
    const css = colormapGradient('viridis');
    expect(css.startsWith('linear-gradient(to right, rgb(68 1 84) 0%')).toBe(true);
    expect(css.endsWith('rgb(253 231 37) 100%)')).toBe(true);
    expect(css.match(/rgb\(/g)).toHaveLength(VIRIDIS_STOPS.length);
  });
});
