/**
 * ARCHITECTURE.md's import table as code: `npm run check:layers` (part of `npm test`) fails when
 * a file imports outside what its folder may import. Keep this table and the document's in step.
 */

/** folder → the src folders its files may import besides their own. */
const MAY_IMPORT = {
  'src/errors': [],
  'src/config': [],
  'src/domain': ['src/errors'],
  'src/transport': ['src/domain', 'src/errors'],
  'src/metrics': ['src/domain', 'src/errors', 'src/transport'],
  'src/adapters/vector/lance': ['src/domain', 'src/errors'],
  'src/adapters/vector/milvus': ['src/domain', 'src/errors'],
  'src/adapters/vector/memory': ['src/domain', 'src/errors'],
  'src/adapters/snapshot': ['src/domain', 'src/errors'],
  'src/adapters/registry': ['src/domain', 'src/errors'],
  'src/providers/transformers': ['src/domain', 'src/errors'],
  'src/providers/llamacpp': ['src/domain', 'src/errors'],
  'src/providers/remote-openai': ['src/domain', 'src/errors'],
  'src/grpc': ['src/domain', 'src/errors', 'src/gen', 'src/transport'],
  'src/http': ['src/domain', 'src/errors', 'src/transport'],
  'src/cli': ['src/domain', 'src/errors'],
  'src/gen': [],
};

/** npm packages only one folder may use: the engines, the models and the frameworks stay behind their layer. */
const OWNED_PACKAGES = {
  '@lancedb/lancedb': ['src/adapters/vector/lance'],
  // Arrow is LanceDB's data format and the snapshot chunks' (src/adapters/snapshot).
  'apache-arrow': ['src/adapters/vector/lance', 'src/adapters/snapshot'],
  '@zilliz/milvus2-sdk-node': ['src/adapters/vector/milvus'],
  '@huggingface/transformers|onnxruntime-node|onnxruntime-common': ['src/providers/transformers'],
  'node-llama-cpp': ['src/providers/llamacpp'],
  'fastify|@fastify/[^/]+': ['src/http', 'src/app'],
  'nice-grpc[^/]*|@grpc/grpc-js|protobufjs': ['src/grpc', 'src/gen', 'src/app'],
  'prom-client': ['src/metrics'],
};

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

const layerRules = Object.entries(MAY_IMPORT).map(([folder, allowed]) => ({
  name: `layer:${folder}`,
  comment: `${folder} may import only ${allowed.length === 0 ? 'nothing else in src' : allowed.join(', ')} (ARCHITECTURE.md)`,
  severity: 'error',
  from: { path: `^${escape(folder)}/` },
  to: { path: '^src/', pathNot: `^(${[folder, ...allowed].map(escape).join('|')})/` },
}));

const packageRules = Object.entries(OWNED_PACKAGES).map(([pattern, owners]) => ({
  name: `package:${pattern}`,
  comment: `${pattern} is used only in ${owners.join(', ')}`,
  severity: 'error',
  from: { path: '^src/', pathNot: `^(${owners.map(escape).join('|')})/` },
  to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'], path: `node_modules/(${pattern})/` },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    ...packageRules,
    {
      name: 'layer:main',
      comment: 'src/main.ts loads config, builds the app and listens: it imports app and config only',
      severity: 'error',
      from: { path: '^src/main\\.ts$' },
      to: { path: '^src/', pathNot: '^src/(app|config)/' },
    },
    {
      name: 'layer:migrate',
      comment: 'src/migrate.ts reads its command line, loads config and runs the migration: it imports app, config and cli only',
      severity: 'error',
      from: { path: '^src/migrate\\.ts$' },
      to: { path: '^src/', pathNot: '^src/(app|config|cli)/' },
    },
    {
      name: 'layer:unlisted-folder',
      comment: 'every folder under src has a row in ARCHITECTURE.md and in MAY_IMPORT above (app may import everything)',
      severity: 'error',
      from: { path: '^src/', pathNot: `^(src/main\\.ts$|src/migrate\\.ts$|src/app/|${Object.keys(MAY_IMPORT).map(escape).join('/|')}/)` },
      to: {},
    },
    {
      name: 'no-circular',
      comment: 'import cycles (types included) make layers meaningless',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    // Generated code is a target, never read: it only imports its runtime packages.
    doNotFollow: { path: ['node_modules', '^src/gen/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
