import { describe, expect, it } from 'vitest';
import { AimdConcurrency, ConcurrencyGate } from './concurrency.ts';

const ok = { status: 200, ms: 10 };

describe('AimdConcurrency (adaptive in-flight window)', () => {
  it('starts at the ceiling and never goes above it', () => {
    const a = new AimdConcurrency(8);
    expect(a.limit).toBe(8);
    for (let i = 0; i < 100; i++) a.observe(a.start(), ok);
    expect(a.limit).toBe(8);
  });

  it('halves on a 429 or 503, and cuts 30 % on a network failure or another 5xx', () => {
    const a = new AimdConcurrency(16);
    expect(a.observe(a.start(), { status: 429, ms: 5 })).toBe(true);
    expect(a.limit).toBe(8);
    expect(a.observe(a.start(), { status: 503, ms: 5 })).toBe(true);
    expect(a.limit).toBe(4);
    const b = new AimdConcurrency(10);
    expect(b.observe(b.start(), { ms: 5, failed: true })).toBe(true);
    expect(b.limit).toBe(7);
    const c = new AimdConcurrency(10);
    expect(c.observe(c.start(), { status: 502, ms: 5 })).toBe(true);
    expect(c.limit).toBe(7);
  });

  it('cuts once for one overload: answers to requests sent before the cut do not cut again', () => {
    const a = new AimdConcurrency(16);
    const inFlight = Array.from({ length: 10 }, () => a.start());
    const cuts = inFlight.map((t) => a.observe(t, { status: 429, ms: 5 }));
    expect(cuts.filter(Boolean)).toHaveLength(1);
    expect(a.limit).toBe(8);
    // A request sent after the cut that is refused again cuts again.
    expect(a.observe(a.start(), { status: 429, ms: 5 })).toBe(true);
    expect(a.limit).toBe(4);
    expect(a.cuts).toBe(2);
  });

  it('never goes below one request in flight', () => {
    const a = new AimdConcurrency(4);
    for (let i = 0; i < 20; i++) a.observe(a.start(), { status: 429, ms: 5 });
    expect(a.limit).toBe(1);
  });

  it('grows back by one request per window of good answers (additive increase)', () => {
    const a = new AimdConcurrency(8);
    a.observe(a.start(), { status: 429, ms: 5 });
    expect(a.limit).toBe(4);
    // About a window of good answers adds one (each adds 1 / window).
    for (let i = 0; i < 4; i++) a.observe(a.start(), ok);
    expect(a.limit).toBe(4);
    a.observe(a.start(), ok);
    expect(a.limit).toBe(5);
    for (let i = 0; i < 5; i++) a.observe(a.start(), ok);
    expect(a.limit).toBe(6);
  });

  it('cuts 20 % when latency rises to three times the best and 100 ms above it', () => {
    const a = new AimdConcurrency(10);
    for (let i = 0; i < 10; i++) a.observe(a.start(), { status: 200, ms: 20 });
    let cut = false;
    for (let i = 0; i < 20 && !cut; i++) cut = a.observe(a.start(), { status: 200, ms: 400 });
    expect(cut).toBe(true);
    expect(a.limit).toBe(8);
  });

  it('does not cut for latency that stays within three times the best', () => {
    const a = new AimdConcurrency(10);
    for (let i = 0; i < 10; i++) a.observe(a.start(), { status: 200, ms: 50 });
    for (let i = 0; i < 50; i++) expect(a.observe(a.start(), { status: 200, ms: 120 })).toBe(false);
    expect(a.limit).toBe(10);
  });

  it('refuses a ceiling that is not a whole number of at least 1', () => {
    expect(() => new AimdConcurrency(0)).toThrow(/maxInFlight/);
    expect(() => new AimdConcurrency(2.5)).toThrow(/maxInFlight/);
  });
});

describe('ConcurrencyGate', () => {
  it('lets at most the window in, in order, and the next in when one leaves', async () => {
    const g = new ConcurrencyGate(2);
    const order: number[] = [];
    const t1 = await g.enter();
    const t2 = await g.enter();
    const third = g.enter().then((t) => (order.push(3), t));
    const fourth = g.enter().then((t) => (order.push(4), t));
    await Promise.resolve();
    expect(g.active).toBe(2);
    expect(order).toEqual([]);
    g.leave(t1, ok);
    const t3 = await third;
    expect(order).toEqual([3]);
    g.leave(t2, ok);
    g.leave(t3, ok);
    g.leave(await fourth, ok);
    expect(order).toEqual([3, 4]);
    expect(g.active).toBe(0);
  });

  it('holds fewer in flight after a 429', async () => {
    const g = new ConcurrencyGate(4);
    const tickets = await Promise.all([g.enter(), g.enter(), g.enter(), g.enter()]);
    g.leave(tickets[0] ?? 0, { status: 429, ms: 1 });
    expect(g.limit).toBe(2);
    // Three are still in flight: a fifth must wait until only one is.
    let entered = false;
    const fifth = g.enter().then((t) => ((entered = true), t));
    g.leave(tickets[1] ?? 0, ok);
    await Promise.resolve();
    expect(entered).toBe(false);
    g.leave(tickets[2] ?? 0, ok);
    g.leave(await fifth, ok);
    expect(entered).toBe(true);
    g.leave(tickets[3] ?? 0, ok);
    expect(g.active).toBe(0);
  });

  it('keeps a fixed bound when not adaptive', () => {
    const g = new ConcurrencyGate(3, false);
    g.leave(0, { status: 429, ms: 1 });
    expect(g.limit).toBe(3);
    expect(g.aimd).toBeUndefined();
  });

  it('a waiter whose signal aborts leaves the queue', async () => {
    const g = new ConcurrencyGate(1);
    const t = await g.enter();
    const ac = new AbortController();
    const waiting = g.enter(ac.signal);
    ac.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    g.leave(t, ok);
    expect(g.active).toBe(0);
    const again = await g.enter();
    expect(g.active).toBe(1);
    g.leave(again, ok);
  });
});
