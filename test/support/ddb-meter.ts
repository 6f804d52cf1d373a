import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import { TABLE_DEF } from '../../shared/store/table-def.js';

/**
 * A DynamoDB meter: SDK middleware on the real client that attributes every
 * call to the current "request" (AsyncLocalStorage: whatever runs inside
 * `m.request(label, fn)`, however deep and however concurrent) and records
 * per request:
 *
 * - calls: logical SDK calls (a retried call counts once; `attempts` counts every HTTP try);
 * - rounds: sequential round trips: a round starts when a call is sent while
 *   no other call of the same request is in flight, so N calls in one
 *   Promise.all are 1 round and N awaited one after the other are N;
 * - capacity: each command is sent with `ReturnConsumedCapacity: 'TOTAL'` and
 *   the `ConsumedCapacity` of its output is summed, reads and writes apart.
 *   Calls that were TransactWriteItems / TransactGetItems are kept apart too
 *   (txRcu, txWcu, txItems): DynamoDB Local sizes a transaction as a whole
 *   (about 1 unit per KB of all its items) where AWS charges 2 units per item
 *   per KB, so pricing applies AWS's rule to txItems (see bench/prices.ts);
 * - failed conditional writes (AWS charges a write unit for those, and the
 *   error carries no ConsumedCapacity).
 *
 * Requests nest: a call counts in every request it runs under (e.g. a whole
 * HTTP request and, inside it, the authorizer's part).
 *
 * Independently of requests, a write window (`m.window()`) counts writes per
 * item key (partition + sort key of PutItem, UpdateItem, DeleteItem, every
 * item of BatchWriteItem and every Put/Update/Delete of TransactWriteItems;
 * a ConditionCheck writes nothing) from every caller, background work
 * included, to find the most-written item.
 */

/** Per-request figures. */
export interface RequestCost {
  label: string;
  /** Logical SDK calls. */
  calls: number;
  /** HTTP attempts (calls plus SDK retries). */
  attempts: number;
  /** Sequential round trips. */
  rounds: number;
  /** Read capacity units as DynamoDB reported them (transactional reads included, once). */
  rcu: number;
  /** Write capacity units as DynamoDB reported them (transactional writes included, once). */
  wcu: number;
  /** The part of rcu reported by TransactGetItems calls. */
  txRcu: number;
  /** The part of wcu reported by TransactWriteItems calls. */
  txWcu: number;
  /** Items in TransactWriteItems / TransactGetItems calls. */
  txItems: number;
  /** TransactWriteItems / TransactGetItems calls. */
  txCalls: number;
  /** Conditional writes refused (ConditionalCheckFailedException) and cancelled transactions. */
  failedConditional: number;
  /** Items of the refused writes (a cancelled transaction counts all its items). */
  failedConditionalItems: number;
  /** Command names in the order they were sent ("GetItem", "Query", "TransactWriteItems", ...). */
  commands: string[];
  /** Every call, in the order sent: what pricing needs to apply AWS's per-item rules. */
  log: CallRecord[];
  /** Wall time of the request, ms. */
  ms: number;
  /**
   * Calls still in flight when the request's function returned: sent but not
   * awaited (e.g. a background sync). They count in `calls`; a round only
   * such a call opened is not counted in `rounds`.
   */
  unawaited: number;
}

/** One call as metered. */
export interface CallRecord {
  command: string;
  /** Items the call carried (keys of a BatchGetItem, requests of a BatchWriteItem, items of a transaction); 1 otherwise. */
  items: number;
  rcu: number;
  wcu: number;
  /** Refused by a condition (ConditionalCheckFailedException, TransactionCanceledException). */
  refused: boolean;
  /** Milliseconds from send to answer (retries included). */
  ms: number;
  /** The round it was sent in, counted in the innermost request (0 outside any request). */
  round: number;
}

export interface MeteredRun<T> extends RequestCost {
  result: T;
}

/** Writes per item key over a window. Keys are `<partition key>|<sort key>`. */
export interface WriteCounts {
  total: number;
  byKey: Map<string, number>;
  /** The `n` most-written keys, most first. */
  top(n: number): { key: string; writes: number; share: number }[];
}

export interface WriteWindow {
  stop(): WriteCounts;
}

export interface DdbMeter {
  /** Run `fn` as one request and return its figures (and its result). */
  request<T>(label: string, fn: () => Promise<T> | T): Promise<MeteredRun<T>>;
  /** Start counting writes per item key, whoever makes them; `stop()` returns the counts. */
  window(): WriteWindow;
  /** Figures of the calls made outside any request since install (background work, setup); counts only, no command list. */
  unattributed(): RequestCost;
  /** Remove the middleware: later calls are neither changed nor counted. */
  uninstall(): void;
}

