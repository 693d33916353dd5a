import { describe, expect, it } from 'vitest';
import { emptyDrawing, fromBytes, stroke } from './brush';

const at = (pixels: Float32Array, x: number, y: number) => pixels[y * 28 + x];

describe('stroke', () => {
  it('inks the pixels on its path and not far ones', () => {
    const drawn = stroke(emptyDrawing(), { x: 4.5, y: 10.5 }, { x: 20.5, y: 10.5 });
    for (let x = 4; x <= 20; x++) expect(at(drawn, x, 10)).toBeGreaterThan(0.95);
    expect(at(drawn, 12, 11)).toBeGreaterThan(0.5); // the line is a few pixels thick
    expect(at(drawn, 12, 15)).toBe(0);
    expect(at(drawn, 25, 10)).toBe(0);
    expect(at(drawn, 0, 0)).toBe(0);
  });

  it('falls off softly at the edge', () => {
    const drawn = stroke(emptyDrawing(), { x: 14.5, y: 2 }, { x: 14.5, y: 26 });
    const profile = [14, 15, 16, 17].map((x) => at(drawn, x, 14));
    expect(profile[0]).toBeGreaterThan(profile[1]);
    expect(profile[1]).toBeGreaterThan(profile[2]);
    expect(profile[2]).toBeGreaterThan(0);
    expect(profile[2]).toBeLessThan(0.5);
  });

  it('keeps every value in [0, 1], combining by max', () => {
    let drawn = emptyDrawing();
    for (let i = 0; i < 5; i++) drawn = stroke(drawn, { x: 3, y: 3 }, { x: 25, y: 25 });
    drawn = stroke(drawn, { x: 25, y: 3 }, { x: 3, y: 25 });
    expect(Math.max(...drawn)).toBeLessThanOrEqual(1);
    expect(Math.min(...drawn)).toBeGreaterThanOrEqual(0);
    const once = stroke(emptyDrawing(), { x: 3, y: 3 }, { x: 25, y: 25 });
    const twice = stroke(once, { x: 3, y: 3 }, { x: 25, y: 25 });
    expect(twice).toEqual(once);
  });

  it('keeps ink already there', () => {
    const start = emptyDrawing();
    start[0] = 0.7;
    expect(stroke(start, { x: 20, y: 20 }, { x: 21, y: 21 })[0]).toBeCloseTo(0.7);
  });

  it('does not change its input', () => {
    const start = emptyDrawing();
    start[100] = 0.25;
    const copy = new Float32Array(start);
    const drawn = stroke(start, { x: 1, y: 1 }, { x: 27, y: 27 });
    expect(start).toEqual(copy);
    expect(drawn).not.toBe(start);
  });

  it('draws a dot when from equals to', () => {
    const drawn = stroke(emptyDrawing(), { x: 14.5, y: 14.5 }, { x: 14.5, y: 14.5 });
    expect(at(drawn, 14, 14)).toBeCloseTo(1);
    expect(at(drawn, 15, 14)).toBeCloseTo(at(drawn, 13, 14));
    expect(at(drawn, 14, 18)).toBe(0);
    expect(drawn.filter((v) => v > 0).length).toBeGreaterThan(4);
    expect(drawn.filter((v) => v > 0).length).toBeLessThan(40);
  });

  it('clips strokes that leave the pad', () => {
    const drawn = stroke(emptyDrawing(), { x: -10, y: 14 }, { x: 40, y: 14 });
    expect(at(drawn, 0, 13)).toBeGreaterThan(0.5);
    expect(at(drawn, 27, 13)).toBeGreaterThan(0.5);
    expect(drawn).toHaveLength(784);
  });

  it('ignores non-finite points', () => {
    expect(stroke(emptyDrawing(), { x: NaN, y: 1 }, { x: 2, y: 2 })).toEqual(emptyDrawing());
  });
});

describe('fromBytes and emptyDrawing', () => {
  it('scales bytes to 0…1', () => {
    const bytes = new Uint8Array(784);
    bytes[0] = 255;
    bytes[1] = 51;
    const pixels = fromBytes(bytes);
    expect(pixels[0]).toBe(1);
    expect(pixels[1]).toBeCloseTo(0.2);
    expect(pixels[2]).toBe(0);
  });

  it('checks the size', () => {
    expect(() => fromBytes(new Uint8Array(10))).toThrow();
    expect(emptyDrawing()).toEqual(new Float32Array(784));
  });
});
