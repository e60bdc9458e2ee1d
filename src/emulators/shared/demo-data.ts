/**
 * The demo directory, shared by both emulators so that the Customcrm seed contains people and
 * companies that the YouTrack seed also has (by e-mail and by name), and the merge criteria
 * have something to find. The connectors never import this file.
 */
export interface DemoOrganization {
  key: string;
  name: string;
  description: string;
}
export interface DemoGroup {
  name: string;
  description: string;
  /** Name of the parent group, for nested groups. */
  parent?: string;
}
export interface DemoPerson {
  login: string;
  fullName: string;
  email: string | null;
  banned?: boolean;
  organization?: string;
  groups: string[];
}

export const demoOrganizations: DemoOrganization[] = [
  { key: 'NORD', name: 'Nordlys Shipping AS', description: 'Ferries and freight along the Norwegian coast' },
  { key: 'ZEL', name: 'Železná Labs s.r.o.', description: 'Hardware prototyping, Brno' },
  { key: 'CAFE', name: 'Café Société SARL', description: 'Coffee roasters and espresso bars in Lyon' },
];

export const demoGroups: DemoGroup[] = [
  { name: 'Engineering', description: 'Everyone who writes or reviews code' },
  { name: 'Backend', description: 'Services, APIs and storage', parent: 'Engineering' },
  { name: 'Frontend', description: 'Web and mobile clients', parent: 'Engineering' },
  { name: 'Support', description: 'First- and second-line customer support' },
  { name: 'Sales Nordics', description: 'Account managers for Norway, Sweden, Denmark' },
  { name: 'Contractors', description: '' },
];

export const demoPeople: DemoPerson[] = [
  {
    login: 'knut.johannessen',
    fullName: 'Knut Johannessen',
    email: 'knut.johannessen@nordlys.example',
    organization: 'Nordlys Shipping AS',
    groups: ['Sales Nordics'],
  },
  {
    login: 'ingrid.sorensen',
    fullName: 'Ingrid Sørensen',
    email: 'ingrid.sorensen@nordlys.example',
    organization: 'Nordlys Shipping AS',
    groups: ['Sales Nordics', 'Support'],
  },
  {
    login: 'bjorn.aasheim',
    fullName: 'Bjørn Åsheim',
    email: 'bjorn@nordlys.example',
    organization: 'Nordlys Shipping AS',
    groups: [],
  },
  {
    login: 'jiri.novak',
    fullName: 'Jiří Novák',
    email: 'jiri.novak@zelezna.example',
    organization: 'Železná Labs s.r.o.',
    groups: ['Engineering', 'Backend'],
  },
  {
    login: 'zuzana.dvorakova',
    fullName: 'Zuzana Dvořáková',
    email: 'zuzana@zelezna.example',
    organization: 'Železná Labs s.r.o.',
    groups: ['Frontend'],
  },
  {
    login: 'tomas.cerny',
    fullName: 'Tomáš Černý',
    email: null,
    organization: 'Železná Labs s.r.o.',
    groups: ['Backend'],
  },
  {
    login: 'amelie.lefevre',
    fullName: 'Amélie Lefèvre',
    email: 'amelie.lefevre@cafe-societe.example',
    organization: 'Café Société SARL',
    groups: ['Support'],
  },
  {
    login: 'francois.dupre',
    fullName: 'François Dupré',
    email: 'francois@cafe-societe.example',
    organization: 'Café Société SARL',
    groups: [],
    banned: true,
  },
  {
    login: 'noemie.garcon',
    fullName: 'Noémie Garçon',
    email: 'noemie.garcon@cafe-societe.example',
    organization: 'Café Société SARL',
    groups: ['Support', 'Frontend'],
  },
  {
    login: 'maria.gonzalez',
    fullName: 'María José González Pérez',
    email: 'maria.gonzalez@example.com',
    groups: ['Engineering', 'Frontend'],
  },
  {
    login: 'lukas.muller',
    fullName: 'Lukas Müller',
    email: 'lukas.mueller@example.com',
    groups: ['Backend'],
  },
  {
    login: 'sofia.bjork',
    fullName: 'Sofia Björk',
    email: 'sofia.bjork@example.com',
    groups: ['Sales Nordics'],
  },
  {
    login: 'mehmet.yilmaz',
    fullName: 'Mehmet Yılmaz',
    email: 'mehmet.yilmaz@example.com',
    groups: ['Contractors', 'Backend'],
  },
  { login: 'aisha.okafor', fullName: 'Aisha Okafor', email: 'aisha.okafor@example.com', groups: ['Support'] },
  { login: 'chen.wei', fullName: 'Chen Wei', email: 'chen.wei@example.com', groups: ['Engineering'] },
  { login: 'olga.petrova', fullName: 'Olga Petrova', email: null, groups: ['Contractors'] },
  {
    login: 'pekka.virtanen',
    fullName: 'Pekka Virtanen',
    email: 'pekka.virtanen@example.com',
    groups: [],
    banned: true,
  },
  { login: 'zoe.oconnor', fullName: "Zoë O'Connor", email: 'zoe.oconnor@example.com', groups: ['Frontend'] },
  {
    login: 'dmitri.ivanov',
    fullName: 'Dmitri Ivanov',
    email: 'dmitri.ivanov@example.com',
    groups: ['Contractors'],
  },
  {
    login: 'hana.tanaka',
    fullName: 'Hana Tanaka',
    email: 'hana.tanaka@example.com',
    groups: ['Engineering', 'Backend'],
  },
  // Two YouTrack accounts that share one e-mail: reported by the sync, never both linked to one contact.
  { login: 'erik.lund', fullName: 'Erik Lund', email: 'erik.lund@example.com', groups: ['Support'] },
  { login: 'erik.lund.admin', fullName: 'Erik Lund (admin)', email: 'Erik.Lund@example.com', groups: [] },
];

