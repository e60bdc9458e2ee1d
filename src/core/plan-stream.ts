import { keyRecords, matchCriterion, matchKey, type DuplicateReport } from './linking.ts';
import { createAction, duplicateAction, linkModes, planLinked, planMatched, usableCheck } from './planner.ts';
import type { FlowPlanInput, LinkState, PlanAction } from './plan-types.ts';
import type { RemoteRecord } from './types.ts';

/**
 * The plan of a large flow made batch by batch from complete reads: the Customcrm side whole, the
 * YouTrack side streamed, so the YouTrack records, their links and the plan are held one batch at
 * a time. Together, the batches, `vanished` and `finish` give the actions `planFlow` gives for the
 * whole flow (only their order differs). Pure, like the planner: state in memory, no I/O.
 *
 * Matching by the criterion is what needs the whole flow: a YouTrack record whose key matches a
 * free Customcrm record is held until the end, because a later batch may hold another YouTrack
 * record with the same key (then neither is linked, and both are created like any free record).
 */

export interface StreamPlanInput extends Omit<FlowPlanInput, 'youtrack' | 'links'> {
  /** Customcrm ids of every stored link of the flow, whatever its status: those are not free. */
  linkedCrm: ReadonlySet<string>;
}

interface YouTrackKey {
  /** The value as the first record holds it, for the duplicate report. */
  value: string;
  ids: string[];
}

export class StreamPlanner {
  private readonly input: FlowPlanInput;
  private readonly crmById: Map<string, RemoteRecord>;
  private readonly modes: ReturnType<typeof linkModes>;
  private readonly criterion: ReturnType<typeof matchCriterion>;
  /** Rejects of free Customcrm records, and their duplicate reports, given with `finish`. */
  private readonly opening: PlanAction[] = [];
  private readonly crmFree: RemoteRecord[];
  private readonly crmUnique = new Map<string, RemoteRecord>();
  private readonly crmDuplicates: DuplicateReport[] = [];
  private readonly seenYt = new Set<string>();
  private readonly ytKeys = new Map<string, YouTrackKey>();
  /** key → the one free YouTrack record with it so far, whose key matches a free Customcrm record. */
  private readonly held = new Map<string, RemoteRecord>();

  constructor(input: StreamPlanInput) {
    const { linkedCrm, ...rest } = input;
    this.input = { ...rest, youtrack: [], links: [] };
    this.crmById = new Map(input.customcrm.map((r) => [r.id, r]));
    this.modes = linkModes(this.input);
    const usable = usableCheck(this.input, (a) => this.opening.push(a));
    const { refs } = input;
    this.crmFree = input.customcrm.filter(
      (r) => !linkedCrm.has(r.id) && !(r.type === 'Customer' && refs.youtrackForCustomer(r.id)) && usable(r),
    );
    const criterion = this.modes.match ? matchCriterion(input.flow) : undefined;
    this.criterion = criterion;
    if (criterion) {
      const keyed = keyRecords(this.crmFree, 'customcrm', criterion.read.customcrm, criterion.code);
      for (const [k, r] of keyed.unique) this.crmUnique.set(k, r);
      this.crmDuplicates.push(...keyed.duplicates);
    }
  }

  /** One batch of YouTrack records (each id once per cycle) and every stored link of their ids. */
  batch(youtrack: readonly RemoteRecord[], links: readonly LinkState[]): PlanAction[] {
    const actions: PlanAction[] = [];
    const usable = usableCheck(this.input, (a) => actions.push(a));
    const ytById = new Map(youtrack.map((r) => [r.id, r]));
    for (const r of youtrack) this.seenYt.add(r.id);
    const linkedYt = new Set(links.map((l) => l.ytId));
    for (const link of links)
      actions.push(
        ...planLinked(this.input, link, ytById.get(link.ytId), this.crmById.get(link.crmId), usable),
      );
    for (const r of youtrack) if (!linkedYt.has(r.id) && usable(r)) this.free(r, actions);
    return actions;
  }

  /** After the last batch, for every stored link of the flow: the links whose YouTrack record was not read. */
  vanished(links: readonly LinkState[]): PlanAction[] {
    const never = () => false;
    return links.flatMap((l) =>
      this.seenYt.has(l.ytId) ? [] : planLinked(this.input, l, undefined, this.crmById.get(l.crmId), never),
    );
  }

  /** The rest, once every batch was given: held matches, duplicate reports, Customcrm-side creates. */
  finish(): PlanAction[] {
    const actions = [...this.opening];
    const duplicates = [...this.ytKeys.values()]
      .filter((k) => k.ids.length > 1)
      .map((k): DuplicateReport => ({ code: this.criterion!.code, system: 'youtrack', ...k }));
    actions.push(...[...duplicates, ...this.crmDuplicates].map(duplicateAction));
    const matched = new Set<string>();
    for (const [key, yt] of this.held) {
      const crm = this.crmUnique.get(key)!;
      matched.add(crm.id);
      actions.push(...planMatched(this.input, yt, crm));
    }
    if (this.modes.createIn.youtrack)
      for (const r of this.crmFree) if (!matched.has(r.id)) actions.push(createAction(this.input, r));
    return actions;
  }

  /** An unlinked, usable YouTrack record: created now, or held while its key may still match. */
  private free(r: RemoteRecord, actions: PlanAction[]): void {
    const create = (x: RemoteRecord) => {
      if (this.modes.createIn.customcrm) actions.push(createAction(this.input, x));
    };
    const raw = this.criterion?.read.youtrack(r);
    const key = matchKey(raw);
    if (key === undefined) return create(r);
    const seen = this.ytKeys.get(key);
    if (!seen) {
      this.ytKeys.set(key, { value: String(raw), ids: [r.id] });
      if (this.crmUnique.has(key)) this.held.set(key, r);
      else create(r);
      return;
    }
    seen.ids.push(r.id);
    const first = this.held.get(key);
    if (first) {
      this.held.delete(key);
      create(first);
    }
    create(r);
  }
}
