import { describe, expect, it } from 'vitest';
import { defaultPolicy, type PlanAction } from './planner.ts';
import { contact, crmRecord, fixedRefs, World, ytRecord, ytUser } from '../../test/support/core/world.ts';

const kinds = (actions: PlanAction[]) => actions.map((a) => a.kind);
const updates = (actions: PlanAction[]) => actions.filter((a) => a.kind === 'update');

/** A linked user/contact pair, already in sync. */
function syncedUsers(refs = fixedRefs([])) {
  const w = new World('users', refs).add(ytUser('u1'), contact('c1', { Email: 'u1@example.com' }));
  w.apply(w.plan());
  expect(w.plan().actions).toEqual([]);
  return w;
}

describe('planFlow: linking and creating', () => {
  it('links users to contacts by e-mail, reports duplicates and creates the rest', () => {
    const w = new World('users').add(
      ytUser('u1', { email: 'ADA@example.com ' }),
      ytUser('u2', { email: 'dup@example.com' }),
      ytUser('u3', { email: 'dup@example.com' }),
      contact('c1', { Email: 'ada@example.com', Active: true }),
      contact('c9', { Email: 'solo@example.com' }),
    );
    const plan = w.plan();
    expect(plan.actions.find((a) => a.kind === 'link')).toMatchObject({ ytId: 'u1', crmId: 'c1', base: {} });
    expect(plan.actions.find((a) => a.kind === 'review')).toMatchObject({
      code: 'DUPLICATE_EMAIL',
      key: 'email:youtrack:dup@example.com',
      records: [
        { system: 'youtrack', id: 'u2' },
        { system: 'youtrack', id: 'u3' },
      ],
    });
    const created = plan.actions.filter((a) => a.kind === 'create');
    expect(created.map((a) => a.sourceId)).toEqual(['u2', 'u3']);
    expect(created[0]).toMatchObject({
      target: 'customcrm',
      type: 'Contact',
      props: {
        FirstName: 'Ada',
        LastName: 'Lovelace',
        Email: 'dup@example.com',
        Username: 'u2',
        Active: true,
      },
    });
    // The contact c9 has no YouTrack user and users are not created in YouTrack by default.
    expect(plan.counts.youtrack.creates).toBe(0);
    expect(
      w
        .apply(plan)
        .plan()
        .actions.filter((a) => a.kind !== 'review'),
    ).toEqual([]);
  });

  it('creates in YouTrack only when the policy says so, and merge-only never creates', () => {
    const w = new World('users').add(contact('c1', { Username: 'ada', Active: false }));
    expect(w.plan().actions).toEqual([]);
    w.policy = { ...defaultPolicy('users'), toYouTrack: 'create' };
    const [create] = w.plan().actions;
    expect(create).toMatchObject({
      kind: 'create',
      target: 'youtrack',
      type: 'User',
      props: { fullName: 'Ada Lovelace', email: 'c1@example.com', login: 'ada', banned: true },
    });
    w.policy = { ...defaultPolicy('users'), toCustomcrm: 'merge-only' };
    expect(w.add(ytUser('u1')).plan().actions).toEqual([]);
  });

  it('creates a YouTrack group for a new Customer but leaves Customers that belong to organizations', () => {
    const refs = fixedRefs([{ customerId: 'C-org', type: 'Organization', id: 'o1' }]);
    const w = new World('groups', refs).add(
      crmRecord('Customer', 'C-new', { Name: 'Support', Description: 'Tier 1' }),
      crmRecord('Customer', 'C-org', { Name: 'Nordlys' }),
      ytRecord('Group', 'g-all', { name: 'All Users', kind: 'allUsers', description: '' }),
    );
    const plan = w.plan();
    expect(plan.actions).toEqual([
      expect.objectContaining({
        kind: 'create',
        target: 'youtrack',
        type: 'Group',
        props: { name: 'Support', description: 'Tier 1' },
      }),
    ]);
    w.policy = {
      ...w.policy,
      includeGroups: { allUsers: true, registeredUsers: false, projectTeams: false },
    };
    expect(w.plan().counts.customcrm.creates).toBe(1);
  });

  it('links organizations by name only when merging by name is on', () => {
    const w = new World('organizations').add(
      ytRecord('Organization', 'o1', { name: 'Nordlys Shipping AS', description: 'Ferries' }),
      crmRecord('Customer', 'c1', { Name: 'nordlys  shipping as', City: 'Bergen' }),
    );
    expect(kinds(w.plan().actions)).toEqual(['create']);
    w.policy = { ...w.policy, mergeByName: true };
    const plan = w.plan();
    expect(kinds(plan.actions)).toEqual(['link', 'update', 'conflict', 'setBase']);
    // The unmapped City is never touched; the name goes by priority (YouTrack) on a first link.
    expect(updates(plan.actions)).toEqual([
      expect.objectContaining({
        target: 'customcrm',
        patch: { Name: 'Nordlys Shipping AS', Description: 'Ferries' },
      }),
    ]);
  });
});

