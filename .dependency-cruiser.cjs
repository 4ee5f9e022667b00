/**
 * Data flows one way: drivers → capture ← pipeline → inference → models; analysis is pure;
 * server and records sit on top; only the composition roots (daemon.ts, cli.ts, doctor.ts) see everything.
 * A backwards import fails CI.
 */
const layer = (name) => `^src/${name}/`;
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    { name: 'drivers-only-see-capture', comment: 'Drivers know nothing of models, pipeline or server', severity: 'error',
      from: { path: '^drivers/' }, to: { path: '^src/', pathNot: ['^src/capture/', '^src/util/', '^src/errors\\.ts$'] } },
    { name: 'src-never-imports-drivers', comment: 'Only the composition roots choose drivers', severity: 'error',
      from: { path: '^src/', pathNot: ['^src/daemon\\.ts$', '^src/cli\\.ts$', '^src/doctor\\.ts$'] }, to: { path: '^drivers/' } },
    { name: 'capture-is-the-bottom', severity: 'error', from: { path: layer('capture') }, to: { path: '^src/(pipeline|inference|analysis|models|records|sync|server|analyze)/' } },
    { name: 'analysis-is-pure', comment: 'Pure maths: no I/O layers, no runtime', severity: 'error',
      from: { path: layer('analysis') }, to: { path: '^src/(pipeline|inference|models|records|sync|server|analyze)/' } },
    { name: 'inference-below-pipeline', severity: 'error', from: { path: layer('inference') }, to: { path: '^src/(pipeline|analysis|records|sync|server|analyze)/' } },
    { name: 'models-below-inference', severity: 'error', from: { path: layer('models') }, to: { path: '^src/(pipeline|inference|analysis|records|sync|server|analyze)/' } },
    { name: 'pipeline-below-server', severity: 'error', from: { path: layer('pipeline') }, to: { path: '^src/(records|sync|server|analyze)/' } },
    { name: 'records-below-sync-and-server', severity: 'error', from: { path: layer('records') }, to: { path: '^src/(sync|server|pipeline|inference)/' } },
    { name: 'sync-below-server', severity: 'error', from: { path: layer('sync') }, to: { path: '^src/(server|pipeline|inference)/' } },
    { name: 'server-does-not-reach-roots', severity: 'error', from: { path: layer('server') }, to: { path: '^src/(daemon|cli|doctor)\\.ts$' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
