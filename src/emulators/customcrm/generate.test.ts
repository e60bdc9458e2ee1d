import { describe, expect, it } from 'vitest';
import { asciiSlug, generateData } from './generate.ts';
import { checkWrite, isValidEmail } from './fields.ts';

describe('generateData', () => {
  const data = generateData(50, 1000, 7);

  it('is the same for the same seed and different for another', () => {
    expect(generateData(50, 1000, 7)).toEqual(data);
    expect(generateData(50, 1000, 8).contacts.slice(0, 20)).not.toEqual(data.contacts.slice(0, 20));
  });

  it('looks real: diacritics, some contacts without e-mail, contacts spread over customers', () => {
    const names = data.contacts.map((c) => `${String(c.FirstName)} ${String(c.LastName)}`).join(' ');
    expect(names).toMatch(/[À-ž]/);
    const withoutEmail = data.contacts.filter((c) => c.Email === null).length;
    expect(withoutEmail).toBeGreaterThan(30);
    expect(withoutEmail).toBeLessThan(200);
    const customersUsed = new Set(data.contacts.map((c) => c.customerIndex).filter((i) => i !== null));
    expect(customersUsed.size).toBeGreaterThan(40);
    expect(data.contacts.some((c) => c.customerIndex === null)).toBe(true);
  });

  it('produces only records the server accepts, with unique valid e-mail addresses', () => {
    for (const c of data.customers) expect(checkWrite('customers', c, { externalRefs: true })).toEqual([]);
    for (const { customerIndex: _i, ...c } of data.contacts)
      expect(checkWrite('contacts', c, { externalRefs: true })).toEqual([]);
    const emails = data.contacts.map((c) => c.Email).filter((e): e is string => typeof e === 'string');
    expect(new Set(emails).size).toBe(emails.length);
    expect(emails.every(isValidEmail)).toBe(true);
  });

  it('folds names to ASCII for addresses', () => {
    expect(asciiSlug('Dvořáková')).toBe('dvorakova');
    expect(asciiSlug('Großmann & Søhne')).toBe('grossmann.sohne');
    expect(asciiSlug("Ní Bhriain O'Connor")).toBe('ni.bhriain.o.connor');
  });
});
