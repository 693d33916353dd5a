/** Runs drawn on the training chart beside the live one: how many, in which colour, and the book's marks. */
import type { ChartPoint } from '../runState';

/** More lines than this and no curve can be read. */
export const MAX_OVERLAYS = 6;

/** One colour per kept run, the same in the chart and the Runs table (CSS variables, light and dark). */
const RUN_COLOURS = ['var(--run-1)', 'var(--run-2)', 'var(--run-3)', 'var(--run-4)', 'var(--run-5)', 'var(--run-6)'];

export interface ChartOverlay {
  id: string;
  name: string;
  colour: string;
  points: ChartPoint[];
}

/** The colour of the run shown at `position` among the overlays. */
export const overlayColour = (position: number) => RUN_COLOURS[position % RUN_COLOURS.length];

/** The run each colour shows (null: free): a run keeps its colour until it is unticked. */
export type ShownSlots = readonly (string | null)[];
export const NO_SLOTS: ShownSlots = Array.from({ length: MAX_OVERLAYS }, () => null);

/** Ticks a run on, into the first free colour, or off; with every colour taken, nothing changes. */
export function toggleShown(slots: ShownSlots, id: string, on: boolean): ShownSlots {
  if (!on) return slots.map((shown) => (shown === id ? null : shown));
  const free = slots.indexOf(null);
  return slots.includes(id) || free < 0 ? slots : slots.map((shown, slot) => (slot === free ? id : shown));
}

export const allShown = (slots: ShownSlots) => !slots.includes(null);

/** The d2l book's printed final numbers for its LeNet (10 epochs, lr 0.9), as reference marks. */
export const BOOK_RESULTS = [
  { framework: 'PyTorch', trainLoss: 0.462, trainAccuracy: 0.826, testAccuracy: 0.806 },
  { framework: 'TensorFlow', trainLoss: 0.468, trainAccuracy: 0.823, testAccuracy: 0.827 },
  { framework: 'MXNet', trainLoss: 0.472, trainAccuracy: 0.822, testAccuracy: 0.766 },
] as const;

export const BOOK_EPOCHS = 10;
