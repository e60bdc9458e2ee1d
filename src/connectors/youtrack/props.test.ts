import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../types.ts';
import { changedOnly, idList, namedFields, requireLogin, userFields } from './props.ts';

describe('props', () => {
  it('reads the writable user fields and trims login and e-mail', () => {
    expect(userFields({ login: ' a ', fullName: 'A B', email: ' a@x ', banned: true, groups: [] })).toEqual({
      login: 'a',
      fullName: 'A B',
      email: 'a@x',
      banned: true,
    });
    expect(userFields({ email: '' })).toEqual({ email: null });
  });

  it('rejects a wrong value type with the property named', () => {
    try {
      userFields({ banned: 'yes' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConnectorError);
      expect((err as ConnectorError).code).toBe('INVALID_RECORD');
      expect((err as ConnectorError).info.property).toBe('banned');
    }
    expect(() => requireLogin({ login: '  ' })).toThrow(/login/);
  });

  it('ignores read-only group props', () => {
    expect(namedFields('Group', { name: 'G', kind: 'regular', parent: null, description: null })).toEqual({
      name: 'G',
      description: '',
    });
  });

  it('reads membership lists, deduplicated; absent means untouched', () => {
    expect(idList('User', { groups: ['a', 'a', 'b'] }, 'groups')).toEqual(['a', 'b']);
    expect(idList('User', {}, 'groups')).toBeUndefined();
    expect(() => idList('User', { groups: 'a' }, 'groups')).toThrow(ConnectorError);
  });

  it('keeps only values that differ from the current record', () => {
    expect(changedOnly({ name: 'G', description: 'new' }, { name: 'G', description: 'old' })).toEqual({
      description: 'new',
    });
  });
});
