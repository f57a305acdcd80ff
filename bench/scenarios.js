// Benchmark scenarios, in the order `npm run bench` runs them. Each is
//   { name, title, baseline, runs, quickRuns, setup(ctx), skip?(ctx), corpusLabel(ctx), commands(ctx), checks(ctx, results) }:
// `setup` prepares the corpus once (before timing), `skip` returns a reason when the corpus is not
// available (the row then prints SKIP with it), `commands` lists what to time (the runner measures
// them all the same way, round-robin), `baseline` names the command the ratio column of the
// scenario's detail table divides by, and `checks` turns timings and reports into verdicts; a check
// with a `target` becomes a line of the summary table (see scenarios/common.js).
import { bundles } from './scenarios/bundles.js';
import { eslint } from './scenarios/eslint.js';
import { history, historyReal } from './scenarios/history.js';
import { historyShards } from './scenarios/shards.js';
import { bigMap, manyKeys } from './scenarios/memory.js';
import { staged, stagedReal } from './scenarios/staged.js';
import { worktree, worktreeManyFiles, worktreeReal } from './scenarios/worktree.js';

export const SCENARIOS = [worktree, worktreeReal, worktreeManyFiles, staged, stagedReal, history, historyShards, historyReal, bundles, manyKeys, bigMap, eslint];
