/**
 * How often the open views ask the worker while a run trains. Shared by the
 * views (useInspector) and the benchmark that measures what they cost, so
 * the figure is about the cadence the app really has. Measured with
 * `npm run bench -- --views-only`: feature maps refreshed at every progress
 * point (about ten a second on a fast backend) slowed a wasm epoch by ~3%;
 * once a second they cost nothing measurable.
 */

/** Feature maps follow the training at most once a second. */
export const LIVE_INTERVAL_MS = 1000;
/** The drawing's prediction follows the pen: at most ten questions a second, within about 100 ms of a stroke. */
export const DRAW_INTERVAL_MS = 100;
