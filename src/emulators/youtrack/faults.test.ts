import { afterEach, describe, expect, it } from 'vitest';
import { startYouTrackEmulator, type YouTrackEmulator } from './index.ts';
import { call } from '../../../test/support/emulators/youtrack.ts';

const HUB = '/hub/api/rest';
let emu: YouTrackEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

describe('fault injection', () => {
  it('answers a share of API calls with 5xx, never the admin endpoint', async () => {
    emu = await startYouTrackEmulator({ faults: '5xx=0.5,seed=3' });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await call(emu, 'GET', '/api/users?$top=1')).status);
    const failed = statuses.filter((s) => s >= 500).length;
    expect(failed).toBeGreaterThan(5);
    expect(failed).toBeLessThan(35);
    expect(statuses.every((s) => s === 200 || [500, 502, 503].includes(s))).toBe(true);
    emu.faults.set('5xx=1');
    const admin = await fetch(`${emu.url}/_admin/faults`);
    expect(admin.status).toBe(200);
  });

  it('applies a call whose answer it truncates', async () => {
    emu = await startYouTrackEmulator({ faults: 'truncate=1' });
    const res = await fetch(`${emu.url}${HUB}/users?fields=id,login`, {
      method: 'POST',
      headers: { authorization: 'Bearer perm:demo', 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'half.answered' }),
    });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    expect(emu.directory.userByLogin('half.answered')).toBeDefined();
    expect(emu.directory.events.all.map((e) => e.type)).toEqual(['created']);

    const victim = emu.directory.userByLogin('half.answered');
    await expect(
      fetch(`${emu.url}${HUB}/users/${victim?.hubId}?successor=${emu.directory.admin.hubId}`, {
        method: 'DELETE',
        headers: { authorization: 'Bearer perm:demo' },
      }),
    ).rejects.toThrow();
    expect(emu.directory.userByLogin('half.answered')).toBeUndefined();
  });

  it('changes faults at run time through PUT /_admin/faults', async () => {
    emu = await startYouTrackEmulator({ faults: '429=1,retry-after=7' });
    const limited = await call(emu, 'GET', '/api/users');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    const put = await fetch(`${emu.url}/_admin/faults`, {
      method: 'PUT',
      body: JSON.stringify({ spec: 'none' }),
    });
    expect(((await put.json()) as { config: { rate429: number } }).config.rate429).toBe(0);
    expect((await call(emu, 'GET', '/api/users')).status).toBe(200);
    const bad = await fetch(`${emu.url}/_admin/faults`, {
      method: 'PUT',
      body: JSON.stringify({ spec: 'bogus=1' }),
    });
    expect(bad.status).toBe(400);
  });
});
