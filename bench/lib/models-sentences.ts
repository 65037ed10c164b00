import { rng } from './dataset';

/**
 * Deterministic, varied English sentences for the embedding benchmark. Real embedding cost
 * depends on token count (padding to the longest text in a batch), so lengths vary between 8
 * and 30 words the way short user texts do, and the same seed gives the same texts everywhere.
 */

const SUBJECTS = [
  'the engineer', 'a young teacher', 'our neighbour', 'the old fisherman', 'my sister', 'the committee',
  'a curious child', 'the night nurse', 'the city council', 'a travelling musician', 'the research team',
  'the baker down the street', 'a retired pilot', 'the new manager', 'the museum guide', 'every student',
];
const VERBS = [
  'repaired', 'described', 'painted', 'ignored', 'discovered', 'borrowed', 'explained', 'delivered',
  'photographed', 'questioned', 'measured', 'cooked', 'translated', 'planted', 'rebuilt', 'recommended',
];
const OBJECTS = [
  'the broken bicycle', 'a detailed map of the coast', 'the quarterly budget', 'an unusual recipe',
  'the lighthouse', 'a letter from abroad', 'the school garden', 'the weather forecast',
  'a pair of leather boots', 'the train timetable', 'an old wooden boat', 'the annual report',
  'a small brown dog', 'the solar panels', 'a book about volcanoes', 'the village bridge',
];
const PLACES = [
  'in the morning', 'near the harbour', 'after the long meeting', 'during the storm', 'at the market',
  'before sunrise', 'behind the library', 'on a quiet Sunday', 'in the mountains', 'at the station',
  'under the bright lights', 'beside the river', 'in a crowded cafe', 'at the end of summer',
];
const CLAUSES = [
  'because nobody else knew how', 'while the others were still asleep', 'although it was raining heavily',
  'so that the children could learn something new', 'even though the instructions were missing',
  'as the price of fuel kept rising', 'until the whole neighbourhood came to watch',
  'since the deadline had been moved forward', 'and everyone agreed it was a good idea',
  'but the results surprised the whole town', 'after reading several articles about it',
  'without asking for any help from the office', 'when the power came back on',
];
const ADVERBS = ['carefully', 'quickly', 'quietly', 'proudly', 'reluctantly', 'patiently', 'happily', 'slowly'];
const FILLERS = [
  'with great care', 'for the first time', 'in front of a small audience', 'using only simple tools',
  'with help from two friends', 'for almost three hours', 'in spite of the noise', 'at a very low cost',
];

const MIN_WORDS = 8;
const MAX_WORDS = 30;

function words(s: string): number {
  return s.split(' ').length;
}

/** `count` sentences of 8–30 words, the same for the same seed. */
export function benchSentences(count: number, seed: number): string[] {
  const next = rng(seed);
  const pick = (list: readonly string[]): string => list[Math.floor(next() * list.length)]!;
  const out: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const target = MIN_WORDS + Math.floor(next() * (MAX_WORDS - MIN_WORDS + 1));
    const parts = [pick(SUBJECTS), pick(ADVERBS), pick(VERBS), pick(OBJECTS)];
    // Optional phrases in a random order, each kind at most once, while they fit in 30 words.
    const extras = [PLACES, CLAUSES, FILLERS];
    while (words(parts.join(' ')) < target && extras.length > 0) {
      const [list] = extras.splice(Math.floor(next() * extras.length), 1);
      const phrase = pick(list!);
      if (words(parts.join(' ')) + words(phrase) <= MAX_WORDS) parts.push(phrase);
    }
    const sentence = parts.join(' ');
    out.push(`${sentence[0]!.toUpperCase()}${sentence.slice(1)}.`);
  }
  return out;
}
