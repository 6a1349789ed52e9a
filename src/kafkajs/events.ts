/**
 * KafkaJS's instrumentation events: `client.events` names them, `client.on(name, listener)`
 * subscribes and returns a function that unsubscribes.
 *
 * Invariant: a listener never breaks the client. Its exceptions and rejections are logged and
 * dropped, and listeners run after the state change they report.
 */
import { EventEmitter } from 'node:events';
import { KafkaJSNonRetriableError } from './errors.js';
import type { Logger } from './logger.js';

/** An event as listeners get it (KafkaJS: `InstrumentationEvent`). */
export interface InstrumentationEvent<T> {
  /** Unique per emitter, increasing. */
  id: string;
  /** The event name, e.g. `consumer.group_join`. */
  type: string;
  /** ms since the epoch. */
  timestamp: number;
  payload: T;
}

/** Removes the listener `on()` added. */
export type RemoveInstrumentationEventListener = () => void;

/** Event names of a producer (KafkaJS: `ProducerEvents`). */
export const producerEvents = {
  CONNECT: 'producer.connect',
  DISCONNECT: 'producer.disconnect',
  REQUEST: 'producer.network.request',
  REQUEST_TIMEOUT: 'producer.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'producer.network.request_queue_size',
} as const;
export type ProducerEvents = typeof producerEvents;

/** Event names of a consumer (KafkaJS: `ConsumerEvents`). */
export const consumerEvents = {
  HEARTBEAT: 'consumer.heartbeat',
  COMMIT_OFFSETS: 'consumer.commit_offsets',
  GROUP_JOIN: 'consumer.group_join',
  FETCH_START: 'consumer.fetch_start',
  FETCH: 'consumer.fetch',
  START_BATCH_PROCESS: 'consumer.start_batch_process',
  END_BATCH_PROCESS: 'consumer.end_batch_process',
  CONNECT: 'consumer.connect',
  DISCONNECT: 'consumer.disconnect',
  STOP: 'consumer.stop',
  CRASH: 'consumer.crash',
  REBALANCING: 'consumer.rebalancing',
  RECEIVED_UNSUBSCRIBED_TOPICS: 'consumer.received_unsubscribed_topics',
  REQUEST: 'consumer.network.request',
  REQUEST_TIMEOUT: 'consumer.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'consumer.network.request_queue_size',
} as const;
export type ConsumerEvents = typeof consumerEvents;

/** Event names of an admin client (KafkaJS: `AdminEvents`). */
export const adminEvents = {
  CONNECT: 'admin.connect',
  DISCONNECT: 'admin.disconnect',
  REQUEST: 'admin.network.request',
  REQUEST_TIMEOUT: 'admin.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'admin.network.request_queue_size',
} as const;
export type AdminEvents = typeof adminEvents;

export class Instrumentation {
  private readonly emitter = new EventEmitter();
  private readonly names: ReadonlySet<string>;
  private readonly logger: Logger;
  private nextId = 0;

  constructor(events: Record<string, string>, logger: Logger) {
    this.names = new Set(Object.values(events));
    this.logger = logger;
    this.emitter.setMaxListeners(0);
  }

  on(
    eventName: string,
    listener: (event: InstrumentationEvent<never>) => unknown,
  ): RemoveInstrumentationEventListener {
    if (!this.names.has(eventName)) {
      throw new KafkaJSNonRetriableError(`Event name should be one of ${[...this.names].join(', ')}`);
    }
    const wrapped = (event: InstrumentationEvent<never>) => {
      try {
        Promise.resolve(listener(event)).catch((err: unknown) => this.listenerFailed(eventName, err));
      } catch (err) {
        this.listenerFailed(eventName, err);
      }
    };
    this.emitter.on(eventName, wrapped);
    return () => {
      this.emitter.off(eventName, wrapped);
    };
  }

  emit(type: string, payload: unknown = null): void {
    if (this.emitter.listenerCount(type) === 0) return;
    this.emitter.emit(type, { id: String(this.nextId++), type, timestamp: Date.now(), payload });
  }

  private listenerFailed(eventName: string, err: unknown): void {
    this.logger.error(`Failed to execute listener: ${(err as Error)?.message ?? String(err)}`, { eventName });
  }
}
