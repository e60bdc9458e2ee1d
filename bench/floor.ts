import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';

/**
 * The floor: a bare client with no Tandem code in it (only `node:http` and `node:crypto`), making
 * the requests a first sync cannot avoid: the same page reads (`$top=100`, Hub users at the same
 * offset as each YouTrack users page, Hub groups joined with YouTrack groups, Hub organizations),
 * the reads of an empty Customcrm, and one POST per record with an `Idempotency-Key` and its
 * `ExternalRefs`, 8 in flight on keep-alive sockets. Nothing is validated, mapped or stored: it
 * is what any implementation on these APIs pays, and Tandem's first sync is measured against it.
 */
const CONCURRENCY = 8;
const PAGE = 100;

export interface FloorOptions {
  youtrack: { url: string; token: string };
  customcrm: { url: string; token: string };
  /** Send batch creates (`POST .../batch`, up to this many records) instead of one POST per record. */
  batchSize?: number;
}

export interface FloorResult {
  created: number;
  calls: { youtrack: number; customcrm: number };
}

type Json = Record<string, unknown>;

class Bare {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  calls = 0;
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<unknown> {
    this.calls++;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        this.base + path,
        {
          method,
          agent: this.agent,
          headers: {
            accept: 'application/json',
            authorization: `Bearer ${this.token}`,
            ...(payload !== undefined
              ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
              : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if ((res.statusCode ?? 0) >= 300)
              return reject(
                new Error(`floor: ${method} ${path} answered ${res.statusCode}: ${text.slice(0, 200)}`),
              );
            resolve(text === '' ? undefined : JSON.parse(text));
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

const q = (params: Record<string, string | number>) =>
  '?' + new URLSearchParams(params as Record<string, string>);

async function inFlight<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

function chunked<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export async function runFloor(o: FloorOptions): Promise<FloorResult> {
  const yt = new Bare(o.youtrack.url, o.youtrack.token);
  const crm = new Bare(o.customcrm.url, o.customcrm.token);
  let created = 0;
  const customerOf = new Map<string, string>();
  try {
    const hubPages = async (path: string, key: string, fields: string): Promise<Json[]> => {
      const all: Json[] = [];
      for (let skip = 0; ; skip += PAGE) {
        const body = (await yt.send(
          'GET',
          path + q({ fields: `${key}(${fields}),total`, $top: PAGE, $skip: skip }),
        )) as Json;
        const items = (body[key] as Json[] | undefined) ?? [];
        all.push(...items);
        if (items.length < PAGE) return all;
      }
    };
    const crmList = async (path: string) => {
      for (let cursor: string | null = null; ;) {
        const body = (await crm.send(
          'GET',
          path + q({ limit: PAGE, ...(cursor ? { cursor } : {}) }),
        )) as Json;
        cursor = (body['nextCursor'] as string | null) ?? null;
        if (!cursor) return;
      }
    };
    type Item = { path: string; key: string; body: Json; ref: { System: string; Type: string; Id: string } };
    const post = async (items: Item[]) => {
      if (!o.batchSize) {
        await inFlight(items, async (it) => {
          const rec = (await crm.send(
            'POST',
            it.path,
            { ...it.body, ExternalRefs: [it.ref] },
            {
              'idempotency-key': randomUUID(),
            },
          )) as Json;
          created++;
          if (it.key) customerOf.set(it.key, String(rec['Id']));
        });
        return;
      }
      await inFlight(chunked(items, o.batchSize), async (batch) => {
        const res = (await crm.send('POST', `${batch[0]!.path}/batch/create`, {
          items: batch.map((it) => ({
            idempotencyKey: randomUUID(),
            record: { ...it.body, ExternalRefs: [it.ref] },
          })),
        })) as { results: Array<{ status: number; record?: Json }> };
        res.results.forEach((r, i) => {
          if (r.status >= 300 || !r.record) return;
          created++;
          if (batch[i]!.key) customerOf.set(batch[i]!.key, String(r.record['Id']));
        });
      });
    };

    const orgs = await hubPages('/hub/api/rest/organizations', 'organizations', 'id,name,description');
    const groups = (
      await hubPages(
        '/hub/api/rest/usergroups',
        'usergroups',
        'id,name,description,allUsers,registeredUsers,parent(id),project(id)',
      )
    ).filter((g) => !g['allUsers'] && !g['registeredUsers'] && !g['project']);
    for (let skip = 0; ; skip += PAGE) {
      const page = (await yt.send(
        'GET',
        '/api/groups' + q({ fields: 'id,ringId,name', $top: PAGE, $skip: skip }),
      )) as Json[];
      if (page.length < PAGE) break;
    }
    await crmList('/customers');
    await crmList('/contacts');
    const customer = (type: string) => (r: Json) => ({
      path: '/customers',
      key: String(r['id']),
      body: { Name: r['name'] ?? r['id'], Description: r['description'] ?? '' },
      ref: { System: 'YouTrack', Type: type, Id: String(r['id']) },
    });
    await post(orgs.map(customer('Organization')));
    await post(groups.map(customer('Group')));

    const hubUserFields =
      'id,login,name,banned,guest,profile(email(email)),groups(id,allUsers,registeredUsers,project(id)),organizations(id)';
    for (let skip = 0; ; skip += PAGE) {
      const people = (await yt.send(
        'GET',
        '/api/users' + q({ fields: 'id,login,fullName,email,ringId,guest,banned', $top: PAGE, $skip: skip }),
      )) as Json[];
      const hub = (await yt.send(
        'GET',
        '/hub/api/rest/users' + q({ fields: `users(${hubUserFields}),total`, $skip: skip, $top: PAGE }),
      )) as Json;
      const byId = new Map(((hub['users'] as Json[] | undefined) ?? []).map((u) => [String(u['id']), u]));
      const items: Item[] = [];
      for (const p of people) {
        if (p['guest']) continue;
        const h = byId.get(String(p['ringId'])) ?? {};
        const full = String(p['fullName'] ?? '').trim();
        const sp = full.indexOf(' ');
        const ids = [
          ...((h['organizations'] as Json[] | undefined) ?? []),
          ...((h['groups'] as Json[] | undefined) ?? []),
        ].map((g) => String(g['id']));
        const company = ids.map((id) => customerOf.get(id)).find((c) => c !== undefined);
        const email =
          (h['profile'] as { email?: { email?: string } } | undefined)?.email?.email ?? p['email'];
        items.push({
          path: '/contacts',
          key: '',
          body: {
            FirstName: sp < 0 ? '' : full.slice(0, sp),
            LastName: sp < 0 ? full : full.slice(sp + 1).trim(),
            ...(email ? { Email: email } : {}),
            Username: p['login'] ?? null,
            Active: p['banned'] !== true,
            ...(company ? { CustomerId: company } : {}),
          },
          ref: { System: 'YouTrack', Type: 'User', Id: String(p['ringId'] ?? p['id']) },
        });
      }
      await post(items);
      if (people.length < PAGE) break;
    }
    return { created, calls: { youtrack: yt.calls, customcrm: crm.calls } };
  } finally {
    yt.close();
    crm.close();
  }
}
