/**
 * The short fuzz campaign run by `npm test`: every entry point (test/fuzz/targets.ts) for a fixed
 * number of seeded inputs, about a minute in all on a 2-core machine. Input `i` of an entry
 * depends only on (entry, SEED, i), so a failure is reproduced with
 *   npm run fuzz -- --entry <entry> --seed <SEED> --start <i> --iterations 1
 * If the machine is slower than planned, an entry stops at its time cap and says how many inputs
 * it ran (the same first inputs, so still reproducible). The long campaigns are `npm run fuzz`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCampaign } from '../../fuzz/campaign';
import { TARGETS } from '../../fuzz/targets';

const SEED = 20241124;

/** Inputs per entry and the most seconds it may take (about 60 s in all). */
const PLAN: Record<string, { iterations: number; seconds: number }> = {
  capture: { iterations: 16000, seconds: 5 },
  net: { iterations: 10000, seconds: 6 },
  trace: { iterations: 5000, seconds: 8 },
  log: { iterations: 2500, seconds: 7 },
  sip: { iterations: 3000, seconds: 7 },
  writer: { iterations: 4000, seconds: 6 },
  register: { iterations: 2500, seconds: 6 },
  tcp: { iterations: 20000, seconds: 4 },
  fragments: { iterations: 6000, seconds: 4 },
};

test('every fuzz entry has a plan', () => {
  assert.deepEqual(TARGETS.map((t) => t.name).sort(), Object.keys(PLAN).sort());
});

for (const target of TARGETS) {
  const plan = PLAN[target.name];
  if (!plan) continue;
  test(`fuzz ${target.name}: ${target.description}`, (t) => {
    const r = runCampaign(target, { seed: SEED, iterations: plan.iterations, seconds: plan.seconds, maxSignatures: 5 });
    t.diagnostic(`${target.name}: ${r.iterations} inputs in ${Math.round(r.ms)} ms (slowest ${Math.round(r.slowestMs)} ms), seed ${SEED}`);
    const report = r.failures.map((f) => [
      `${f.kind} at input ${f.index}: ${f.message.slice(0, 1500)}`,
      `  reproduce: npm run fuzz -- --entry ${f.target} --seed ${f.seed} --start ${f.index} --iterations 1`,
    ].join('\n'));
    assert.deepEqual(report, [], `fuzz ${target.name} found:\n${report.join('\n\n')}`);
    assert.ok(r.iterations >= Math.min(plan.iterations, 100), `only ${r.iterations} inputs ran in ${plan.seconds} s`);
  });
}
