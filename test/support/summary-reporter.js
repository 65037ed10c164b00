/**
 * Prints the plain closing line CI reads ("N passed, N failed, N skipped") after jest's own
 * summary, so a run's outcome is unambiguous in any log.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results;
    // A suite that failed to run at all has no failed test to count; count it once.
    const failed = numFailedTests + results.numRuntimeErrorTestSuites;
    process.stdout.write(`\n${numPassedTests} passed, ${failed} failed, ${numPendingTests + numTodoTests} skipped\n`);
  }
}
module.exports = SummaryReporter;
