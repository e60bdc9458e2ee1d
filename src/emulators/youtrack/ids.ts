/** A version-4-shaped UUID drawn from a seeded generator, so a seed always yields the same ids. */
export function seededUuid(rnd: () => number): string {
  const hex = (n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) s += Math.floor(rnd() * 16).toString(16);
    return s;
  };
  const variant = (8 + Math.floor(rnd() * 4)).toString(16);
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
}

/** Hub ids are UUIDs (project teams add `_team`); YouTrack ids are `<type>-<n>`. */
export const youtrackIdPattern = /^\d+-\d+$/;
