/**
 * A soft brush for drawing an input to the network. Fashion-MNIST images are
 * white on black with blurred edges, about two to three pixels thick where a
 * line is drawn; a hard one-pixel pen would give inputs unlike anything the
 * network was trained on. Ink is a smooth function of the distance from each
 * pixel's centre to the stroke's segment, which is what stamping a round
 * brush infinitely densely along it and keeping the max gives, without the
 * beads that sparse stamps leave.
 */
import { IMAGE_PIXELS, IMAGE_SIZE } from '../../core/model/architecture';

export interface Point {
  /** Pixel coordinates, 0…28: pixel (i, j) covers [i, i + 1] × [j, j + 1]. */
  x: number;
  y: number;
}

/** A blank (black) drawing. */
export function emptyDrawing(): Float32Array {
  return new Float32Array(IMAGE_PIXELS);
}

/** A dataset image's bytes (0…255) as a drawing (0…1), to draw over it. */
export function fromBytes(pixels: Uint8Array): Float32Array {
  if (pixels.length !== IMAGE_PIXELS) throw new Error(`an image has ${IMAGE_PIXELS} pixels, not ${pixels.length}`);
  const out = new Float32Array(IMAGE_PIXELS);
  for (let i = 0; i < IMAGE_PIXELS; i++) out[i] = pixels[i] / 255;
  return out;
}

/** Ink at distance d from the stroke: flat near it, half at `radius`, none past twice that. */
function ink(d: number, radius: number): number {
  if (d >= 2 * radius) return 0;
  const u = d / radius;
  return Math.exp(-Math.LN2 * u * u * u * u);
}

/** Distance from (px, py) to the segment a–b. */
function distanceToSegment(px: number, py: number, a: Point, b: Point): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const lengthSquared = dx * dx + dy * dy;
  const t = lengthSquared > 0 ? Math.min(1, Math.max(0, ((px - a.x) * dx + (py - a.y) * dy) / lengthSquared)) : 0;
  return Math.hypot(px - (a.x + t * dx), py - (a.y + t * dy));
}

/**
 * A new drawing: `pixels` with a soft line of ink from `from` to `to` (a dot
 * when they are equal). Ink combines by max, so crossing strokes do not add
 * up and no pixel goes past 1. `pixels` itself is left as it was.
 */
export function stroke(pixels: Float32Array, from: Point, to: Point, radius = 1.4): Float32Array {
  if (pixels.length !== IMAGE_PIXELS) throw new Error(`a drawing has ${IMAGE_PIXELS} pixels, not ${pixels.length}`);
  const out = new Float32Array(pixels);
  if (![from.x, from.y, to.x, to.y, radius].every(Number.isFinite) || radius <= 0) return out;
  const reach = 2 * radius;
  const clampIndex = (v: number) => Math.min(IMAGE_SIZE - 1, Math.max(0, v));
  const x0 = clampIndex(Math.floor(Math.min(from.x, to.x) - reach));
  const x1 = clampIndex(Math.ceil(Math.max(from.x, to.x) + reach));
  const y0 = clampIndex(Math.floor(Math.min(from.y, to.y) - reach));
  const y1 = clampIndex(Math.ceil(Math.max(from.y, to.y) + reach));
  for (let row = y0; row <= y1; row++) {
    for (let col = x0; col <= x1; col++) {
      const amount = ink(distanceToSegment(col + 0.5, row + 0.5, from, to), radius);
      const i = row * IMAGE_SIZE + col;
      if (amount > out[i]) out[i] = amount;
      if (out[i] > 1) out[i] = 1;
    }
  }
  return out;
}
