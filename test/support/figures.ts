/**
 * Prints a measured figure (bytes, messages, counts) in the test output, where people reading a run look for it.
 * Figures are printed, never asserted against a time.
 */
export function reportFigure(line: string): void {
  // eslint-disable-next-line no-console -- the one place tests print figures for their readers
  console.log(`figure: ${line}`);
}
