import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { describePostgres } from '../../helpers/postgres.ts';

/**
 * A throw-away PostgreSQL database for one test run, made from the admin URL in
 * TANDEM_TEST_POSTGRES; each `schemaUrl()` is a new empty schema in it, so tests never share data.
 */
export class TestDatabase {
  readonly name = `tandem_test_${randomBytes(6).toString('hex')}`;
  private schemas = 0;

  constructor(private readonly adminUrl: string) {}

  get url(): string {
    const u = new URL(this.adminUrl);
    u.pathname = `/${this.name}`;
    return u.href;
  }

  async create(): Promise<void> {
    await this.admin(`CREATE DATABASE ${this.name}`);
  }

  async drop(): Promise<void> {
    await this.admin(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`);
  }

  /** A URL whose connections see only a new, empty schema. */
  async schemaUrl(): Promise<string> {
    const schema = `s${++this.schemas}`;
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA ${schema}`);
    } finally {
      await client.end();
    }
    const u = new URL(this.url);
    u.searchParams.set('options', `-c search_path=${schema}`);
    return u.href;
  }

  private async admin(sql: string): Promise<void> {
    const client = new pg.Client({ connectionString: this.adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }
}

/**
 * Registers `body` with a throw-away database (created before, dropped after) when
 * TANDEM_TEST_POSTGRES is set. In CI its absence fails the run instead of silently testing less;
 * elsewhere it is a note that `what` was not run.
 */
export function withTestDatabase(what: string, body: (db: TestDatabase, adminUrl: string) => void): void {
  describePostgres(what, (adminUrl) => {
    const db = new TestDatabase(adminUrl);
    beforeAll(() => db.create());
    afterAll(() => db.drop());
    body(db, adminUrl);
  });
}