interface MiddlewareClient {
  middlewareStack: {
    add(
      mw: (next: any, context: any) => (args: any) => Promise<any>,
      opts: { step: 'initialize'; name: string; priority?: 'high' | 'normal' | 'low' },
    ): void;
    remove(name: string): boolean;
  };
}

interface State {
  cost: RequestCost;
  inFlight: number;
  /** Calls in flight that opened a round. */
  openers: Set<CallRecord>;
  parent?: State;
}

const READ_COMMANDS = new Set([
  'GetItem',
  'BatchGetItem',
  'Query',
  'Scan',
  'TransactGetItems',
  'ExecuteStatement',
  'BatchExecuteStatement',
]);
/** Commands that accept ReturnConsumedCapacity. */
const METERED_COMMANDS = new Set([
  ...READ_COMMANDS,
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
  'ExecuteTransaction',
]);

const emptyCost = (label: string): RequestCost => ({
  label,
  calls: 0,
  attempts: 0,
  rounds: 0,
  rcu: 0,
  wcu: 0,
  txRcu: 0,
  txWcu: 0,
  txItems: 0,
  txCalls: 0,
  failedConditional: 0,
  failedConditionalItems: 0,
  commands: [],
  log: [],
  ms: 0,
  unawaited: 0,
});

/** An attribute as the document client gives it (a string) or as the low-level client does (`{ S: '...' }`). */
function attr(v: unknown): string {
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('S' in o) return String(o.S);
    if ('N' in o) return String(o.N);
    if ('B' in o) return Buffer.from(o.B as Uint8Array).toString('base64');
  }
  return String(v);
}

export interface MeterOptions {
  /** Names of the key attributes (default: the single table's). */
  partitionKey?: string;
  sortKey?: string;
}

