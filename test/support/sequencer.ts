import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The slowest integration files, slowest first (their own duration, measured on
 * 2 cores). Two workers run the files; starting the long ones first keeps one
 * of them from being the last file left running while the other worker idles.
 * On a fresh clone vitest has no durations of its own to go by; with its cache
 * (a second run) the cached order is used for the rest.
 */
export const SLOWEST_FIRST = [
  'test/int/hot-path-rounds.test.ts',
  'test/int/outage.test.ts',
  // Not slow, but it creates and drops a table of its own, which stalls DynamoDB Local for a moment: early, beside the
  // other table-of-its-own set-up, not late beside the fuzzer's 2,000 requests.
  'test/int/retention-sweep.test.ts',
  'test/int/offers.test.ts',
  'test/int/shutdown.test.ts',
  'test/int/local-mode.test.ts',
  'test/int/readme.test.ts',
  'test/int/delivery.test.ts',
];

const rank = (spec: TestSpecification) => {
  const i = SLOWEST_FIRST.findIndex((f) => spec.moduleId.replaceAll('\\', '/').endsWith(f));
  return i < 0 ? SLOWEST_FIRST.length : i;
};

export default class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    // Array.prototype.sort is stable: files not listed keep the base order.
    return sorted
      .map((spec, i) => ({ spec, i }))
      .sort((a, b) => rank(a.spec) - rank(b.spec) || a.i - b.i)
      .map((x) => x.spec);
  }
}