describe('planFlow: edits', () => {
  it('copies an edit of every default user row, both ways, and converges', () => {
    const refs = fixedRefs([
      { customerId: 'C1', type: 'Organization', id: 'o1' },
      { customerId: 'C2', type: 'Group', id: 'g2' },
    ]);
    const w = syncedUsers(refs);
    w.add({
      ...w.yt.get('u1')!,
      props: {
        ...w.yt.get('u1')!.props,
        fullName: 'Ada King',
        banned: true,
        organizations: ['o1'],
        login: 'ada.k',
      },
    });
    let plan = w.plan();
    expect(updates(plan.actions)).toEqual([
      expect.objectContaining({
        target: 'customcrm',
        id: 'c1',
        patch: { LastName: 'King', Username: 'ada.k', Active: false, CustomerId: 'C1' },
      }),
    ]);
    w.apply(plan);
    expect(w.plan().actions).toEqual([]);

    w.add({
      ...w.crm.get('c1')!,
      props: {
        ...w.crm.get('c1')!.props,
        FirstName: 'Augusta Ada',
        Email: 'ada@king.example',
        Active: true,
        CustomerId: 'C2',
      },
    });
    plan = w.plan();
    expect(updates(plan.actions)).toEqual([
      expect.objectContaining({
        target: 'youtrack',
        id: 'u1',
        patch: {
          fullName: 'Augusta Ada King',
          email: 'ada@king.example',
          banned: false,
          organizations: [],
          groups: ['g2'],
        },
        changes: expect.arrayContaining([{ row: 'company', from: 'C1', to: 'C2' }]),
      }),
    ]);
    expect(w.apply(plan).plan().actions).toEqual([]);
  });

  it('leaves a Customcrm edit of the login alone', () => {
    const w = syncedUsers();
    w.add({ ...w.crm.get('c1')!, props: { ...w.crm.get('c1')!.props, Username: 'someone-else' } });
    expect(w.plan().actions).toEqual([]);
  });

  it('keeps concurrent edits of different rows from both sides', () => {
    const w = syncedUsers();
    w.add({ ...w.yt.get('u1')!, props: { ...w.yt.get('u1')!.props, fullName: 'Ada Byron' } });
    w.add({
      ...w.crm.get('c1')!,
      props: { ...w.crm.get('c1')!.props, Email: 'ada@byron.example' },
      version: 'v7',
    });
    const plan = w.plan();
    expect(updates(plan.actions)).toEqual([
      expect.objectContaining({ target: 'customcrm', patch: { LastName: 'Byron' }, ifMatch: 'v7' }),
      expect.objectContaining({ target: 'youtrack', patch: { email: 'ada@byron.example' } }),
    ]);
    expect(plan.actions.some((a) => a.kind === 'conflict')).toBe(false);
  });

  it('on the same row lets the newer edit win, else the priority, and records a conflict', () => {
    const w = syncedUsers();
    w.add({ ...w.yt.get('u1')!, props: { ...w.yt.get('u1')!.props, email: 'yt@example.com' } });
    w.add({
      ...w.crm.get('c1')!,
      props: { ...w.crm.get('c1')!.props, Email: 'crm@example.com' },
      updatedAt: '2025-03-01T12:00:00Z',
    });
    const newerCrm = w.plan({ youtrackChangedAt: { u1: '2025-03-01T11:00:00Z' } });
    expect(newerCrm.actions).toContainEqual(
      expect.objectContaining({
        kind: 'conflict',
        row: 'email',
        winner: 'customcrm',
        winnerValue: 'crm@example.com',
        loser: 'youtrack',
        loserValue: 'yt@example.com',
      }),
    );
    expect(newerCrm.counts.youtrack).toMatchObject({ updates: 1, conflicts: 1 });
    const tie = w.plan({ youtrackChangedAt: { u1: '2025-03-01T12:00:00Z' } });
    expect(tie.actions).toContainEqual(expect.objectContaining({ kind: 'conflict', winner: 'youtrack' }));
    expect(updates(tie.actions)).toEqual([
      expect.objectContaining({ target: 'customcrm', patch: { Email: 'yt@example.com' } }),
    ]);
  });

  it('does not let an empty value overwrite one that was never synced, but copies an explicit clear', () => {
    const w = new World('organizations', fixedRefs([]), {
      ...defaultPolicy('organizations'),
      mergeByName: true,
    }).add(
      ytRecord('Organization', 'o1', { name: 'Zel', description: '' }),
      crmRecord('Customer', 'c1', { Name: 'Zel', Description: 'Prototyping, Brno' }),
    );
    const first = w.plan();
    expect(updates(first.actions)).toEqual([
      expect.objectContaining({ target: 'youtrack', patch: { description: 'Prototyping, Brno' } }),
    ]);
    w.apply(first);
    w.add({ ...w.crm.get('c1')!, props: { Name: 'Zel', Description: null } });
    expect(updates(w.plan().actions)).toEqual([
      expect.objectContaining({ target: 'youtrack', patch: { description: null } }),
    ]);
  });

  it('passes right-to-left text, emoji and HTML-looking text as they are', () => {
    const w = syncedUsers();
    const name = 'שלום <b>Ada</b> 👩‍💻';
    w.add({ ...w.yt.get('u1')!, props: { ...w.yt.get('u1')!.props, fullName: name } });
    expect(updates(w.plan().actions)[0]).toMatchObject({
      patch: { FirstName: 'שלום', LastName: '<b>Ada</b> 👩‍💻' },
    });
  });
});

