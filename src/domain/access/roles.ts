import { errors } from '../../errors';

/**
 * Who may call what. One table of operations (named like the RPCs of the proto contract) to the
 * role each needs; both doors look calls up here, so REST and gRPC cannot disagree.
 */
export type Role = 'read' | 'write' | 'admin';

export const ROLES: readonly Role[] = ['read', 'write', 'admin'];

/** The caller an API key identified. `name` (never the key) is what logs, metrics and rate limits use. */
export interface Principal {
  readonly name: string;
  readonly roles: ReadonlySet<Role>;
}

/**
 * `public`: no key needed (health probes, the API description). `metrics`: /metrics, public or
 * `read` depending on configuration. Otherwise the role an operation needs.
 */
export type Access = Role | 'public' | 'metrics';

/** Every RPC of VectorService and ModelService; a missing entry is a type error, an unknown one a test failure. */
export const OPERATION_ACCESS = {
  'VectorService.CreateCollection': 'admin',
  'VectorService.DropCollection': 'admin',
  'VectorService.HasCollection': 'read',
  'VectorService.ListCollections': 'read',
  'VectorService.GetCollectionInfo': 'read',
  'VectorService.GetCollectionStats': 'read',
  'VectorService.CreateIndex': 'admin',
  'VectorService.DropIndex': 'admin',
  'VectorService.HasIndex': 'read',
  'VectorService.Insert': 'write',
  'VectorService.Upsert': 'write',
  'VectorService.Delete': 'write',
  'VectorService.Search': 'read',
  'VectorService.GetByID': 'read',
  'VectorService.Health': 'public',
  'VectorService.Compact': 'write',
  'VectorService.ListVectors': 'read',
  'VectorService.CountVectors': 'read',
  // An alias decides which collection every caller of a name reaches, as CreateCollection and
  // DropCollection decide which names exist: a namespace change, so admin (docs/API.md, "Aliases").
  'VectorService.CreateAlias': 'admin',
  'VectorService.AlterAlias': 'admin',
  'VectorService.DropAlias': 'admin',
  'VectorService.ListAliases': 'read',
  // Export reads what Search and ListVectors already show. Import creates a collection (and with
  // `replace` drops one), as CreateCollection and DropCollection do: admin (docs/API.md, "Snapshots").
  'VectorService.ExportSnapshot': 'read',
  'VectorService.ImportSnapshot': 'admin',
  'ModelService.RegisterModel': 'admin',
  'ModelService.UnregisterModel': 'admin',
  'ModelService.ListModels': 'read',
  'ModelService.GetModelInfo': 'read',
  'ModelService.UpdateModelConfig': 'admin',
  'ModelService.GenerateText': 'read',
  'ModelService.GenerateEmbedding': 'read',
  'ModelService.StreamGenerateText': 'read',
  'ModelService.GenerateEmbeddings': 'read',
  'ModelService.Rerank': 'read',
} as const satisfies Record<string, Access>;

export type Operation = keyof typeof OPERATION_ACCESS;

/** The access an operation (`Service.Method`) needs. One without a rule is refused: fail closed. */
export function accessOf(operation: string): Access {
  if (!Object.hasOwn(OPERATION_ACCESS, operation)) throw errors.permissionDenied(`${operation} has no access rule`);
  return OPERATION_ACCESS[operation as Operation];
}
