import { seededRandom } from '../shared/faults.ts';

/**
 * Realistic-looking, repeatable CRM data: the same seed gives the same records, so a bug seen
 * with `--customers 5000 --randomSeed 7` can be seen again.
 */
const FIRST = [
  'Åsa',
  'Björn',
  'Ingrid',
  'Søren',
  'Jiří',
  'Zuzana',
  'Tomáš',
  'Amélie',
  'François',
  'Noémie',
  'María',
  'José',
  'Lukas',
  'Jürgen',
  'Małgorzata',
  'Paweł',
  'Ilse',
  'Zoë',
  'Chloé',
  'Hélène',
  'Mehmet',
  'Ayşe',
  'Dmitri',
  'Olga',
  'Hana',
  'Chen',
  'Aisha',
  'Pekka',
  'Eero',
  'Niamh',
  'Siobhán',
  'Ramón',
  'Inês',
  'João',
  'Đorđe',
  'Ana',
];
const LAST = [
  'Johannessen',
  'Sørensen',
  'Åsheim',
  'Novák',
  'Dvořáková',
  'Černý',
  'Lefèvre',
  'Dupré',
  'Garçon',
  'González',
  'Müller',
  'Großmann',
  'Schäfer',
  'Wójcik',
  'Kowalczyk',
  'Yılmaz',
  'Öztürk',
  'Ivanov',
  'Petrova',
  'Tanaka',
  'Okafor',
  'Virtanen',
  'Mäkinen',
  "O'Connor",
  'Ní Bhriain',
  'Núñez',
  'Conceição',
  'Đoković',
  'Lindqvist',
  'Hansen',
];
const COMPANY_STEMS = [
  'Nordlys',
  'Fjell',
  'Železná',
  'Bílá Hora',
  'Société Lumière',
  'Großmann',
  'Sonnenschein',
  'Zürichsee',
  'Kraków Tech',
  'Åland',
  'Tromsø',
  'Ístanbul Lojistik',
  'Café Noir',
  'Peña',
  'Vltava',
  'Øresund',
];
const COMPANY_FORMS = ['AS', 's.r.o.', 'SARL', 'GmbH', 'Sp. z o.o.', 'AB', 'Oy', 'Ltd', 'S.L.', 'A/S'];
const COMPANY_WORDS = [
  'Shipping',
  'Labs',
  'Consulting',
  'Logistics',
  'Software',
  'Foods',
  'Energy',
  'Design',
];
const PLACES: Array<[string, string, string]> = [
  ['Tromsø', 'NO', '9008'],
  ['Brno', 'CZ', '602 00'],
  ['Lyon', 'FR', '69002'],
  ['München', 'DE', '80331'],
  ['Kraków', 'PL', '31-001'],
  ['Göteborg', 'SE', '411 01'],
  ['Zürich', 'CH', '8001'],
  ['Sevilla', 'ES', '41001'],
  ['İzmir', 'TR', '35210'],
  ['Turku', 'FI', '20100'],
  ['Cork', 'IE', 'T12 X70A'],
  ['Porto', 'PT', '4000-322'],
];
const STREETS = [
  'Storgata',
  'Masarykova',
  'Rue de la République',
  'Königstraße',
  'ul. Floriańska',
  'Calle Sierpes',
];
const TITLES = [
  'CEO',
  'Head of Sales',
  'Account Manager',
  'Buyer',
  'Office Manager',
  'CTO',
  'Support Lead',
  null,
];

/** ASCII form of a name for e-mail addresses: "Dvořáková" → "dvorakova". */
export function asciiSlug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss')
    .replace(/[øØ]/g, 'o')
    .replace(/[æÆ]/g, 'ae')
    .replace(/[đĐ]/g, 'd')
    .replace(/ı/g, 'i')
    .replace(/ł/g, 'l')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '.')
    .replace(/^\.+|\.+$/g, '');
}

export interface GeneratedData {
  customers: Array<Record<string, unknown>>;
  /** Contacts name their customer by position in `customers` (0-based), or null. */
  contacts: Array<Record<string, unknown> & { customerIndex: number | null }>;
}

export function generateData(customers: number, contacts: number, seed = 1): GeneratedData {
  const rnd = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const out: GeneratedData = { customers: [], contacts: [] };
  const domains: string[] = [];
  for (let i = 0; i < customers; i++) {
    const name = `${pick(COMPANY_STEMS)} ${pick(COMPANY_WORDS)} ${pick(COMPANY_FORMS)}`;
    const [city, country, zip] = pick(PLACES);
    const domain = `${asciiSlug(name).split('.').slice(0, 2).join('-')}-${i + 1}.example`;
    domains.push(domain);
    out.customers.push({
      Name: i < 1000 ? name : `${name} ${i + 1}`,
      StreetAddress1: `${pick(STREETS)} ${1 + Math.floor(rnd() * 120)}`,
      City: city,
      ZipCode: zip,
      Country: country,
      Phone: rnd() < 0.8 ? `+${10 + Math.floor(rnd() * 89)} ${1000000 + Math.floor(rnd() * 8999999)}` : null,
      Email: rnd() < 0.6 ? `info@${domain}` : null,
      Website: rnd() < 0.7 ? `https://${domain}` : null,
    });
  }
  for (let i = 0; i < contacts; i++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const customerIndex = customers > 0 && rnd() < 0.85 ? Math.floor(rnd() * customers) : null;
    const domain = customerIndex === null ? 'mail.example' : (domains[customerIndex] ?? 'mail.example');
    out.contacts.push({
      FirstName: first,
      LastName: last,
      // The number keeps generated addresses unique; about one in ten contacts has none.
      Email: rnd() < 0.9 ? `${asciiSlug(first)}.${asciiSlug(last)}.${i + 1}@${domain}` : null,
      Title: pick(TITLES),
      Mobile: rnd() < 0.5 ? `+47 9${String(Math.floor(rnd() * 10000000)).padStart(7, '0')}` : null,
      Active: rnd() < 0.93,
      customerIndex,
    });
  }
  return out;
}
