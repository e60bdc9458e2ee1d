// Shared by bin/tandem.js and the bench's measured process, so the bench measures what runs.
import v8 from 'node:v8';

/**
 * V8 grows its heap by up to four times the live data between full collections when a process
 * allocates fast, as a sync does (every page read and every write is short-lived garbage). Tandem
 * runs beside other services and its live data is small (streamed), so it asks V8 to favour size:
 * at 30,000 users the first sync's peak RSS went from 285 to 168 MB for about 15 % more CPU time
 * (docs/performance.md). TANDEM_OPTIMIZE_FOR_SIZE=0 leaves V8's defaults.
 */
export function favorMemory() {
  if (process.env.TANDEM_OPTIMIZE_FOR_SIZE === '0') return;
  v8.setFlagsFromString('--optimize-for-size');
}