describe('planFlow: rejects', () => {
  it('rejects a record that would break Customcrm validation and syncs the others', () => {
    const w = new World('users').add(
      ytUser('bad-mail', { email: 'not an e-mail' }),
      ytUser('long', { fullName: `${'x'.repeat(101)} Y` }),
      ytUser('ctrl', { fullName: 'Ada\u0007 Lovelace' }),
      ytUser('type', { banned: 'yes' }),
      ytUser('fine'),
    );
    const plan = w.plan();
    const rejects = plan.actions.filter((a) => a.kind === 'reject');
    expect(rejects.map((r) => [r.id, r.code, r.property])).toEqual([
      ['type', 'WRONG_TYPE', 'banned'],
      ['bad-mail', 'INVALID_EMAIL', 'email'],
      ['long', 'TOO_LONG', 'fullName'],
      ['ctrl', 'INVALID_CHARACTERS', 'fullName'],
    ]);
    expect(rejects[1]).toMatchObject({
      reason: expect.stringMatching(/not a valid e-mail address.*Correct it in YouTrack/),
    });
    expect(plan.actions.filter((a) => a.kind === 'create').map((a) => a.sourceId)).toEqual(['fine']);
    expect(plan.counts.youtrack.rejects).toBe(4);
  });

  it('rejects clearing a required name and skips quarantined records', () => {
    const w = new World('groups').add(ytRecord('Group', 'g1', { name: 'Support', description: '' }));
    w.apply(w.plan());
    const crmId = w.links[0]!.crmId;
    w.add(crmRecord('Customer', crmId, { Name: '', Description: '' }));
    expect(w.plan().actions).toEqual([
      expect.objectContaining({
        kind: 'reject',
        system: 'customcrm',
        id: crmId,
        code: 'REQUIRED',
        property: 'Name',
      }),
    ]);
    expect(w.plan({ quarantined: new Set([`customcrm:${crmId}`]) }).actions).toEqual([]);
  });
});

