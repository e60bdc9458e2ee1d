import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionConfig } from '../../src/config/schema.ts';
import { YouTrackConnector } from '../../src/connectors/youtrack/index.ts';
import { createConnectionRuntime, type ConnectionRuntime } from '../../src/engine/runtime.ts';
import { startYouTrackEmulator, type YouTrackEmulator } from '../../src/emulators/youtrack/index.ts';
import { JsonLogger } from '../../src/log/logger.ts';
import type { CycleReport } from '../../src/engine/cycle.ts';
import { World, YT_TOKEN } from '../helpers/world.ts';

/**
 * Identity across API eras (issue 11): an instance synced while it is on the Hub-era API is
 * upgraded to 2026.1 (the emulator restarts on the same port with the same seed in `--api
 * 2026`, and Tandem restarts with it). Users and groups keep their Hub ids as YouTrack ringIds;
 * organizations lose theirs in YouTrack's API and are joined to the Hub era by their key. The
 * next sync must find every link: nothing created, deleted or written.
 */

function counts(r: CycleReport): { created: number; deleted: number; updated: number } {
  const out = { created: 0, deleted: 0, updated: 0 };
  for (const flow of Object.values(r.stats))
    for (const c of Object.values(flow)) {
      out.created += c.created;
      out.deleted += c.deleted;
      out.updated += c.updated;
    }
  return out;
}

describe.each(['restarts with it', 'keeps running'] as const)(
  'a Hub-era instance upgraded to 2026.1, Tandem %s',
  (tandem) => {
    let w: World;
    let linksBefore: Array<{ flow: string; ytId: string; crmId: string }>;

    beforeAll(async () => {
      // An empty CRM: the first sync writes only to Customcrm, so the YouTrack seed is the whole
      // YouTrack state and a restart with the same seed is the same instance.
      w = await World.start({ customcrm: { seed: 'empty' } });
      const first = await w.sync();
      expect(first.status).toBe('ok');
      expect(first.stats.groups.youtrack.created + first.stats.users.youtrack.created).toBe(0);
      expect((await w.sync()).writes).toBe(0);
      linksBefore = await links(w);
      expect(linksBefore.filter((l) => l.flow === 'organizations')).toHaveLength(3);

      const port = w.yt.port;
      await w.yt.close();
      const upgraded: YouTrackEmulator = await startYouTrackEmulator({
        seed: 'demo',
        token: YT_TOKEN,
        port,
        api: '2026',
      });
      (w as { yt: YouTrackEmulator }).yt = upgraded;
      if (tandem === 'keeps running') return;
      // Tandem restarts with the instance: the connector detects the API version afresh.
      const rt: ConnectionRuntime = createConnectionRuntime(w.config.connections[0] as ConnectionConfig, {
        logger: new JsonLogger(w.logs, 'debug'),
        metrics: w.metrics,
      });
      (w as { rt: ConnectionRuntime }).rt = rt;
    });
    afterAll(() => w.close());

    it('finds every link after the upgrade: 0 creates, 0 deletes, 0 writes', async () => {
      const full = await w.sync();
      // The mode the running connector switched to, not a fresh detection.
      expect(w.rt.youtrack).toBeInstanceOf(YouTrackConnector);
      expect((w.rt.youtrack as YouTrackConnector).mode).toBe('2026');
      expect(full.status).toBe('ok');
      expect(counts(full)).toEqual({ created: 0, deleted: 0, updated: 0 });
      expect(full.writes).toBe(0);
      expect(await links(w)).toEqual(linksBefore);

      const incremental = await w.sync({ kind: 'incremental' });
      expect(incremental.status).toBe('ok');
      expect(incremental.writes).toBe(0);
    });

    it('keeps syncing edits made through the 2026.1 API', async () => {
      const orgs = await w.ytApi<Array<{ id: string; key: string; name: string }>>(
        'GET',
        '/admin/organizations?fields=id,key,name',
      );
      const nord = orgs.find((o) => o.key === 'NORD')!;
      await w.ytApi('POST', `/admin/organizations/${nord.id}`, { description: 'Ferries and freight' });
      const r = await w.sync({ kind: 'incremental' });
      expect(r.status).toBe('ok');
      const link = linksBefore.find(
        (l) => l.flow === 'organizations' && l.ytId === w.yt.directory.organizationByName(nord.name)?.hubId,
      )!;
      const customer = await w.crmApi<{ Description: string | null }>('GET', `/customers/${link.crmId}`);
      expect(customer.Description).toBe('Ferries and freight');
    });
  },
);

async function links(w: World): Promise<Array<{ flow: string; ytId: string; crmId: string }>> {
  const out: Array<{ flow: string; ytId: string; crmId: string }> = [];
  for (const flow of ['organizations', 'groups', 'users'] as const) {
    const dir = w.yt.directory;
    const ids =
      flow === 'organizations'
        ? dir.organizations.all.map((o) => o.hubId)
        : flow === 'groups'
          ? dir.groups.all.map((g) => g.hubId)
          : dir.users.all.map((u) => u.hubId);
    const found = await w.store.findLinks({ flow, ytIds: ids });
    for (const l of found) out.push({ flow, ytId: l.ytId, crmId: l.crmId });
  }
  return out.sort((a, b) => `${a.flow}${a.ytId}`.localeCompare(`${b.flow}${b.ytId}`));
}
