/**
 * Versions in epoch microseconds: later requests get larger versions, and two requests in the same
 * millisecond in one process still get distinct ones.
 */
export function versionClock(): (epochMs: number) => number {
  let last = 0;
  return (epochMs) => {
    last = Math.max(last + 1, Math.floor(epochMs) * 1000);
    return last;
  };
}
