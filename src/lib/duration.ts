/**
 * One type for every length of time the toolkit takes or reports (timeouts, poll intervals, grace periods),
 * so that no option or field is `*Seconds` next to `*Minutes` next to `*Ms`. Inputs keep the unit users
 * write (`timeout-minutes`, `poll-interval-seconds`, `delete-grace-hours`); the library only sees Durations.
 */
export class Duration {
  private constructor(
    /** Milliseconds. */
    readonly ms: number
  ) {}

  /** A duration of `n` milliseconds. */
  static ms(n: number): Duration {
    return new Duration(n);
  }
  /** A duration of `n` seconds (fractions allowed). */
  static seconds(n: number): Duration {
    return new Duration(n * 1000);
  }
  /** A duration of `n` minutes (fractions allowed). */
  static minutes(n: number): Duration {
    return new Duration(n * 60_000);
  }
  /** A duration of `n` hours (fractions allowed). */
  static hours(n: number): Duration {
    return new Duration(n * 3_600_000);
  }
  /** A duration of `n` of `unit`. */
  static of(n: number, unit: DurationUnit): Duration {
    return new Duration(n * UNIT_MS[unit]);
  }

  /** Seconds (fractional). */
  get seconds(): number {
    return this.ms / 1000;
  }
  /** Minutes (fractional). */
  get minutes(): number {
    return this.ms / 60_000;
  }
  /** Hours (fractional). */
  get hours(): number {
    return this.ms / 3_600_000;
  }
  /** This duration counted in `unit`. */
  in(unit: DurationUnit): number {
    return this.ms / UNIT_MS[unit];
  }
  /** The sum of this and `other`. */
  plus(other: Duration): Duration {
    return new Duration(this.ms + other.ms);
  }

  /** For a person: `45 s`, `2.5 min`, `24 h`. */
  toString(): string {
    if (this.ms < 1000) return `${round(this.ms)} ms`;
    if (this.ms < 120_000) return `${round(this.seconds)} s`;
    if (this.ms < 7_200_000) return `${round(this.minutes)} min`;
    return `${round(this.hours)} h`;
  }
}

/** The units a duration input can be written in. */
export type DurationUnit = 'milliseconds' | 'seconds' | 'minutes' | 'hours';

const UNIT_MS: Record<DurationUnit, number> = {
  milliseconds: 1,
  seconds: 1000,
  minutes: 60_000,
  hours: 3_600_000
};

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
