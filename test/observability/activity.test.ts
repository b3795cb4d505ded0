import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Activity } from '../../src/observability/activity.js';
import type { EngineEvent } from '../../src/observability/events.js';
import { FileTimelines, timelineFiles, timelineSteps } from '../../src/observability/file-timelines.js';
import { MinuteCounts } from '../../src/observability/minute-counts.js';
import { problemsKept } from '../../src/observability/recent-problems.js';

describe('MinuteCounts', () => {
  it('counts per minute over the last 60, moving on with the clock', () => {
    let now = 10 * 60_000;
    const counts = new MinuteCounts(() => now);
    counts.reconfigure(['p']);
    counts.count('p', 'processed');
    counts.count('p', 'processed');
    counts.count('p', 'failed');
    assert.equal(counts.read('p').processed.length, 60);
    assert.equal(counts.read('p').processed.at(-1), 2);
    now += 60_000;
    counts.count('p', 'processed');
    assert.deepEqual(counts.read('p').processed.slice(-2), [2, 1]);
    assert.deepEqual(counts.read('p').failed.slice(-2), [1, 0]);
    now += 59 * 60_000;
    assert.deepEqual(counts.read('p').processed.slice(0, 1), [1], 'the older minute has left the hour');
    now += 5 * 60 * 60_000;
    assert.ok(counts.read('p').processed.every((n) => n === 0));
    counts.count('gone', 'processed');
    assert.ok(counts.read('gone').processed.every((n) => n === 0), 'an unknown pipeline is not counted');
  });
});

describe('FileTimelines', () => {
  it('tells a file story step by step, bounded in steps per file and in files', () => {
    const t = new FileTimelines();
    t.add({ type: 'seen', pipeline: 'p', path: 'a', via: 'scan' });
    t.add({ type: 'queued', pipeline: 'p', path: 'a' });
    t.add({ type: 'stage', pipeline: 'p', path: 'a', stage: 'gzip', attempt: 1, durationMs: 3 });
    t.add({ type: 'committed', pipeline: 'p', path: 'a', output: '/o/a' });
    assert.deepEqual(t.of('p', 'a').map((s) => s.step), ['seen', 'settled', 'queued', 'stage', 'committed']);
    assert.equal(t.of('p', 'a')[3]!.durationMs, 3);
    for (let i = 0; i < timelineSteps + 10; i++) t.add({ type: 'seen', pipeline: 'p', path: 'a', via: 'event' });
    assert.equal(t.of('p', 'a').length, timelineSteps);
    for (let i = 0; i < timelineFiles; i++) t.add({ type: 'seen', pipeline: 'p', path: `f${i}`, via: 'scan' });
    assert.deepEqual(t.of('p', 'a'), [], 'the least recently touched file is forgotten first');
    assert.equal(t.of('p', `f${timelineFiles - 1}`).length, 1);
  });
});

describe('Activity', () => {
  it('keeps the last 50 warnings and errors newest first, counts outcomes, and says when something shown changed', () => {
    const activity = new Activity(['p']);
    let changes = 0;
    activity.onChange(() => (changes += 1));
    const feed = (e: EngineEvent) => {
      activity.listener(e);
      activity.eventProblems(e);
    };
    for (let i = 0; i < problemsKept + 5; i++) {
      feed({ type: 'failed', pipeline: 'p', path: `bad${i}`, stage: 'gzip', attempts: 1, code: 'E', message: `broke ${i}` });
    }
    feed({ type: 'warning', code: 'W', message: 'careful' });
    feed({ type: 'processed', pipeline: 'p', path: 'ok', outputs: ['/o/ok'], durationMs: 4 });
    const problems = activity.problems.newestFirst();
    assert.equal(problems.length, problemsKept);
    assert.deepEqual([problems[0]!.level, problems[0]!.code, problems[0]!.message], ['warn', 'W', 'careful']);
    assert.equal(problems[1]!.path, `bad${problemsKept + 4}`);
    assert.equal(activity.minutes.read('p').failed.at(-1), problemsKept + 5);
    assert.equal(activity.minutes.read('p').processed.at(-1), 1);
    assert.deepEqual(activity.outcomes.newestFirst()[0], { pipeline: 'p', path: 'ok', outcome: 'processed', at: activity.outcomes.newestFirst()[0]!.at, outputs: ['/o/ok'], durationMs: 4 });
    assert.ok(changes >= problemsKept + 6);
    activity.logLine('info', 'not a problem', {});
    activity.logLine('error', 'config reload refused', { code: 'CONFIG_INVALID' });
    assert.deepEqual([activity.problems.newestFirst()[0]!.message, activity.problems.newestFirst()[0]!.code], ['config reload refused', 'CONFIG_INVALID']);
    const before = activity.revisions.failures;
    activity.touch('failures');
    assert.equal(activity.revisions.failures, before + 1);
  });

  it('lists files waiting for their ready marker until a later step', () => {
    const activity = new Activity(['p']);
    activity.listener({ type: 'awaiting-marker', pipeline: 'p', path: 'x.pdf', marker: '/in/x.pdf.ready' });
    activity.listener({ type: 'seen', pipeline: 'p', path: 'x.pdf', via: 'rescan' });
    assert.deepEqual([...activity.markerWaits.values()].map((w) => w.path), ['x.pdf']);
    activity.listener({ type: 'queued', pipeline: 'p', path: 'x.pdf' });
    assert.deepEqual([...activity.markerWaits.values()], []);
  });
});
