import { keyRecords, matchCriterion, matchKey, originRef, type DuplicateReport } from './linking.ts';
import {
  createAction,
  duplicateAction,
  linkModes,
  originIndex,
  planLinked,
  planMatched,
  usableCheck,
} from './planner.ts';
import type { FlowPlanInput, LinkState, PlanAction } from './plan-types.ts';
import type { RemoteRecord } from './types.ts';

/**
 * The plan of a large flow made batch by batch from complete reads: the Customcrm side whole, the
 * YouTrack side streamed, so the YouTrack records, their links and the plan are held one batch at
 * a time. Together, the batches, `vanished` and `finish` give the actions `planFlow` gives for the
 * whole flow (only their order differs). Pure, like the planner: state in memory, no I/O.
 *
 * Matching by the criterion needs the whole flow: a YouTrack record is linked to the free Customcrm
 * record with its key only if no other free YouTrack record has that key. So when some free
 * Customcrm record could match (`needsKeyCounts`), the YouTrack side is first counted, batch by
 * batch (`countKeys`), and the counts are handed to the planner that plans the batches.
 */

export interface StreamPlanInput extends Omit<FlowPlanInput, 'youtrack' | 'links'> {
  /** Customcrm ids of every stored link of the flow, whatever its status: those are not free. */
  linkedCrm: ReadonlySet<string>;
  /**
   * Linked Customcrm records held outside `customcrm` (packed: src/engine/packed-records.ts),
   * looked up by id as their pair is planned; `customcrm` then holds the free ones.
   */
  crmLinked?: CrmLookup;
}

/** Customcrm records by id. */
export interface CrmLookup {
  get(id: string): RemoteRecord | undefined;
}

export interface YouTrackKey {
  /** The value as the first record holds it, for the duplicate report. */
  value: string;
  ids: string[];
}

/** The free YouTrack records per key, from a first pass over every batch. */
export type KeyIndex = Map<string, YouTrackKey>;

export class StreamPlanner {
  private readonly input: FlowPlanInput;
  private readonly crmById: CrmLookup;
  private readonly modes: ReturnType<typeof linkModes>;
  private readonly criterion: ReturnType<typeof matchCriterion>;
  /** Rejects of free Customcrm records, given with `finish`. */
  private readonly opening: PlanAction[] = [];
  private readonly crmFree: RemoteRecord[];
  /** Free Customcrm records by the YouTrack id they name as their origin: relinked first. */
  private readonly byOrigin: Map<string, RemoteRecord>;
  private readonly crmUnique = new Map<string, RemoteRecord>();
  private readonly crmDuplicates: DuplicateReport[] = [];
  private readonly matchedCrm = new Set<string>();
  private readonly seenYt = new Set<string>();
  private readonly ytKeys: KeyIndex;
  /** Whether the keys come from a first pass (complete from the start) or are gathered batch by batch. */
  private readonly known: boolean;
  private reported = false;

  /** `keys`: from `countKeys` over every batch; required when `needsKeyCounts()`. */
  constructor(input: StreamPlanInput, keys?: KeyIndex) {
    this.ytKeys = keys ?? new Map();
    this.known = keys !== undefined;
    const { linkedCrm, crmLinked, ...rest } = input;
    this.input = { ...rest, youtrack: [], links: [] };
    const listed = new Map(input.customcrm.map((r) => [r.id, r]));
    this.crmById = crmLinked ? { get: (id) => listed.get(id) ?? crmLinked.get(id) } : listed;
    this.modes = linkModes(this.input);
    const usable = usableCheck(this.input, (a) => this.opening.push(a));
    const { refs } = input;
    this.crmFree = input.customcrm.filter(
      (r) => !linkedCrm.has(r.id) && !(r.type === 'Customer' && refs.youtrackForCustomer(r.id)) && usable(r),
    );
    this.byOrigin = originIndex(input.flow, this.crmFree);
    this.criterion = this.modes.match ? matchCriterion(input.flow) : undefined;
    if (this.criterion) {
      const { read, code } = this.criterion;
      const candidates = this.crmFree.filter((c) => !originRef(input.flow, c));
      const keyed = keyRecords(candidates, 'customcrm', read.customcrm, code);
      for (const [k, r] of keyed.unique) this.crmUnique.set(k, r);
      this.crmDuplicates.push(...keyed.duplicates);
    }
  }

  /** Whether a YouTrack record could be matched, so the batches need the counts of a first pass. */
  needsKeyCounts(): boolean {
    return this.crmUnique.size > 0;
  }