describe('planFlow: deletes', () => {
  const withLink = (deletes: 'keep' | 'deactivate' | 'propagate') => {
    const w = syncedUsers();
    w.policy = { ...w.policy, deletes };
    w.yt.delete('u1');
    return w;
  };

  it('keeps the counterpart and marks the link by default', () => {
    const w = withLink('keep');
    expect(w.plan().actions).toEqual([
      { kind: 'markDeleted', linkId: w.links[0]!.id, side: 'youtrack', recordId: w.links[0]!.ytId },
    ]);
  });

  it('never infers a delete from an incomplete read', () => {
    expect(withLink('propagate').plan({ youtrackComplete: false }).actions).toEqual([]);
  });

  it('deactivates the contact or deletes it, as configured', () => {
    const d = withLink('deactivate').plan().actions;
    expect(kinds(d)).toEqual(['deactivate', 'markDeleted']);
    const w = withLink('propagate');
    w.policy = { ...w.policy, approveDeletes: false };
    const p = w.plan();
    expect(p.actions[0]).toMatchObject({ kind: 'delete', target: 'customcrm', type: 'Contact', id: 'c1' });
    expect(p.counts.customcrm.deletes).toBe(1);
    w.apply(p);
    expect(w.links[0]!.status).toBe('both-deleted');
    expect(w.plan().actions).toEqual([]);
  });

  it('propagate: the delete waits in review until a person approves or rejects it', () => {
    const w = withLink('propagate');
    const linkId = w.links[0]!.id;
    const pending = w.plan();
    expect(kinds(pending.actions)).toEqual(['review']);
    expect(pending.actions[0]).toMatchObject({
      code: 'DELETE_PENDING',
      key: `delete:${linkId}`,
      records: [
        { system: 'youtrack', id: 'u1' },
        { system: 'customcrm', type: 'Contact', id: 'c1' },
      ],
    });
    expect(pending.counts.customcrm.deletes).toBe(0);
    const decide = (action: 'approve' | 'reject') =>
      w.plan({ decisions: [{ itemId: 7, key: `delete:${linkId}`, action }] }).actions;
    expect(decide('approve')).toEqual([
      { kind: 'delete', target: 'customcrm', type: 'Contact', id: 'c1', linkId },
      { kind: 'markDeleted', linkId, side: 'youtrack', recordId: 'u1' },
      { kind: 'markDeleted', linkId, side: 'customcrm', recordId: 'c1' },
      { kind: 'decided', itemId: 7, action: 'approve' },
    ]);
    expect(decide('reject')).toEqual([
      { kind: 'markDeleted', linkId, side: 'youtrack', recordId: 'u1' },
      { kind: 'decided', itemId: 7, action: 'reject' },
    ]);
  });

  it('marks a link whose Customcrm record vanished and does not recreate it', () => {
    const w = syncedUsers();
    w.crm.delete('c1');
    const plan = w.plan();
    expect(plan.actions).toEqual([
      { kind: 'markDeleted', linkId: w.links[0]!.id, side: 'customcrm', recordId: w.links[0]!.crmId },
    ]);
    expect(w.apply(plan).plan().actions).toEqual([]);
  });
});

describe('planFlow: company references', () => {
  const refs = fixedRefs([
    { customerId: 'C1', type: 'Organization', id: 'o1' },
    { customerId: 'C2', type: 'Organization', id: 'o2' },
  ]);

  it('reports a company that YouTrack cannot express and writes nothing for it', () => {
    const w = syncedUsers(refs);
    w.add({ ...w.crm.get('c1')!, props: { ...w.crm.get('c1')!.props, CustomerId: 'C404' } });
    expect(w.plan().actions).toEqual([
      expect.objectContaining({ kind: 'report', code: 'UNRESOLVED_REFERENCE', ids: ['c1'] }),
    ]);
    w.add({ ...w.yt.get('u1')!, props: { ...w.yt.get('u1')!.props, organizations: ['o1', 'o2'] } });
    w.apply(w.plan());
    w.add({ ...w.crm.get('c1')!, props: { ...w.crm.get('c1')!.props, CustomerId: null } });
    expect(writesOf(w.plan().actions)).toEqual([]);
    expect(w.plan().actions).toContainEqual(
      expect.objectContaining({ kind: 'report', code: 'AMBIGUOUS_COMPANY' }),
    );
  });
});

function writesOf(actions: PlanAction[]) {
  return actions.filter((a) => a.kind === 'update' || a.kind === 'setBase');
}

describe('planFlow: group filter', () => {
  it('never treats a linked group that the filter now leaves out as deleted', () => {
    const all = { allUsers: true, registeredUsers: true, projectTeams: true };
    const w = new World('groups', fixedRefs([]), {
      ...defaultPolicy('groups'),
      includeGroups: all,
      deletes: 'propagate',
    });
    w.add(ytRecord('Group', 'team', { name: 'Alpha Team', description: '', kind: 'projectTeam' }));
    w.apply(w.plan());
    expect(w.links).toHaveLength(1);
    w.policy = defaultPolicy('groups');
    w.add({ ...w.yt.get('team')!, props: { name: 'Renamed', description: '', kind: 'projectTeam' } });
    expect(w.plan().actions).toEqual([]);
  });
});
