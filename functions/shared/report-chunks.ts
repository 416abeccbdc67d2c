/**
 * How the reports projector spends one invocation. A batch's work grows with the report cells (village ×
 * commitment) its records touch, not with the records: each touched cell's rollups are recomputed in three
 * scopes, with the regions above them. 1,000 records of an import touch a few dozen cells; 1,000 records of
 * a province's approval or year-end close touch hundreds, and such a batch outlasted the function's timeout
 * at full scale. So a batch is projected in chunks of consecutive records touching at most
 * {@link CELLS_PER_CHUNK} cells, and before each chunk the clock is read: when what is left would not safely
 * hold another chunk, projection stops and the rest of the batch is left for the stream to deliver again.
 */
import { cellId, contributionOfChange, type ProjectionOutcome, type SourceChange } from '@lindung/store';

/** The most report cells one chunk touches: bounds the work between two looks at the clock. */
export const CELLS_PER_CHUNK = 100;
/** Time kept in hand, besides twice the slowest chunk so far, before another chunk is started. */
export const MARGIN_MS = 5_000;

/**
 * Where the chunks of a batch start: runs of consecutive changes that touch at most `cells` report cells
 * (a change that touches none joins the run it falls in). Stream order is kept within and across chunks.
 */
export const chunkStarts = (changes: readonly SourceChange[], cells = CELLS_PER_CHUNK): number[] => {
  const starts = [0];
  let touched = new Set<string>();
  changes.forEach((change, index) => {
    const contribution = contributionOfChange(change);
    if (!contribution) return;
    const id = cellId(contribution.cell);
    if (touched.has(id)) return;
    if (touched.size >= cells) {
      starts.push(index);
      touched = new Set();
    }
    touched.add(id);
  });
  return starts;
};

export interface ChunkedProjection {
  /** How many changes were projected, from the first: all of them, or where the time ran short. */
  readonly projected: number;
  readonly chunks: number;
  readonly slowestMs: number;
  readonly outcomes: readonly ProjectionOutcome[];
}

/**
 * Projects `changes` chunk by chunk with `project`, the first chunk always, every further one only while
 * `remainingMs()` exceeds twice the slowest chunk so far plus {@link MARGIN_MS}.
 */
export const projectInChunks = async (
  changes: readonly SourceChange[],
  project: (chunk: readonly SourceChange[]) => Promise<ProjectionOutcome>,
  remainingMs: () => number,
  cells = CELLS_PER_CHUNK,
): Promise<ChunkedProjection> => {
  const starts = chunkStarts(changes, cells);
  const outcomes: ProjectionOutcome[] = [];
  let slowestMs = 0;
  for (const [chunk, start] of starts.entries()) {
    if (chunk > 0 && remainingMs() < 2 * slowestMs + MARGIN_MS) {
      return { projected: start, chunks: starts.length, slowestMs, outcomes };
    }
    const started = Date.now();
    outcomes.push(await project(changes.slice(start, starts[chunk + 1] ?? changes.length)));
    slowestMs = Math.max(slowestMs, Date.now() - started);
  }
  return { projected: changes.length, chunks: starts.length, slowestMs, outcomes };
};
