/**
 * The top of a V8 CPU profile (`node --cpu-prof`, or `BENCH_CPU_PROF=<dir> npm run bench:compare`, which profiles the
 * bare provider too): self time by function, and by package or source folder, as shares of the samples the process
 * spent working. Idle time (waiting for the next request), V8's `(program)` and the garbage collector are counted
 * apart: they swamp the top at low load and say nothing about where the broker's own code spends. What the
 * performance work reads first.
 *
 *   node test/bench/profile-top.ts <file.cpuprofile> [how many, default 25]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
const [file, count = '25'] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node test/bench/profile-top.ts <file.cpuprofile> [how many]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const hits = new Map<number, number>();
for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
/** V8's pseudo-frames: waiting, time it cannot attribute to a function, collecting garbage. */
const PSEUDO = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);
const pseudo = new Map<string, number>();
for (const [id, n] of hits) {
  const { functionName, url } = byId.get(id)!.callFrame;
  if (url || !PSEUDO.has(functionName)) continue;
  pseudo.set(functionName, (pseudo.get(functionName) ?? 0) + n);
  hits.delete(id);
}
const total = [...hits.values()].reduce((sum, n) => sum + n, 0);

/** node_modules/<package> for a dependency, src/<folder> for ours, the runtime's own otherwise. */
const where = (url: string) => {
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) return dependency[1]!;
  const ours = /\/(src|test)\/([^/]+)/.exec(url);
  if (ours) return `${ours[1]}/${ours[2]}`;
  return url.startsWith('node:') ? 'node internals' : url ? url : '(native)';
};
const functions = new Map<string, number>();
const places = new Map<string, number>();
for (const [id, n] of hits) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const name = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/(node_modules|src|test)\//, '$1/')}:${lineNumber + 1}` : ''}`;
  functions.set(name, (functions.get(name) ?? 0) + n);
  places.set(where(url), (places.get(where(url)) ?? 0) + n);
}
const top = (map: Map<string, number>, limit: number) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, n]) => `${((100 * n) / total).toFixed(1).padStart(5)} %  ${name}`)
    .join('\n');
process.stdout.write(
  `${profile.samples.length} samples, ${total} working; apart: ${[...pseudo].map(([name, n]) => `${name} ${n}`).join(', ')}\n\nself time by place\n${top(places, 15)}\n\nself time by function\n${top(functions, Number(count))}\n`,
);