/** Customcrm seed: some match the directory (by e-mail, differently cased; by name), some exist only in the CRM. */
export const demoCrmCustomers: Array<{
  Name: string;
  City?: string;
  Country?: string;
  Phone?: string;
  Website?: string;
  Description?: string;
}> = [
  {
    Name: 'Nordlys Shipping AS',
    City: 'Tromsø',
    Country: 'NO',
    Phone: '+47 77 00 00 00',
    Website: 'https://nordlys.example',
  },
  {
    Name: 'Café Société SARL',
    City: 'Lyon',
    Country: 'FR',
    Description: 'Coffee roasters and espresso bars in Lyon',
  },
  { Name: 'Großmann & Söhne GmbH', City: 'München', Country: 'DE', Phone: '+49 89 000000' },
  { Name: 'Acme Widgets Ltd', City: 'Leeds', Country: 'GB' },
];

export const demoCrmContacts: Array<{
  FirstName: string;
  LastName: string;
  Email: string | null;
  Title?: string;
  Phone?: string;
  Customer?: string;
  Active?: boolean;
}> = [
  {
    FirstName: 'Knut',
    LastName: 'Johannessen',
    Email: 'Knut.Johannessen@nordlys.example',
    Title: 'Head of Sales',
    Phone: '+47 900 00 001',
    Customer: 'Nordlys Shipping AS',
  },
  {
    FirstName: 'Amélie',
    LastName: 'Lefèvre',
    Email: ' amelie.lefevre@cafe-societe.example ',
    Title: 'Owner',
    Customer: 'Café Société SARL',
  },
  { FirstName: 'Lukas', LastName: 'Müller', Email: 'lukas.mueller@example.com' },
  { FirstName: 'Hana', LastName: 'Tanaka', Email: 'hana.tanaka@example.com', Title: 'Staff Engineer' },
  {
    FirstName: 'Greta',
    LastName: 'Großmann',
    Email: 'greta@grossmann.example',
    Title: 'CEO',
    Customer: 'Großmann & Söhne GmbH',
  },
  { FirstName: 'John', LastName: 'Smith', Email: 'john.smith@acme.example', Customer: 'Acme Widgets Ltd' },
  // Two CRM contacts that share one e-mail: reported, not linked.
  { FirstName: 'Jane', LastName: 'Doe', Email: 'jane.doe@acme.example', Customer: 'Acme Widgets Ltd' },
  { FirstName: 'Jane', LastName: 'Doe-Smith', Email: 'JANE.DOE@acme.example', Customer: 'Acme Widgets Ltd' },
];
