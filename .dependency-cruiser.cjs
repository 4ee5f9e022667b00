/**
 * The parts and their one-way flow (README "How it is built"):
 *   drivers → capture ← pipeline → inference → models; analysis is pure; records → sync; server on top;
 *   protocol is the contract the server and the web UI share (no Node, nothing above it);
 *   src/app/ is the composition root: the only part that sees every other one (drivers through
 *   drivers/index.ts), with src/cli.ts, the thin entry that dispatches to its commands.
 * Outside src/: the web UI sees only the protocol and the pure analysis modules; bench/ and test/ share the
 * evaluation kit in eval/, and nothing imports bench/. A backwards import fails CI.
 */
const layer = (name) => `^src/${name}/`;
const below = (...names) => `^src/(${names.join('|')})/`;
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    { name: 'drivers-only-see-capture', comment: 'Drivers know nothing of models, pipeline or server', severity: 'error',
      from: { path: '^drivers/' }, to: { path: '^src/', pathNot: ['^src/capture/', '^src/util/', '^src/errors\\.ts$'] } },
    { name: 'src-never-imports-drivers', comment: 'Only the composition root chooses drivers', severity: 'error',
      from: { path: '^src/', pathNot: ['^src/app/'] }, to: { path: '^drivers/' } },
    { name: 'only-the-entry-sees-the-root', comment: 'src/app/ wires everything; nothing in src/ but the CLI entry imports it', severity: 'error',
      from: { path: '^src/', pathNot: ['^src/app/', '^src/cli\\.ts$'] }, to: { path: layer('app') } },
    { name: 'cli-entry-is-thin', comment: 'src/cli.ts only dispatches to src/app/commands/', severity: 'error',
      from: { path: '^src/cli\\.ts$' }, to: { path: '^(src|drivers)/', pathNot: ['^src/app/commands/'] } },
    { name: 'capture-is-the-bottom', severity: 'error', from: { path: layer('capture') }, to: { path: below('pipeline', 'inference', 'analysis', 'models', 'records', 'sync', 'server', 'app') } },
    { name: 'analysis-is-pure', comment: 'Pure maths: no I/O layers, no runtime', severity: 'error',
      from: { path: layer('analysis') }, to: { path: below('pipeline', 'inference', 'models', 'records', 'sync', 'server', 'app') } },
    { name: 'inference-below-pipeline', severity: 'error', from: { path: layer('inference') }, to: { path: below('pipeline', 'analysis', 'records', 'sync', 'server', 'app') } },
    { name: 'models-below-inference', severity: 'error', from: { path: layer('models') }, to: { path: below('pipeline', 'inference', 'analysis', 'records', 'sync', 'server', 'app') } },
    { name: 'pipeline-below-server', comment: 'The pipeline is task- and storage-agnostic: no records, no server', severity: 'error',
      from: { path: layer('pipeline') }, to: { path: below('records', 'sync', 'server', 'app') } },
    { name: 'pipeline-knows-no-task', comment: 'A task\'s own module (its context, its result) is reached through analysis/task.ts only', severity: 'error',
      from: { path: layer('pipeline') }, to: { path: '^src/analysis/', pathNot: ['^src/analysis/(task|tasks|signal)\\.ts$'] } },
    { name: 'records-below-sync-and-server', severity: 'error', from: { path: layer('records') }, to: { path: below('sync', 'server', 'pipeline', 'inference', 'app') } },
    { name: 'sync-below-server', severity: 'error', from: { path: layer('sync') }, to: { path: below('server', 'pipeline', 'inference', 'app') } },
    { name: 'protocol-is-a-contract', comment: 'Shared with the browser: no runtime layer (a type it re-exports is erased from the bundle)', severity: 'error',
      from: { path: layer('protocol') }, to: { path: '^src/', pathNot: ['^src/protocol/', '^src/analysis/', '^src/errors\\.ts$'], dependencyTypesNot: ['type-only'] } },
    { name: 'protocol-has-no-node', severity: 'error', from: { path: layer('protocol') }, to: { dependencyTypes: ['core'] } },
    { name: 'ui-sees-protocol-and-pure-analysis', comment: 'The web UI imports only the shared contract and the pure maths it shares', severity: 'error',
      from: { path: '^web-ui/src/' }, to: { path: '^(src|drivers|bench|eval|test)/', pathNot: ['^src/protocol/', '^src/analysis/'] } },
    { name: 'ui-has-no-node', severity: 'error', from: { path: '^web-ui/src/' }, to: { dependencyTypes: ['core'] } },
    { name: 'nothing-imports-bench', comment: 'Shared evaluation helpers live in eval/', severity: 'error',
      from: { pathNot: '^bench/' }, to: { path: '^bench/' } },
    { name: 'eval-is-a-library', comment: 'eval/ (metrics, dataset readers) sees drivers and pure src modules, not the runtime root', severity: 'error',
      from: { path: '^eval/' }, to: { path: '^(bench|test)/|^src/app/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
