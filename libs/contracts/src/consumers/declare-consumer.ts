import type { EventContract, EventData } from '../define-event.js';
import type { EventEnvelope } from '../envelope.js';
import { streamForSource, streams, type StreamKey } from '../streams.js';

/** The services that consume events (the gateway neither publishes nor consumes). */
export type ConsumingService = 'users' | 'billing' | 'notifications' | 'analytics';

export type FieldOf<C extends EventContract> = Extract<keyof EventData<C>, string>;

/** The fields of one contract's `data` that a consumer relies on. */
export interface ContractRead<C extends EventContract = EventContract, F extends string = string> {
  readonly contract: C;
  readonly fields: readonly F[];
}

/**
 * One durable consumer as the rest of the platform sees it: who runs it, which contracts it takes
 * and which fields of each it reads. The consumer itself takes its name, stream and contracts from
 * here, the AsyncAPI document lists it, and the consumer contract test checks that every producer
 * still provides each field.
 */
export interface ConsumerDeclaration<R extends ContractRead = ContractRead> {
  readonly service: ConsumingService;
  /** The durable name, shared by every replica. */
  readonly name: string;
  readonly stream: StreamKey;
  readonly summary: string;
  readonly reads: readonly R[];
}

/** Declares the fields of `contract` a consumer reads; a field the contract lacks does not compile. */
export function reads<C extends EventContract, const F extends FieldOf<C> = never>(
  contract: C,
  fields: readonly F[],
): ContractRead<C, F> {
  return Object.freeze({ contract, fields: Object.freeze([...fields]) });
}

export function declareConsumer<const R extends readonly ContractRead[]>(declaration: {
  service: ConsumingService;
  name: string;
  stream: StreamKey;
  summary: string;
  reads: R;
}): ConsumerDeclaration<R[number]> {
  const { service, name, stream } = declaration;
  if (!name.startsWith(`${service}-`)) throw new Error(`consumer ${name}: a durable name starts with its service ("${service}-")`);
  if (declaration.reads.length === 0) throw new Error(`consumer ${name} reads no contract`);
  const seen = new Set<string>();
  for (const { contract } of declaration.reads) {
    // The consumer binds to one stream; a contract of another producer would never reach it.
    if (streamForSource(contract.source) !== streams[stream]) {
      throw new Error(`consumer ${name}: ${contract.type} is not carried by the ${stream} stream`);
    }
    if (seen.has(contract.type)) throw new Error(`consumer ${name}: ${contract.type} declared twice`);
    seen.add(contract.type);
  }
  return Object.freeze({ ...declaration, reads: Object.freeze([...declaration.reads]) });
}

type ReadsOf<D extends ConsumerDeclaration> = D['reads'][number];
export type ContractOf<D extends ConsumerDeclaration> = ReadsOf<D>['contract'];

type DataOfRead<R> =
  R extends ContractRead<infer C, infer F> ? { type: C['type']; data: Pick<EventData<C>, F & keyof EventData<C>> } : never;

/**
 * `{ type, data }` of each declared contract, `data` narrowed to the declared fields: code typed
 * with it cannot read a field its declaration does not name, so the declaration stays true.
 */
export type DeclaredData<D extends ConsumerDeclaration> = DataOfRead<ReadsOf<D>>;

type EnvelopeOfRead<R> =
  R extends ContractRead<infer C, infer F>
    ? Omit<EventEnvelope<C>, 'data'> & { data: Pick<EventData<C>, F & keyof EventData<C>> }
    : never;

/** The envelope a handler of `D` receives, discriminated by `type`, `data` narrowed as above. */
export type DeclaredEvent<D extends ConsumerDeclaration> = EnvelopeOfRead<ReadsOf<D>>;

/** The contracts a consumer subscribes to, in declaration order. */
export function contractsOf<D extends ConsumerDeclaration>(declaration: D): readonly ContractOf<D>[] {
  return declaration.reads.map((r) => r.contract as ContractOf<D>);
}
