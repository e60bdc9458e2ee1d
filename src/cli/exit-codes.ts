/** Exit codes of `tandem`, documented in docs/cli.md. */
export const EXIT = {
  OK: 0,
  /** The cycle ran but some records failed or were quarantined, or a cycle failed. */
  PARTIAL: 1,
  USAGE: 2,
  CONFIG: 3,
  CONNECTIVITY: 4,
  /** The circuit breaker stopped the cycle before any write; `--force` goes past it. */
  BLOCKED: 5,
} as const;
