import type { DescribeCollectionResponse, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { compareIds, type AliasInfo } from '../../../domain';
import { errors } from '../../../errors';
import type { MilvusConnection } from './milvus-connection';
import { checkStatus } from './milvus-errors';

/**
 * Aliases are Milvus's own (CreateAlias, AlterAlias, DropAlias, DescribeAlias, ListAliases; on
 * 2.3.5 too), so every replica sharing the server sees one switch at one instant. Milvus resolves
 * an alias in every data call itself; this adapter resolves it once per call instead (`describe`),
 * so a call's steps all run on one collection even when the alias moves meanwhile. What Milvus
 * 2.3.5 leaves to its clients, checked here (docs/MILVUS.md, "Aliases"): it drops a collection an
 * alias names (the alias then dangles), answers Success to DropAlias of an unknown alias, and its
 * DescribeCollection of an alias answers under the alias's name.
 */
export class MilvusAliases {
  constructor(private readonly conn: MilvusConnection) {}

  /**
   * Milvus 2.3.5 reads the database of DescribeAlias and ListAliases from the request (the SDK's
   * connection-wide database reaches the other calls only), so every alias call names it.
   */
  private get database(): string {
    return this.conn.options.database;
  }

  /** DescribeCollection as Milvus answers it; NOT_FOUND naming `name`. `aliases` lists the collection's aliases, so it holds `name` itself when `name` is an alias. */
  async describeRaw(name: string, signal: AbortSignal | undefined): Promise<DescribeCollectionResponse> {
    const context = { collection: name };
    const res = await this.conn.call(context, signal, (c, timeout) => c.describeCollection({ collection_name: name, timeout }));
    checkStatus(res.status, context);
    return res;
  }

  /**
   * The description of the collection `name` names: one DescribeCollection for a collection's own
   * name, three through an alias (describe, DescribeAlias, describe the target), so that what the
   * call goes on to do runs on the collection the alias named at that moment, under its own name.
   */
  async describeResolved(name: string, signal: AbortSignal | undefined): Promise<{ name: string; described: DescribeCollectionResponse }> {
    const first = await this.describeRaw(name, signal);
    if (!first.aliases.includes(name)) return { name, described: first };
    const target = await this.targetOf(name, signal);
    return { name: target, described: await this.describeRaw(target, signal) };
  }

  /** The collection an alias names; NOT_FOUND naming the alias when there is none. */
  async targetOf(alias: string, signal: AbortSignal | undefined): Promise<string> {
    const context = { alias };
    // The SDK insists on a collection_name the request does not have; it is not sent.
    const res = await this.conn.call(context, signal, (c, timeout) => c.describeAlias({ alias, collection_name: alias, db_name: this.database, timeout }));
    checkStatus(res.status, context);
    return res.collection;
  }

  async create(alias: string, collection: string, signal: AbortSignal | undefined): Promise<void> {
    await this.checkTarget(collection, signal);
    const context = { alias, collection };
    checkStatus(await this.conn.call(context, signal, (c, timeout) => c.createAlias({ alias, collection_name: collection, db_name: this.database, timeout })), context);
  }

  /** Milvus's AlterAlias is one metadata change: a data call resolves the old or the new collection, never neither. */
  async alter(alias: string, collection: string, signal: AbortSignal | undefined): Promise<void> {
    await this.checkTarget(collection, signal);
    await this.targetOf(alias, signal);
    const context = { alias, collection };
    checkStatus(await this.conn.call(context, signal, (c, timeout) => c.alterAlias({ alias, collection_name: collection, db_name: this.database, timeout })), context);
  }

  async drop(alias: string, signal: AbortSignal | undefined): Promise<void> {
    await this.targetOf(alias, signal);
    const context = { alias };
    checkStatus(await this.conn.call(context, signal, (c, timeout) => c.dropAlias({ alias, db_name: this.database, timeout } as Parameters<MilvusClient['dropAlias']>[0])), context);
  }

  /** One ListAliases per collection (Milvus lists an alias's name, not its target, when asked for all). */
  async list(collection: string | null, signal: AbortSignal | undefined): Promise<AliasInfo[]> {
    let names: string[];
    if (collection !== null) {
      names = [(await this.describeResolved(collection, signal)).name];
    } else {
      const shown = await this.conn.call({}, signal, (c, timeout) => c.showCollections({ timeout }));
      checkStatus(shown.status);
      names = shown.data.map((c) => c.name);
    }
    const out: AliasInfo[] = [];
    for (const name of names) {
      const context = { collection: name };
      const res = await this.conn.call(context, signal, (c, timeout) => c.listAliases({ collection_name: name, db_name: this.database, timeout }));
      checkStatus(res.status, context);
      for (const alias of res.aliases) out.push({ alias, collection: name });
    }
    return out.sort((a, b) => compareIds(a.alias, b.alias));
  }

  /** An alias names a collection: NOT_FOUND when nothing has the name, INVALID_ARGUMENT when an alias has it. */
  private async checkTarget(collection: string, signal: AbortSignal | undefined): Promise<void> {
    const described = await this.describeRaw(collection, signal);
    if (described.aliases.includes(collection)) throw errors.aliasOfAlias(collection);
  }
}