  /** First pass: indexes the free YouTrack records of a batch by key. */
  countKeys(youtrack: readonly RemoteRecord[], links: readonly LinkState[], keys: KeyIndex): void {
    const linkedYt = new Set(links.map((l) => l.ytId));
    const usable = usableCheck(this.input, () => undefined);
    for (const r of youtrack) if (!linkedYt.has(r.id) && usable(r)) this.index(r, keys);
  }

  private index(r: RemoteRecord, keys: KeyIndex): string | undefined {
    const raw = this.criterion?.read.youtrack(r);
    const key = matchKey(raw);
    if (key === undefined) return undefined;
    const seen = keys.get(key);
    if (seen) seen.ids.push(r.id);
    else keys.set(key, { value: String(raw), ids: [r.id] });
    return key;
  }

  /** The duplicate reports, once: up front when the keys are known, else at the end. */
  private reports(): PlanAction[] {
    if (this.reported) return [];
    this.reported = true;
    const code = this.criterion?.code ?? 'DUPLICATE_EMAIL';
    const duplicates = [...this.ytKeys.values()]
      .filter((k) => k.ids.length > 1)
      .map((k): DuplicateReport => ({ code, system: 'youtrack', ...k }));
    return [...duplicates, ...this.crmDuplicates].map((d) => duplicateAction(this.input.flow, d));
  }

  /** The actions of a batch's stored links alone: what the circuit breaker weighs. */
  linkedActions(youtrack: readonly RemoteRecord[], links: readonly LinkState[]): PlanAction[] {
    const ytById = new Map(youtrack.map((r) => [r.id, r]));
    for (const r of youtrack) this.seenYt.add(r.id);
    const usable = usableCheck(this.input, () => undefined);
    return links.flatMap((l) =>
      planLinked(this.input, l, ytById.get(l.ytId), this.crmById.get(l.crmId), usable),
    );
  }

  /** One batch of YouTrack records (each id once per cycle) and every stored link of their ids. */
  batch(youtrack: readonly RemoteRecord[], links: readonly LinkState[]): PlanAction[] {
    const actions: PlanAction[] = this.known ? this.reports() : [];
    const usable = usableCheck(this.input, (a) => actions.push(a));
    const ytById = new Map(youtrack.map((r) => [r.id, r]));
    for (const r of youtrack) this.seenYt.add(r.id);
    const linkedYt = new Set(links.map((l) => l.ytId));
    for (const link of links)
      actions.push(
        ...planLinked(this.input, link, ytById.get(link.ytId), this.crmById.get(link.crmId), usable),
      );
    // Matches before creates, as in the whole-flow plan: the same writes come first after a crash.
    const creates: PlanAction[] = [];
    for (const r of youtrack) if (!linkedYt.has(r.id) && usable(r)) this.free(r, actions, creates);
    return actions.concat(creates);
  }

  /** After the last batch, for every stored link of the flow: the links whose YouTrack record was not read. */
  vanished(links: readonly LinkState[]): PlanAction[] {
    const never = () => false;
    return links.flatMap((l) =>
      this.seenYt.has(l.ytId) ? [] : planLinked(this.input, l, undefined, this.crmById.get(l.crmId), never),
    );
  }

  /** The rest, once every batch was given: rejects, duplicate reports, Customcrm-side creates. */
  finish(): PlanAction[] {
    const actions = [...this.opening, ...this.reports()];
    if (this.modes.createIn.youtrack)
      for (const r of this.crmFree) if (!this.matchedCrm.has(r.id)) actions.push(createAction(this.input, r));
    return actions;
  }

  /** An unlinked, usable YouTrack record: linked to the one free Customcrm record with its key, or created. */
  private free(r: RemoteRecord, matches: PlanAction[], creates: PlanAction[]): void {
    const origin = this.byOrigin.get(r.id);
    if (origin && !this.matchedCrm.has(origin.id)) {
      if (!this.known) this.index(r, this.ytKeys);
      this.matchedCrm.add(origin.id);
      matches.push(...planMatched(this.input, r, origin));
      return;
    }
    const key = this.known ? matchKey(this.criterion?.read.youtrack(r)) : this.index(r, this.ytKeys);
    if (key !== undefined) {
      const crm = this.crmUnique.get(key);
      if (crm && this.known && this.ytKeys.get(key)?.ids.length === 1) {
        this.matchedCrm.add(crm.id);
        matches.push(...planMatched(this.input, r, crm));
        return;
      }
    }
    if (this.modes.createIn.customcrm) creates.push(createAction(this.input, r));
  }
}
