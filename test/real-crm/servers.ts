import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { feathers } from '@feathersjs/feathers';
import { koa, rest, bodyParser, errorHandler } from '@feathersjs/koa';
import { MemoryService } from '@feathersjs/memory';

/**
 * Generic REST servers from npm that nobody on this project wrote, started on loopback, each with
 * the Customcrm profile that describes it. Both have integer ids, no auth, no ETag checks, no
 * idempotency keys, no external references, no webhooks and no modifiedSince filter.
 */
export type Row = Record<string, unknown> & { id: number };

export interface RealCrm {
  readonly name: string;
  readonly url: string;
  /** The connection's `customcrm.profile`, made only of documented keys. */
  readonly profile: Record<string, unknown>;
  /** Collection names and the wire names of the properties the tests touch. */
  readonly wire: {
    customers: string;
    contacts: string;
    name: string;
    email: string;
    lastName: string;
    company: string;
    reference: string;
  };
  all(collection: 'customers' | 'contacts'): Promise<Row[]>;
  /** Over HTTP, as a person's tools would. */
  create(collection: 'customers' | 'contacts', body: Record<string, unknown>): Promise<Row>;
  patch(collection: 'customers' | 'contacts', id: number, body: Record<string, unknown>): Promise<Row>;
  close(): Promise<void>;
}

async function http<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} → ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

const NO_CAPABILITIES = {
  auth: { type: 'none' },
  etag: false,
  idempotencyKeys: false,
  externalRefs: false,
  webhooks: false,
  modifiedSince: false,
  serverTimeHeader: false,
  idProperty: 'id',
  idType: 'integer',
} as const;

/**
 * json-server 0.17 (typicode): `_page`/`_limit` paging with an `X-Total-Count` header and a Link
 * header, a bare array as the list, `_sort`, field filters (`?email=`), PATCH and PUT.
 */
export async function startJsonServer(): Promise<RealCrm> {
  const require = createRequire(import.meta.url);
  const jsonServer = require('json-server') as {
    create(): import('express').Express;
    defaults(o: Record<string, unknown>): import('express').RequestHandler[];
    router(db: object): import('express').RequestHandler;
  };
  const app = jsonServer.create();
  app.use(jsonServer.defaults({ logger: false, noCors: true }));
  app.use(jsonServer.router({ companies: [], people: [] }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const coll = { customers: 'companies', contacts: 'people' } as const;
  return {
    name: 'json-server 0.17',
    url,
    wire: {
      customers: 'companies',
      contacts: 'people',
      name: 'name',
      email: 'email',
      lastName: 'last_name',
      company: 'company_id',
      reference: 'youtrack_id',
    },
    profile: {
      name: 'json-server',
      ...NO_CAPABILITIES,
      paths: { customers: '/companies', contacts: '/people' },
      properties: {
        Customer: { Name: 'name', Description: 'description', City: 'city' },
        Contact: {
          FirstName: 'first_name',
          LastName: 'last_name',
          Email: 'email',
          Username: 'login',
          Active: 'active',
          CustomerId: 'company_id',
        },
      },
      listPath: '',
      paging: { style: 'page', pageParam: '_page', sizeParam: '_limit', totalCountHeader: 'X-Total-Count' },
      listQuery: { _sort: 'id' },
      filters: { email: 'email', externalRef: false },
      referenceProperty: 'youtrack_id',
    },
    all: (c) => http<Row[]>('GET', `${url}/${coll[c]}?_sort=id`),
    create: (c, body) => http<Row>('POST', `${url}/${coll[c]}`, body),
    patch: (c, id, body) => http<Row>('PATCH', `${url}/${coll[c]}/${id}`, body),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * A Feathers 5 app on Koa with two in-memory services: `$limit`/`$skip` paging in a
 * `{ total, limit, skip, data }` envelope whose page size is capped at 25 (a larger `$limit` is
 * silently lowered), `$sort`, field filters, PATCH and PUT (whole record).
 */
export async function startFeathers(opts: { noPatch?: boolean } = {}): Promise<RealCrm> {
  const app = koa(feathers());
  app.use(errorHandler());
  app.use(bodyParser());
  app.configure(rest());
  const paginate = { default: 10, max: 25 };
  // `noPatch`: a server that updates by PUT only (PATCH answers 405).
  const methods = opts.noPatch ? { methods: ['find', 'get', 'create', 'update', 'remove'] } : {};
  app.use('customers', new MemoryService({ paginate, startId: 1 }), methods);
  app.use('contacts', new MemoryService({ paginate, startId: 1 }), methods);
  const server = await app.listen(0);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    name: 'Feathers 5 (memory)',
    url,
    wire: {
      customers: 'customers',
      contacts: 'contacts',
      name: 'companyName',
      email: 'email',
      lastName: 'lastName',
      company: 'customerId',
      reference: 'youtrackId',
    },
    profile: {
      name: 'feathers',
      ...NO_CAPABILITIES,
      paths: { customers: '/customers', contacts: '/contacts' },
      // Per-type maps: the same contract name has a different wire name per type.
      properties: {
        Customer: { Name: 'companyName', Description: 'notes', City: 'city', Email: 'generalEmail' },
        Contact: {
          FirstName: 'firstName',
          LastName: 'lastName',
          Email: 'email',
          Username: 'username',
          Active: 'active',
          CustomerId: 'customerId',
        },
      },
      listPath: 'data',
      paging: { style: 'offset', offsetParam: '$skip', limitParam: '$limit', totalPath: 'total' },
      listQuery: { '$sort[id]': '1' },
      updateMethod: 'PUT',
      filters: { email: 'email', externalRef: false },
      referenceProperty: 'youtrackId',
      naturalKey: { Contact: 'Username' },
    },
    all: async (c) =>
      (await app.service(c).find({ paginate: false, query: { $sort: { id: 1 } } })) as unknown as Row[],
    create: (c, body) => http<Row>('POST', `${url}/${c}`, body),
    patch: (c, id, body) => http<Row>('PATCH', `${url}/${c}/${id}`, body),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
