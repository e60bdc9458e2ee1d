import { describe, it } from 'vitest';

const SET_IT = 'postgres://tandem:tandem@127.0.0.1:5432/postgres';

/**
 * A suite that needs PostgreSQL: `body` gets the admin URL from TANDEM_TEST_POSTGRES. Without it
 * the suite fails in CI (where PostgreSQL is required) and is left out elsewhere with a note.
 */
export function describePostgres(title: string, body: (adminUrl: string) => void): void {
  const adminUrl = process.env['TANDEM_TEST_POSTGRES'];
  if (adminUrl) describe(title, () => body(adminUrl));
  else if (process.env['CI'])
    describe(title, () => {
      it('needs TANDEM_TEST_POSTGRES in CI', () => {
        throw new Error(`TANDEM_TEST_POSTGRES is not set; set it to ${SET_IT}`);
      });
    });
  else console.warn(`${title}: not run; set TANDEM_TEST_POSTGRES=${SET_IT}`);
}
