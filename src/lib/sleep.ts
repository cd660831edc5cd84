/** Waits `ms` milliseconds. Injected wherever code polls, so tests can drive time. */
export type Sleep = (ms: number) => Promise<void>;

/** The real clock's sleep. */
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A monotonic clock in milliseconds (injectable for tests). */
export type Clock = () => number;
/** The real monotonic clock: performance.now(), milliseconds. */
export const realClock: Clock = () => performance.now();
