export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The largest number of `times` (ms) within any interval of `windowMs`: how close a sender came
 * to a platform's "N per rolling minute".
 */
export function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (j < sorted.length && sorted[j] - sorted[i] < windowMs) j++;
    most = Math.max(most, j - i);
  }
  return most;
}