/** Install the meter's middleware on an SDK DynamoDB client (or a document client built on one). */
export function installMeter(client: MiddlewareClient, opts: MeterOptions = {}): DdbMeter {
  const pkName = opts.partitionKey ?? TABLE_DEF.partitionKey;
  const skName = opts.sortKey ?? TABLE_DEF.sortKey;
  const als = new AsyncLocalStorage<State>();
  const windows = new Set<Map<string, number>>();
  const background: State = { cost: emptyCost('unattributed'), inFlight: 0, openers: new Set() };
  const name = `ddb-meter-${Math.random().toString(36).slice(2)}`;
  const attemptName = `${name}-attempts`;

  const keyOf = (k: Record<string, unknown> | undefined) => (k ? `${attr(k[pkName])}|${attr(k[skName])}` : undefined);

  function writtenKeys(command: string, input: Record<string, any>): string[] {
    const out: (string | undefined)[] = [];
    if (command === 'PutItem') out.push(keyOf(input.Item));
    else if (command === 'UpdateItem' || command === 'DeleteItem') out.push(keyOf(input.Key));
    else if (command === 'BatchWriteItem')
      for (const reqs of Object.values(input.RequestItems ?? {}) as any[][])
        for (const r of reqs) out.push(keyOf(r.PutRequest?.Item ?? r.DeleteRequest?.Key));
    else if (command === 'TransactWriteItems')
      for (const t of input.TransactItems ?? []) out.push(keyOf(t.Put?.Item ?? t.Update?.Key ?? t.Delete?.Key));
    return out.filter((k): k is string => k !== undefined);
  }

  function chain(): State[] {
    const out: State[] = [];
    for (let s = als.getStore(); s; s = s.parent) out.push(s);
    return out.length ? out : [background];
  }

  function addCapacity(states: State[], command: string, consumed: unknown, rec: CallRecord) {
    const list = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as {
      CapacityUnits?: number;
      ReadCapacityUnits?: number;
      WriteCapacityUnits?: number;
    }[];
    let r = 0;
    let w = 0;
    for (const c of list) {
      if (c.ReadCapacityUnits !== undefined || c.WriteCapacityUnits !== undefined) {
        r += c.ReadCapacityUnits ?? 0;
        w += c.WriteCapacityUnits ?? 0;
      } else if (READ_COMMANDS.has(command)) r += c.CapacityUnits ?? 0;
      else w += c.CapacityUnits ?? 0;
    }
    rec.rcu = r;
    rec.wcu = w;
    for (const s of states) {
      s.cost.rcu += r;
      s.cost.wcu += w;
      if (command === 'TransactGetItems') s.cost.txRcu += r;
      if (command === 'TransactWriteItems') s.cost.txWcu += w;
    }
  }

  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
      const input = (args.input ?? {}) as Record<string, any>;
      const states = chain();
      const tx = command === 'TransactWriteItems' || command === 'TransactGetItems';
      const txItems = tx ? (input.TransactItems?.length ?? 0) : 0;
      const rec: CallRecord = { command, items: itemCount(command, input), rcu: 0, wcu: 0, refused: false, ms: 0, round: 0 };
      const sentAt = performance.now();
      for (const s of states) {
        // Unattributed calls (seeding, background work) are counted, not listed: there can be millions.
        if (s !== background) {
          s.cost.log.push(rec);
          s.cost.commands.push(command);
        }
        if (s.inFlight === 0) {
          s.cost.rounds++;
          s.openers.add(rec);
        }
        if (s === states[0] && s !== background) rec.round = s.cost.rounds;
        s.inFlight++;
        s.cost.calls++;
        if (tx) {
          s.cost.txCalls++;
          s.cost.txItems += txItems;
        }
      }
      for (const w of windows) for (const k of writtenKeys(command, input)) w.set(k, (w.get(k) ?? 0) + 1);
      const sent = METERED_COMMANDS.has(command) ? { ...args, input: { ...input, ReturnConsumedCapacity: 'TOTAL' } } : args;
      try {
        const out = await next(sent);
        addCapacity(states, command, out?.output?.ConsumedCapacity, rec);
        return out;
      } catch (err) {
        const n = (err as { name?: string })?.name;
        if (n === 'ConditionalCheckFailedException' || n === 'TransactionCanceledException') {
          rec.refused = true;
          for (const s of states) {
            s.cost.failedConditional++;
            s.cost.failedConditionalItems += tx ? txItems : 1;
          }
        }
        throw err;
      } finally {
        rec.ms = performance.now() - sentAt;
        for (const s of states) {
          s.inFlight--;
          s.openers.delete(rec);
        }
      }
    },
    { step: 'initialize', name, priority: 'high' },
  );
  // Attempts: the finalize step runs once per HTTP try (under the retry middleware).
  (client.middlewareStack as any).add(
    (next: (a: unknown) => Promise<unknown>) => async (args: unknown) => {
      for (const s of chain()) s.cost.attempts++;
      return next(args);
    },
    { step: 'finalizeRequest', name: attemptName },
  );

  return {
    async request<T>(label: string, fn: () => Promise<T> | T): Promise<MeteredRun<T>> {
      const state: State = { cost: emptyCost(label), inFlight: 0, openers: new Set(), parent: als.getStore() };
      const t0 = performance.now();
      const result = await als.run(state, fn);
      state.cost.ms = performance.now() - t0;
      const cost = snapshot(state.cost);
      cost.unawaited = state.inFlight;
      cost.rounds -= state.openers.size;
      return { ...cost, result };
    },
    window(): WriteWindow {
      const counts = new Map<string, number>();
      windows.add(counts);
      return {
        stop(): WriteCounts {
          windows.delete(counts);
          const total = [...counts.values()].reduce((a, b) => a + b, 0);
          return {
            total,
            byKey: new Map(counts),
            top: (n) =>
              [...counts.entries()]
                .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
                .slice(0, n)
                .map(([key, writes]) => ({ key, writes, share: total ? writes / total : 0 })),
          };
        },
      };
    },
    unattributed: () => snapshot(background.cost),
    uninstall() {
      client.middlewareStack.remove(name);
      client.middlewareStack.remove(attemptName);
      windows.clear();
    },
  };
}

const snapshot = (c: RequestCost): RequestCost => ({ ...c, commands: [...c.commands], log: [...c.log] });

/** Items a call carries: keys of a BatchGetItem, requests of a BatchWriteItem, items of a transaction; 1 otherwise. */
function itemCount(command: string, input: Record<string, any>): number {
  const perTable = (o: Record<string, any> | undefined, f: (v: any) => number) =>
    Object.values(o ?? {}).reduce((a: number, v) => a + f(v), 0);
  if (command === 'BatchGetItem') return perTable(input.RequestItems, (v) => v.Keys?.length ?? 0);
  if (command === 'BatchWriteItem') return perTable(input.RequestItems, (v) => v.length ?? 0);
  if (command === 'TransactWriteItems' || command === 'TransactGetItems') return input.TransactItems?.length ?? 0;
  return 1;
}

/** Sum of several requests' figures (commands concatenated). */
export function sumCosts(label: string, costs: RequestCost[]): RequestCost {
  const out = emptyCost(label);
  for (const c of costs) {
    for (const k of [
      'calls',
      'attempts',
      'rounds',
      'rcu',
      'wcu',
      'txRcu',
      'txWcu',
      'txItems',
      'txCalls',
      'failedConditional',
      'failedConditionalItems',
      'ms',
      'unawaited',
    ] as const)
      out[k] += c[k];
    out.commands.push(...c.commands);
    out.log.push(...c.log);
  }
  return out;
}
