/** A version-4-shaped UUID drawn from a seeded generator, so a seed always yields the same ids. */
export function seededUuid(rnd: () => number): string {
  const word = () =>
    Math.floor(rnd() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  const a = word();
  const b = word();
  const c = word();
  const d = word();
  const variant = ((parseInt(c[0] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
}

/** Hub ids are UUIDs (project teams add `_team`); YouTrack ids are `<type>-<n>`. */
export const youtrackIdPattern = /^\d+-\d+$/;
