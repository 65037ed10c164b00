import { median, runLoad } from './measure';
import type { DirectEmbedder } from './models-direct-embed';
import type { EmbedDoor } from './models-doors';

export interface TargetSlice {
  round: number;
  directPerSec: number;
  /** Door name → sentences/s of single-text calls from `concurrency` callers. */
  service: Record<string, number>;
}

export interface TargetCheck {
  directBatch: number;
  concurrency: number;
  sentencesPerSlice: number;
  slices: TargetSlice[];
  /** Door name → median over rounds of (service slice / direct slice of the same round). */
  medianRatio: Record<string, number>;
}

/**
 * The target comparison, measured so that background load on a shared machine hits both sides
 * alike: short slices of the direct pipeline at its best batch size and of each door with
 * single-text calls, alternated round by round, compared within each round. The matrix numbers
 * are minutes apart; these are seconds apart.
 */
export async function checkTarget(
  direct: DirectEmbedder,
  doors: EmbedDoor[],
  sentences: readonly string[],
  opts: { directBatch: number; concurrency: number; rounds: number; sentencesPerSlice: number },
): Promise<TargetCheck> {
  const { directBatch, concurrency, rounds, sentencesPerSlice } = opts;
  const text = (i: number): string => sentences[i % sentences.length]!;
  const directCalls = Math.ceil(sentencesPerSlice / directBatch);
  const slices: TargetSlice[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const offset = round * sentencesPerSlice;
    const d = await runLoad(directCalls, 1, (i) => direct.embed(Array.from({ length: directBatch }, (_, k) => text(offset + i * directBatch + k))));
    const service: Record<string, number> = {};
    for (const door of doors) {
      const r = await runLoad(sentencesPerSlice, concurrency, (i) => door.embed([text(offset + i)]));
      service[door.name] = sentencesPerSlice / r.seconds;
    }
    slices.push({ round, directPerSec: (directCalls * directBatch) / d.seconds, service });
  }
  const medianRatio: Record<string, number> = {};
  for (const door of doors) medianRatio[door.name] = median(slices.map((s) => s.service[door.name]! / s.directPerSec));
  return { directBatch, concurrency, sentencesPerSlice, slices, medianRatio };
}
