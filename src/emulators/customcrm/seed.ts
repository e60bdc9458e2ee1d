import { demoCrmContacts, demoCrmCustomers } from '../shared/demo-data.ts';
import type { CrmDatabase } from './database.ts';
import { generateData } from './generate.ts';

export interface SeedOptions {
  seed?: 'demo' | 'empty';
  customers?: number;
  contacts?: number;
  randomSeed?: number;
}

/** Fills an empty database; a database that already holds records is left as it is. */
export function seedDatabase(db: CrmDatabase, opts: SeedOptions): void {
  if (db.count('customers', { includeDeleted: true }) + db.count('contacts', { includeDeleted: true }) > 0)
    return;
  if (opts.seed === 'demo') {
    const ids = db.seed('customers', demoCrmCustomers);
    const byName = new Map(demoCrmCustomers.map((c, i) => [c.Name, ids[i]]));
    db.seed(
      'contacts',
      demoCrmContacts.map(({ Customer, ...c }) => ({
        ...c,
        CustomerId: Customer ? (byName.get(Customer) ?? null) : null,
      })),
    );
  }
  if (opts.customers || opts.contacts) {
    const data = generateData(opts.customers ?? 0, opts.contacts ?? 0, opts.randomSeed ?? 1);
    const ids = db.seed('customers', data.customers);
    db.seed(
      'contacts',
      data.contacts.map(({ customerIndex, ...c }) => ({
        ...c,
        CustomerId: customerIndex === null ? null : (ids[customerIndex] ?? null),
      })),
    );
  }
}
