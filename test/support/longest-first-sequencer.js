const { relative } = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

/**
 * Jest's own order (files that failed last time first, then the longest first by the durations in
 * its cache), except that a file the cache has no duration for takes its expected duration from
 * EXPECTED_MS below instead of going first. In a fresh clone the cache is empty (.jest-cache/ is
 * git-ignored), and jest's fallback, file size, started the longest external files late: the tier
 * took 375 s cold against about 315 s warm, mostly one long file finishing alone at the end.
 * Figures: milliseconds per file with two or three files at a time on 2 cores (scripts/test-tiers.sh),
 * rounded; only files of 10 s or more are listed, the rest count as 0 and go last, largest first.
 * `time` and `hasFailed` are the base class's own readers of its cache (typed private in jest 29,
 * pinned in package.json); a jest upgrade that drops them fails every run at once, not silently.
 */
const EXPECTED_MS = {
  // integration
  'test/integration/service-process.test.ts': 32_000,
  'test/integration/grpc-malformed-input.test.ts': 31_000,
  'test/integration/crash-durability-lance.test.ts': 26_000,
  'test/contract/model-provider/generation.test.ts': 26_000,
  'test/integration/openai-compat.test.ts': 23_000,
  'test/integration/secure-defaults.test.ts': 22_000,
  'test/integration/cancellation.test.ts': 20_000,
  'test/integration/tls.test.ts': 20_000,
  'test/integration/door-parity/models.test.ts': 19_000,
  'test/contract/model-provider/cancellation.test.ts': 16_000,
  'test/integration/llamacpp-provider.test.ts': 16_000,
  'test/integration/door-parity/vector-bad-input.test.ts': 15_000,
  'test/integration/rate-limit.test.ts': 13_000,
  'test/integration/door-parity/text.test.ts': 12_000,
  'test/integration/door-parity/vectors.test.ts': 10_000,
  'test/integration/embedding-thread-crash.test.ts': 10_000,
  // external
  'test/external/snapshot-round-trip.test.ts': 30_000,
  'test/external/milvus-service.test.ts': 65_000,
  'test/external/milvus-round-trips.test.ts': 46_000,
  'test/contract/vector-store/ties.test.ts': 46_000,
  'test/external/migrate.test.ts': 46_000,
  'test/external/swagger-ui-browser.test.ts': 42_000,
  'test/contract/vector-store/scan.test.ts': 33_000,
  'test/external/milvus-index-build.test.ts': 28_000,
  'test/external/crash-durability-milvus.test.ts': 25_000,
  'test/contract/vector-store/snapshots.test.ts': 25_000,
  'test/contract/vector-store/collections.test.ts': 25_000,
  'test/contract/vector-store/search.test.ts': 19_000,
  'test/contract/vector-store/text.test.ts': 19_000,
  'test/contract/vector-store/aliases.test.ts': 14_000,
  'test/contract/vector-store/milvus-text.test.ts': 13_000,
  'test/external/go-client-tls.test.ts': 12_000,
  'test/contract/vector-store/vectors.test.ts': 10_000,
};

class LongestFirstSequencer extends Sequencer {
  /** @param {import('@jest/test-result').Test[]} tests */
  sort(tests) {
    /** @param {import('@jest/test-result').Test} test */
    const expected = (test) => this.time(test) ?? EXPECTED_MS[relative(test.context.config.rootDir, test.path).split('\\').join('/')] ?? 0;
    /** @param {import('@jest/test-result').Test} test */
    const size = (test) => test.context.hasteFS.getSize(test.path) ?? 0;
    return [...tests].sort((a, b) => Number(this.hasFailed(b)) - Number(this.hasFailed(a)) || expected(b) - expected(a) || size(b) - size(a));
  }
}

module.exports = LongestFirstSequencer;
