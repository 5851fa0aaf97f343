// The peer of bench/executor/compare.py: aws-local-stepfunctions running a workload the way `stepfn run --inputs`
// does, in one process. ONE StateMachine is created from the definition, then each line of the inputs file is run
// in turn (`await stateMachine.run(input).result`) and its result is written as one line,
// {"status":"SUCCEEDED","output":...} or {"status":"FAILED","error":...,"cause":...}.
//
// node bench/executor/peer.mjs DEFINITION.asl.json INPUTS.jsonl
//
// The package is imported from .tools/bench-node (compare.py installs it there), or from wherever
// STEPFN_BENCH_PEER points (a path to the package's directory).

import { createReadStream, readFileSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [definitionPath, inputsPath] = process.argv.slice(2);
if (!definitionPath || !inputsPath) {
  console.error('usage: node peer.mjs DEFINITION.asl.json INPUTS.jsonl');
  process.exit(2);
}

const here = dirname(fileURLToPath(import.meta.url));
const packageDir =
  process.env.STEPFN_BENCH_PEER ?? join(here, '..', '..', '.tools', 'bench-node', 'node_modules', 'aws-local-stepfunctions');
const { StateMachine } = await import(pathToFileURL(resolve(packageDir, 'build', 'main.node.esm.js')).href);

const definition = JSON.parse(readFileSync(definitionPath, 'utf8'));
// The workloads have no Task state, so the default validation (JSONPaths and ARNs) passes as is.
const stateMachine = new StateMachine(definition);

// Results are written in chunks, synchronously, so that stdout to a file or a pipe keeps up.
let pending = [];
let pendingBytes = 0;
const flush = () => {
  if (pending.length > 0) {
    writeSync(1, pending.join(''));
    pending = [];
    pendingBytes = 0;
  }
};
const write = (line) => {
  pending.push(line, '\n');
  pendingBytes += line.length + 1;
  if (pendingBytes >= 1 << 20) flush();
};

const lines = createInterface({ input: createReadStream(inputsPath), crlfDelay: Infinity });
for await (const line of lines) {
  if (line.trim() === '') continue;
  const input = JSON.parse(line);
  try {
    const output = await stateMachine.run(input).result;
    write(JSON.stringify({ status: 'SUCCEEDED', output }));
  } catch (error) {
    write(JSON.stringify({ status: 'FAILED', error: error?.name ?? 'Error', cause: error?.message ?? String(error) }));
  }
}
flush();
