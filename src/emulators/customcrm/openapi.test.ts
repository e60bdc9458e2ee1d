import { describe, expect, it } from 'vitest';
import { validate, compileErrors } from '@readme/openapi-parser';
import {
  OPENAPI_PATH,
  validateResponse,
  validateWebhookEvent,
} from '../../../test/support/emulators/customcrm-openapi.ts';

describe('docs/customcrm-openapi.yaml', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await validate(OPENAPI_PATH);
    expect(result.valid ? '' : compileErrors(result)).toBe('');
    expect(result.valid).toBe(true);
  });

  it('lets the response check fail: wrong type, unknown property, missing header, undocumented status', () => {
    const customer = {
      Id: 'cus_000001',
      Name: 'Nordlys Shipping AS',
      StreetAddress1: null,
      StreetAddress2: null,
      City: 'Tromsø',
      ZipCode: null,
      Country: 'NO',
      Phone: null,
      Email: null,
      Website: null,
      Fax: null,
      Description: null,
      CreatedAt: '2026-01-31T12:00:00.000Z',
      UpdatedAt: '2026-01-31T12:00:00.000Z',
      Version: 1,
      ExternalRefs: [],
    };
    expect(validateResponse('GET', '/v1/customers/{id}', 200, customer, { etag: '"1"' })).toEqual([]);
    expect(validateResponse('GET', '/customers/{id}', 200, { ...customer, Version: '1' }).join()).toMatch(
      /Version/,
    );
    expect(validateResponse('GET', '/customers/{id}', 200, { ...customer, Extra: 1 }).join()).toMatch(
      /additional properties/,
    );
    expect(validateResponse('GET', '/customers/{id}', 200, customer, {}).join()).toMatch(
      /header ETag is missing/,
    );
    expect(validateResponse('GET', '/customers/{id}', 418, customer).join()).toMatch(/not documented/);
    expect(validateResponse('DELETE', '/customers/{id}', 204, undefined)).toEqual([]);
  });

  it('checks webhook event bodies', () => {
    const tombstone = {
      Id: 'con_000002',
      Deleted: true,
      UpdatedAt: '2026-01-31T12:00:00.000Z',
      Version: 3,
      ExternalRefs: [],
    };
    const event = {
      Id: `evt_${'a'.repeat(32)}`,
      Type: 'contact.deleted',
      OccurredAt: tombstone.UpdatedAt,
      Data: tombstone,
    };
    expect(validateWebhookEvent(event)).toEqual([]);
    expect(validateWebhookEvent({ ...event, Type: 'contact.renamed' }).join()).toMatch(/Type/);
  });
});
