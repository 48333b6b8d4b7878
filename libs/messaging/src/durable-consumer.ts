import { AckPolicy, DeliverPolicy, type ConsumerConfig, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { StreamDefinition } from '@platform/contracts';
import type { Logger } from '@platform/logging';

export interface DurableConsumerConfig {
  /** Subjects to receive (resolved against the namespace); several need NATS 2.10. */
  filterSubjects: readonly string[];
  /** Time the server waits for an ack before redelivering. */
  ackWaitMs: number;
  /** Unacked messages the server lets out at once (server default when absent). */
  maxAckPending?: number;
}

export interface DurableConsumer {
  /** Adds the durable consumer or updates the existing one; safe on every start and restart. */
  ensure(): Promise<void>;
}

/**
 * The durable pull consumer every replica shares. Attempts are bounded by the client
 * (`max_deliver: -1`) so the last one can be dead-lettered. On NATS < 2.10 (no filter_subjects)
 * a multi-subject consumer falls back to the whole stream, once, and the caller acks what is not its own.
 */
export function durableConsumer(
  jsm: JetStreamManager,
  stream: StreamDefinition,
  name: string,
  config: DurableConsumerConfig,
  logger: Logger,
): DurableConsumer {
  const filters = config.filterSubjects;
  let wholeStream = false;

  function consumerConfig(): Partial<ConsumerConfig> {
    const filter =
      filters.length === 1
        ? { filter_subject: filters[0] }
        : wholeStream
          ? stream.subjects.length === 1
            ? { filter_subject: stream.subjects[0] }
            : {}
          : { filter_subjects: [...filters] };
    return {
      durable_name: name,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(config.ackWaitMs),
      max_deliver: -1, // attempts are bounded here, so the last one can be dead-lettered
      ...(config.maxAckPending === undefined ? {} : { max_ack_pending: config.maxAckPending }),
      ...filter,
    };
  }

  async function addOrUpdate(): Promise<void> {
    const wanted = consumerConfig();
    const existing = await jsm.consumers.info(stream.name, name).catch(() => null);
    if (!existing) {
      try {
        await jsm.consumers.add(stream.name, wanted);
        return;
      } catch (err) {
        // Another replica created it between our info and add: fall through to update.
        if (!(await jsm.consumers.info(stream.name, name).catch(() => null))) throw err;
      }
    }
    const { durable_name: _durable, deliver_policy: _deliver, ...updatable } = wanted;
    await jsm.consumers.update(stream.name, name, updatable).catch((err: unknown) => {
      logger.warn({ err }, 'could not update consumer config, keeping the existing one');
    });
  }

  return {
    async ensure() {
      try {
        await addOrUpdate();
      } catch (err) {
        if (wholeStream || !/requires server 2\.10/.test(String(err))) throw err;
        wholeStream = true;
        logger.info('server lacks filter_subjects, consuming the whole stream');
        await addOrUpdate();
      }
    },
  };
}
