import { describe, expect, it } from 'vitest';
import { defaultMapping, type MappingRow } from './mapping.ts';
import { contact, ytRecord } from '../../test/support/core/world.ts';
import { checkSourceTypes, checkWrite } from './validate.ts';
import { toCustomcrmPatch } from './values.ts';

const rows = defaultMapping.flows.organizations.rows;
const [name, description] = rows as [MappingRow, MappingRow];
const org = ytRecord('Organization', 'o1', { name: 'Acme', description: '' });
const check = (row: MappingRow, value: string | null) =>
  checkWrite(row, org, value, toCustomcrmPatch(row, value));

describe('checkWrite', () => {
  it('accepts tabs, Windows and Unix line breaks, right-to-left text, emoji and HTML-looking text', () => {
    for (const v of ['a\tb', 'line\r\nline\nline', 'مرحبا بالعالم', '🚢 <script>alert(1)</script>', ''])
      expect(check(description, v)).toBeUndefined();
  });

  it('rejects a lone carriage return and other control characters', () => {
    expect(check(description, 'a\rb')?.code).toBe('INVALID_CHARACTERS');
    expect(check(description, 'a\u0085b')?.code).toBe('INVALID_CHARACTERS');
  });

  it('counts length in characters, so 200 emoji fit a 200-character name', () => {
    expect(check(name, '🚢'.repeat(200))).toBeUndefined();
    expect(check(name, 'x'.repeat(201))).toMatchObject({
      code: 'TOO_LONG',
      property: 'name',
      reason: expect.stringContaining('201 characters long, the limit is 200'),
    });
    expect(check(name, ' ')).toMatchObject({ code: 'REQUIRED', system: 'youtrack', id: 'o1' });
  });
});

describe('checkSourceTypes', () => {
  it('names the property with the wrong type and what it should be', () => {
    const r = checkSourceTypes(defaultMapping.flows.users.rows, contact('c1', { Active: 'yes' }));
    expect(r).toMatchObject({
      code: 'WRONG_TYPE',
      property: 'Active',
      reason: expect.stringContaining('expected true or false'),
    });
    expect(
      checkSourceTypes(defaultMapping.flows.users.rows, contact('c2', { Active: null })),
    ).toBeUndefined();
  });
});
