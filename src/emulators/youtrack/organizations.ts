import { Collection } from './collection.ts';
import { DirectoryError, type EventChange, type Organization } from './model.ts';

export interface OrganizationInput {
  name: string;
  key?: string;
  description?: string;
  projectsCount?: number;
  creationTime?: number;
  /** False for an organization made through YouTrack 2026.1's API; default true. */
  hubEra?: boolean;
}
export type OrganizationPatch = Partial<Pick<Organization, 'key' | 'name' | 'description'>>;

/**
 * The organizations with their unique-name and unique-key indexes (case-insensitive). Events and
 * memberships are the Directory's business; this class keeps the collection consistent.
 */
export class Organizations extends Collection<Organization> {
  private readonly names = new Map<string, Organization>();
  private readonly keys = new Map<string, Organization>();
  private counter = 1;

  byName(name: string): Organization | undefined {
    return this.names.get(name.toLowerCase());
  }

  insert(input: OrganizationInput, id: { hubId: string; seq: number }, now: number): Organization {
    const name = input.name.trim();
    if (!name) throw new DirectoryError('invalid', 'An organization needs a non-empty name');
    const key = (input.key ?? deriveKey(name)).trim();
    if (!key) throw new DirectoryError('invalid', `Organization ${name}: key must not be empty`);
    this.checkUnique(name, key);
    const org: Organization = {
      ...id,
      ytId: `4-${this.counter++}`,
      key,
      name,
      description: input.description ?? '',
      creationTime: input.creationTime ?? now,
      projectsCount: input.projectsCount ?? 0,
      users: new Set(),
      groups: new Set(),
      hubEra: input.hubEra ?? true,
    };
    this.add(org);
    this.index(org);
    return org;
  }

  /** Applies a partial update and returns the changes (empty when nothing changed). */
  update(org: Organization, patch: OrganizationPatch): EventChange[] {
    const name = patch.name?.trim();
    const key = patch.key?.trim();
    if (name === '' || key === '')
      throw new DirectoryError('invalid', `Organization ${org.name}: name and key must not be empty`);
    this.checkUnique(name, key, org);
    const changes: EventChange[] = [];
    this.unindex(org);
    for (const [field, value] of [
      ['key', key],
      ['name', name],
      ['description', patch.description],
    ] as const) {
      if (value === undefined || org[field] === value) continue;
      changes.push({ field, removed: org[field], added: value });
      org[field] = value;
    }
    this.index(org);
    return changes;
  }

  override remove(org: Organization): void {
    this.unindex(org);
    super.remove(org);
  }

  private index(org: Organization): void {
    this.names.set(org.name.toLowerCase(), org);
    this.keys.set(org.key.toLowerCase(), org);
  }

  private unindex(org: Organization): void {
    this.names.delete(org.name.toLowerCase());
    this.keys.delete(org.key.toLowerCase());
  }

  private checkUnique(name: string | undefined, key: string | undefined, self?: Organization): void {
    const byName = name === undefined ? undefined : this.names.get(name.toLowerCase());
    if (byName && byName !== self)
      throw new DirectoryError('must_be_unique', `Organization name "${name}" is already in use`);
    const byKey = key === undefined ? undefined : this.keys.get(key.toLowerCase());
    if (byKey && byKey !== self)
      throw new DirectoryError('must_be_unique', `Organization key "${key}" is already in use`);
  }
}

/** "Železná Labs" → "ZELEZN": the first six letters, folded to ASCII. */
function deriveKey(name: string): string {
  const letters = name
    .normalize('NFD')
    .replace(/[^A-Za-z]/g, '')
    .toUpperCase();
  return letters.slice(0, 6) || 'ORG';
}
