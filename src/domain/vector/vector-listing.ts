import { errors } from '../../errors';
import { parseFilter } from '../filter/filter-parser';
import { limits } from '../limits';
import type { Declaration, Plan } from '../ports/vector-store';
import { checkPageTokenCollection, decodePageToken, encodePageToken, filterDigest } from './page-token';
import type { ListedRecord, ScanRequest } from './vector-types';

/** ListVectors as it arrives from either door; absent, '' and 0 mean "not given". */
export interface ListVectorsInput {
  filter?: Record<string, unknown> | null;
  pageSize?: number;
  pageToken?: string;
  includeVector?: boolean;
}

/** ListVectors' answer: records in ascending id order, and the token of the next page ('' after the last one). */
export interface VectorPage {
  vectors: ListedRecord[];
  nextPageToken: string;
}

/** A listing's one store call (`plan`) and how its rows become the answer (`page`). */
export interface Listing {
  plan: Plan<ScanRequest>;
  page(records: ListedRecord[]): VectorPage;
}

/**
 * Checks a ListVectors request (page size, filter, and the token's form and filter) before any
 * store call, and builds the scan: one row more than the page, so a page that ends the listing
 * carries no token (a caller never asks for an empty last page). The token's collection is
 * checked in the store's trip, against the collection the name resolves to there.
 */
export function prepareListing(input: ListVectorsInput): Listing {
  const pageSize = checkPageSize(input.pageSize);
  const filter = parseFilter(input.filter ?? null, 'filter');
  const digest = filterDigest(input.filter);
  const token = input.pageToken === undefined || input.pageToken === '' ? null : decodePageToken(input.pageToken, digest);
  let declared: Declaration | undefined;
  return {
    plan: (d) => {
      if (token !== null) checkPageTokenCollection(token, d);
      declared = d;
      return { filter, afterId: token?.lastId ?? null, limit: pageSize + 1, includeVector: input.includeVector ?? false };
    },
    page: (records) => {
      if (records.length <= pageSize || declared === undefined) return { vectors: records, nextPageToken: '' };
      const vectors = records.slice(0, pageSize);
      const lastId = vectors[vectors.length - 1]!.id;
      return { vectors, nextPageToken: encodePageToken({ collection: declared.name, createdAt: declared.createdAt, filter: digest, lastId }) };
    },
  };
}

/** 0 or absent is the default: proto3 sends 0 for a page_size the caller did not set (AIP-158). */
function checkPageSize(pageSize: number | undefined): number {
  if (pageSize === undefined || pageSize === 0) return limits.defaultPageSize;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > limits.maxPageSize) {
    throw errors.invalidArgument('page_size', `must be between 1 and ${limits.maxPageSize} (0 or absent: ${limits.defaultPageSize})`);
  }
  return pageSize;
}
