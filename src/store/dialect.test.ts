import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { postgresMigrations, postgresQueries } from './postgres/postgres-dialect.ts';
import { sqliteMigrations, sqliteQueries } from './sqlite/sqlite-dialect.ts';

const fingerprint = (sql: string): string => createHash('sha256').update(sql).digest('hex').slice(0, 16);

describe('SQL written once, compiled per database', () => {
  // Databases made by earlier versions recorded these migrations as applied: their text for each
  // database must never change (a new one is added at the end). The fingerprints are those of the
  // texts released before the migrations were written once.
  it('keeps every released migration the text earlier versions applied', () => {
    expect(sqliteMigrations.map((m) => [m.version, fingerprint(m.sql)])).toEqual([
      [1, '5880f1adf84f404e'],
      [2, '9189aad29a3cfe11'],
      [3, 'e55fb1a4afef2b9e'],
      [4, '2b44f0a98bebf72e'],
      [5, 'aceb6e69699806b9'],
    ]);
    expect(postgresMigrations.map((m) => [m.version, fingerprint(m.sql)])).toEqual([
      [1, '200d999a66d0cb59'],
      [2, '9189aad29a3cfe11'],
      [3, 'e55fb1a4afef2b9e'],
      [4, '2b44f0a98bebf72e'],
      [5, '02d62bb20ba7d180'],
    ]);
  });

  it('numbers the migrations 1, 2, 3, … in both databases', () => {
    for (const migrations of [sqliteMigrations, postgresMigrations])
      expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });

  it('leaves no neutral syntax in either database’s text, and the same parameters in both', () => {
    for (const [name, sql] of Object.entries(sqliteQueries)) {
      expect(sql, name).not.toMatch(/::|\$\d/);
      const postgres = postgresQueries[name as keyof typeof postgresQueries];
      expect(postgres, name).not.toMatch(/\?\d/);
      const params = (text: string, mark: string): string[] =>
        [...new Set(text.match(new RegExp(`\\${mark}\\d+`, 'g')) ?? [])].map((p) => p.slice(1)).sort();
      expect(params(postgres, '$'), name).toEqual(params(sql, '?'));
    }
  });

  it('locks a link row for update only where the database locks rows', () => {
    expect(sqliteQueries.getLinkForUpdate).toBe(sqliteQueries.getLink);
    expect(postgresQueries.getLinkForUpdate).toBe(`${postgresQueries.getLink} FOR UPDATE`);
  });
});
