/** A clock and a sleep that only move when slept on: timeouts and bounds tested without waiting. */
export function fakeTime(): {
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  elapsed: () => number;
} {
  let now = 0;
  return { clock: () => now, sleep: async (ms: number) => void (now += ms), elapsed: () => now };
}
