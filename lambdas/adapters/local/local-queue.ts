/**
 * A durable local queue with SQS standard-queue semantics, owned by one process.
 *
 * Design: every message is one JSON file in <dir>/messages, written to a temp file and renamed,
 * so a crash leaves whole messages or none. A file holds only what must survive a restart: id,
 * body, sent time, receive count, first receive time. Visibility (who holds a message, until
 * when) lives in memory: after a crash or restart every message is visible again, which is what
 * SQS does once the dead consumer's visibility timeout runs out. The receive count is written
 * to disk before a message is handed out, so a message that crashes its consumer still reaches
 * the dead-letter queue after maxReceiveCount receives: one append to <dir>/receives.log per
 * receive (a line per message, one fsync for the batch) rather than a rewrite of every message
 * file, so a receive of hundreds costs one disk flush and leaves the thread pool to the requests.
 * The log is folded into a fresh one from memory once it grows long; a line whose message is gone
 * is ignored, and so is a torn last line (its receive never returned). File names start with the
 * sent time and a sequence number, so a restarted queue hands messages out in sending order.
 *
 * A FIFO queue (`fifo: true`, name ending in .fifo) adds SQS's FIFO rules: every message names a
 * group and a deduplication id; a message whose deduplication id was sent in the last 5 minutes is
 * accepted and dropped; and a group is delivered strictly in order, so no later message of a
 * group is handed out while an earlier one is in flight or waiting for its retry.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { SQSRecord } from 'aws-lambda';
import type { MessageQueue, QueueMessage } from '../../domain/ports';
import { assertWithinBatchLimits, QueueBatchLimitError } from '../queue-batch-limits';

export interface RedrivePolicy {
  deadLetterQueue: LocalQueue;
  /** Receives after which the next receive attempt moves the message to the dead-letter queue. */
  maxReceiveCount: number;
}

interface LocalQueueOptions {
  /** Queue name used in the ARN; defaults to the folder name. */
  name?: string;
  region?: string;
  accountId?: string;
  redrive?: RedrivePolicy;
  clock?: () => number;
  /** FIFO semantics (see above); the name must end in .fifo, and so must the dead-letter queue's. */
  fifo?: boolean;
}

/** SQS drops a FIFO message whose deduplication id was sent within this interval. */
export const FIFO_DEDUPLICATION_INTERVAL_MS = 5 * 60_000;

interface QueueDepth {
  /** Messages a receive would return now. */
  visible: number;
  /** Messages received and neither deleted nor visible again yet. */
  inFlight: number;
}

interface StoredMessage {
  messageId: string;
  body: string;
  sentTimestamp: number;
  receiveCount: number;
  firstReceiveTimestamp: number | null;
  /** ARN of the queue the message was redriven from, for dead-letter queues. */
  deadLetterSourceArn?: string;
  /** Epoch ms before which the message is not delivered (a send's delaySeconds). */
  visibleFrom?: number;
  /** FIFO queues only. */
  groupId?: string;
  deduplicationId?: string;
}

interface MessageState {
  fileName: string;
  stored: StoredMessage;
  /** Epoch ms at which the message is visible; 0 when it has never been received. */
  visibleAt: number;
  receiptHandle: string | null;
}

const MESSAGES_FOLDER = 'messages';
const TEMP_PREFIX = '.tmp-';
const RECEIVE_LOG = 'receives.log';
/** A temp file this old is a write a crash interrupted, not one in progress (those take milliseconds). */
const ABANDONED_TEMP_FILE_MS = 60_000;
/** Lines after which the receive log is rewritten with only the messages still queued. */
const RECEIVE_LOG_FOLD_LINES = 20_000;

/** One line of the receive log: a message file's receive count and first receive time. */
interface ReceiveLine {
  file: string;
  count: number;
  first: number;
}

export class LocalQueue implements MessageQueue {
  readonly name: string;
  readonly arn: string;
  readonly region: string;
  private readonly messagesDir: string;
  private readonly clock: () => number;
  private readonly redrive: RedrivePolicy | undefined;
  private readonly messages = new Map<string, MessageState>();
  /** The messages in flight by their current receipt handle (a delete or visibility change finds its message at once). */
  private readonly byReceipt = new Map<string, MessageState>();
  private readonly changeListeners = new Set<() => void>();
  private sequence = 0;
  private readonly receiveLogPath: string;
  private receiveLogLines = 0;
  /** Appends and folds of the receive log, one at a time. */
  private receiveLogTail: Promise<void> = Promise.resolve();
  readonly fifo: boolean;
  /** FIFO: deduplication id -> when it was last accepted. */
  private readonly deduplication = new Map<string, number>();

  private constructor(
    readonly dir: string,
    options: LocalQueueOptions,
  ) {
    this.name = options.name ?? basename(dir);
    this.region = options.region ?? 'us-east-1';
    this.arn = `arn:aws:sqs:${this.region}:${options.accountId ?? '000000000000'}:${this.name}`;
    this.messagesDir = join(dir, MESSAGES_FOLDER);
    this.receiveLogPath = join(dir, RECEIVE_LOG);
    this.clock = options.clock ?? Date.now;
    this.redrive = options.redrive;
    if (this.redrive && !(this.redrive.maxReceiveCount >= 1)) {
      throw new Error(`maxReceiveCount must be at least 1, got ${this.redrive.maxReceiveCount}`);
    }
    this.fifo = options.fifo ?? false;
    if (this.fifo !== this.name.endsWith('.fifo'))
      throw new Error(`queue ${this.name}: only a FIFO queue's name ends in .fifo, and it must`);
    if (this.redrive && this.redrive.deadLetterQueue.fifo !== this.fifo)
      throw new Error(
        `queue ${this.name}: the dead-letter queue must be of the same type (FIFO or standard)`,
      );
  }

  /** Opens (or creates) the queue stored in dir; messages in flight before a restart are visible again. */
  static async open(dir: string, options: LocalQueueOptions = {}): Promise<LocalQueue> {
    const queue = new LocalQueue(resolve(dir), options);
    await queue.load();
    return queue;
  }

  async sendBatch(messages: QueueMessage[]): Promise<void> {
    assertWithinBatchLimits(messages);
    for (const message of messages) {
      if (this.fifo && !message.fifo)
        throw new QueueBatchLimitError(
          `message "${message.id}" needs a group and deduplication id (FIFO queue)`,
        );
      if (!this.fifo && message.fifo)
        throw new QueueBatchLimitError(`message "${message.id}" has FIFO ids but ${this.name} is not FIFO`);
    }
    const now = this.clock();
    const accepted = this.withoutDuplicates(messages, now);
    const written = await Promise.all(
      accepted.map((message) =>
        this.write({
          messageId: randomUUID(),
          body: message.body,
          sentTimestamp: now,
          receiveCount: 0,
          firstReceiveTimestamp: null,
          ...(message.delaySeconds && { visibleFrom: now + message.delaySeconds * 1000 }),
          ...(message.fifo && {
            groupId: message.fifo.groupId,
            deduplicationId: message.fifo.deduplicationId,
          }),
        }),
      ),
    );
    // Added only once all are on disk, and in sending order, so consumers see the batch's order.
    // Deduplication ids count from here (add), not before: a failed send may be retried with them.
    this.add(written);
  }

  /**
   * Receives up to max visible messages and hides them for visibilityTimeoutMs. Messages already
   * received maxReceiveCount times go to the dead-letter queue instead of being returned.
   */
  async receive(max: number, visibilityTimeoutMs: number): Promise<SQSRecord[]> {
    const now = this.clock();
    const chosen: MessageState[] = [];
    const toRedrive: MessageState[] = [];
    // Choose and hide synchronously so that concurrent receives never share a message.
    for (const state of this.receivable(now)) {
      if (chosen.length >= max) break;
      if (this.redrive && state.stored.receiveCount >= this.redrive.maxReceiveCount) {
        state.visibleAt = Number.POSITIVE_INFINITY;
        toRedrive.push(state);
        continue;
      }
      state.visibleAt = now + visibilityTimeoutMs;
      if (state.receiptHandle) this.byReceipt.delete(state.receiptHandle);
      state.receiptHandle = randomBytes(16).toString('base64url');
      this.byReceipt.set(state.receiptHandle, state);
      state.stored = {
        ...state.stored,
        receiveCount: state.stored.receiveCount + 1,
        firstReceiveTimestamp: state.stored.firstReceiveTimestamp ?? now,
      };
      chosen.push(state);
    }
    await this.moveAllToDeadLetterQueue(toRedrive);
    // The count must be on disk before a consumer sees the message (see the design note above).
    if (chosen.length > 0) await this.logReceives(chosen);
    return chosen.map((state) => this.toRecord(state));
  }

  /** Deletes a received message; false when the handle is stale (the message was received again since). */
  async delete(receiptHandle: string): Promise<boolean> {
    const state = this.findByReceipt(receiptHandle);
    if (!state) return false;
    this.forget(state);
    await unlink(join(this.messagesDir, state.fileName)).catch(ignoreMissing);
    // In a FIFO queue a delete can release the next message of its group.
    if (this.fifo) this.notifyChange();
    return true;
  }

  /** Makes a received message visible again after timeoutMs (0: at once), like ChangeMessageVisibility. */
  changeVisibility(receiptHandle: string, timeoutMs: number): boolean {
    const state = this.findByReceipt(receiptHandle);
    if (!state) return false;
    state.visibleAt = this.clock() + timeoutMs;
    this.notifyChange();
    return true;
  }

  depth(): QueueDepth {
    const now = this.clock();
    let inFlight = 0;
    for (const state of this.messages.values()) if (state.visibleAt > now) inFlight++;
    // FIFO: a message held back behind its group's message in flight is neither (SQS counts it visible).
    if (this.fifo) {
      let visible = 0;
      for (const _ of this.receivable(now)) visible++;
      return { visible, inFlight };
    }
    // Standard: a plain count (the poller asks after every send; a generator here allocated per message).
    return { visible: this.messages.size - inFlight, inFlight };
  }

  /**
   * The messages a receive may hand out now, in sending order. In a FIFO queue a group stops at its
   * first message that is hidden (in flight or waiting for its retry): nothing after it is delivered.
   */
  private *receivable(now: number): Generator<MessageState> {
    const blockedGroups = new Set<string>();
    for (const state of this.messages.values()) {
      const group = state.stored.groupId ?? '';
      if (this.fifo && blockedGroups.has(group)) continue;
      if (state.visibleAt > now) {
        if (this.fifo) blockedGroups.add(group);
        continue;
      }
      yield state;
    }
  }

  /**
   * FIFO: drops messages whose deduplication id was accepted within the interval or earlier in the
   * batch (SQS answers OK for them and queues nothing).
   */
  private withoutDuplicates(messages: QueueMessage[], now: number): QueueMessage[] {
    if (!this.fifo) return messages;
    for (const [id, at] of this.deduplication)
      if (now - at >= FIFO_DEDUPLICATION_INTERVAL_MS) this.deduplication.delete(id);
    const inBatch = new Set<string>();
    return messages.filter((message) => {
      const id = message.fifo?.deduplicationId ?? '';
      if (this.deduplication.has(id) || inBatch.has(id)) return false;
      inBatch.add(id);
      return true;
    });
  }

  /** Epoch ms at which the next hidden message becomes visible, if any is hidden. */
  nextVisibleAt(): number | undefined {
    const now = this.clock();
    let next = Number.POSITIVE_INFINITY;
    for (const state of this.messages.values())
      if (state.visibleAt > now && state.visibleAt < next) next = state.visibleAt;
    return Number.isFinite(next) ? next : undefined;
  }

  /** Resolves when messages arrive or become visible through changeVisibility, or after timeoutMs. */
  waitForChange(timeoutMs: number): Promise<void> {
    return new Promise((resolveWait) => {
      const done = () => {
        clearTimeout(timer);
        this.changeListeners.delete(done);
        resolveWait();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      this.changeListeners.add(done);
    });
  }

  /** Wakes every waitForChange (used by pollers that stop). */
  notifyChange(): void {
    for (const listener of [...this.changeListeners]) listener();
  }

  private async acceptRedriven(stored: StoredMessage, sourceArn: string): Promise<void> {
    const state = await this.write({
      ...stored,
      receiveCount: 0,
      firstReceiveTimestamp: null,
      deadLetterSourceArn: sourceArn,
    });
    this.add([state]);
  }

  /** One after the other, so that the dead-letter queue keeps their order (FIFO). */
  private async moveAllToDeadLetterQueue(states: MessageState[]): Promise<void> {
    let failure: unknown;
    for (const state of states) {
      // After a failed move the rest stay here, visible again, to be moved by a later receive.
      if (failure !== undefined) state.visibleAt = 0;
      else await this.moveToDeadLetterQueue(state).catch((error: unknown) => (failure = error ?? 'failed'));
    }
    if (failure !== undefined) throw failure;
  }

  private async moveToDeadLetterQueue(state: MessageState): Promise<void> {
    if (!this.redrive) return;
    // Copy first, then delete: a crash in between duplicates the message rather than losing it.
    try {
      await this.redrive.deadLetterQueue.acceptRedriven(state.stored, this.arn);
    } catch (error) {
      state.visibleAt = 0;
      throw error;
    }
    this.forget(state);
    await unlink(join(this.messagesDir, state.fileName)).catch(ignoreMissing);
  }

  /** Appends the chosen messages' receive counts to the receive log and flushes it (one fsync). */
  private logReceives(states: MessageState[]): Promise<void> {
    const lines = states.map(receiveLineText).join('');
    const appended = this.receiveLogTail.then(async () => {
      // Led by a newline, so a line torn by a crash never swallows the first line of the next append.
      await writeFile(this.receiveLogPath, `\n${lines}`, { flag: 'a', flush: true });
      this.receiveLogLines += states.length;
      if (this.receiveLogLines > RECEIVE_LOG_FOLD_LINES) await this.foldReceiveLog();
    });
    // A failed append fails this receive only; the next one appends again.
    this.receiveLogTail = appended.catch(() => undefined);
    return appended;
  }

  /** Rewrites the receive log with one line per message still queued that was received. */
  private async foldReceiveLog(): Promise<void> {
    const lines = [...this.messages.values()]
      .filter((state) => state.stored.receiveCount > 0)
      .map(receiveLineText);
    const tempPath = join(this.dir, `${TEMP_PREFIX}${RECEIVE_LOG}`);
    await writeFile(tempPath, lines.join(''), { flush: true });
    await rename(tempPath, this.receiveLogPath);
    this.receiveLogLines = lines.length;
  }

  /** The receive counts logged so far, by message file (the highest count of each). */
  private async readReceiveLog(): Promise<Map<string, ReceiveLine>> {
    const counts = new Map<string, ReceiveLine>();
    let text: string;
    try {
      text = await readFile(this.receiveLogPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return counts;
      throw error;
    }
    for (const raw of text.split('\n')) {
      const line = parseReceiveLine(raw);
      if (!line) continue;
      this.receiveLogLines++;
      const known = counts.get(line.file);
      if (!known || line.count > known.count) counts.set(line.file, line);
    }
    return counts;
  }

  private forget(state: MessageState): void {
    this.messages.delete(state.stored.messageId);
    if (state.receiptHandle) this.byReceipt.delete(state.receiptHandle);
  }

  private async write(stored: StoredMessage): Promise<MessageState> {
    const fileName = `${String(stored.sentTimestamp).padStart(15, '0')}-${String(this.sequence++).padStart(9, '0')}-${stored.messageId}.json`;
    await writeAtomically(this.messagesDir, fileName, stored);
    return { fileName, stored, visibleAt: stored.visibleFrom ?? 0, receiptHandle: null };
  }

  private add(states: MessageState[]): void {
    for (const state of states) {
      this.messages.set(state.stored.messageId, state);
      // After a restart, messages still queued keep their deduplication ids.
      const { deduplicationId, sentTimestamp, deadLetterSourceArn } = state.stored;
      if (this.fifo && deduplicationId && !deadLetterSourceArn && !this.deduplication.has(deduplicationId))
        this.deduplication.set(deduplicationId, sentTimestamp);
    }
    this.notifyChange();
  }

  private findByReceipt(receiptHandle: string): MessageState | undefined {
    return this.byReceipt.get(receiptHandle);
  }

  /**
   * Picks up messages that another process (a CLI such as replay) wrote into the folder since
   * this queue was opened. Sending from other processes is safe because every file lands whole.
   */
  async refresh(): Promise<void> {
    const known = new Set<string>();
    for (const state of this.messages.values()) known.add(state.fileName);
    const names = (await readdir(this.messagesDir)).sort();
    const found: MessageState[] = [];
    for (const name of names) {
      if (!name.endsWith('.json') || name.startsWith(TEMP_PREFIX) || known.has(name)) continue;
      const stored = await readStored(join(this.messagesDir, name));
      if (stored && !this.messages.has(stored.messageId)) {
        found.push({ fileName: name, stored, visibleAt: stored.visibleFrom ?? 0, receiptHandle: null });
      }
    }
    if (found.length > 0) this.add(found);
  }

  private async load(): Promise<void> {
    await mkdir(this.messagesDir, { recursive: true });
    const names = (await readdir(this.messagesDir)).sort();
    for (const name of names) {
      // A temp file is a write interrupted by a crash (its message was never acknowledged to the
      // sender), unless it is young: then another process that has this folder open (the platform,
      // while a CLI opens the queue to send) is writing it this moment.
      if (!name.startsWith(TEMP_PREFIX)) continue;
      const path = join(this.messagesDir, name);
      const written = await stat(path).catch(() => undefined);
      if (written && Date.now() - written.mtimeMs > ABANDONED_TEMP_FILE_MS) await rm(path, { force: true });
    }
    const received = await this.readReceiveLog();
    await this.refresh();
    for (const state of this.messages.values()) {
      const line = received.get(state.fileName);
      if (!line || line.count <= state.stored.receiveCount) continue;
      state.stored = { ...state.stored, receiveCount: line.count, firstReceiveTimestamp: line.first || null };
    }
    this.sequence = names.length;
  }

  private toRecord(state: MessageState): SQSRecord {
    const { stored } = state;
    return {
      messageId: stored.messageId,
      receiptHandle: state.receiptHandle ?? '',
      body: stored.body,
      attributes: {
        ApproximateReceiveCount: String(stored.receiveCount),
        SentTimestamp: String(stored.sentTimestamp),
        SenderId: 'LOCAL',
        ApproximateFirstReceiveTimestamp: String(stored.firstReceiveTimestamp ?? this.clock()),
        ...(stored.deadLetterSourceArn ? { DeadLetterQueueSourceArn: stored.deadLetterSourceArn } : {}),
        ...(this.fifo && {
          MessageGroupId: stored.groupId ?? '',
          MessageDeduplicationId: stored.deduplicationId ?? '',
          // The file name starts with the sent time and a counter: it orders like SQS's sequence number.
          SequenceNumber: state.fileName.slice(0, 25).replace('-', ''),
        }),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(stored.body, 'utf8').digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: this.arn,
      awsRegion: this.region,
    };
  }
}

async function writeAtomically(dir: string, fileName: string, stored: StoredMessage): Promise<void> {
  const tempPath = join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
  // flush: fsync before the file is closed, so the rename below publishes a whole, durable file.
  await writeFile(tempPath, JSON.stringify(stored), { flag: 'wx', flush: true });
  await rename(tempPath, join(dir, fileName));
}

/** A message's receive count as one line of the receive log. */
function receiveLineText(state: MessageState): string {
  const line: ReceiveLine = {
    file: state.fileName,
    count: state.stored.receiveCount,
    first: state.stored.firstReceiveTimestamp ?? 0,
  };
  return `${JSON.stringify(line)}\n`;
}

/** A receive-log line, or undefined for a torn or foreign one (a crash mid-append). */
function parseReceiveLine(raw: string): ReceiveLine | undefined {
  if (raw.length === 0) return undefined;
  try {
    const value = JSON.parse(raw) as Partial<ReceiveLine>;
    if (typeof value.file !== 'string' || typeof value.count !== 'number' || typeof value.first !== 'number')
      return undefined;
    return { file: value.file, count: value.count, first: value.first };
  } catch {
    return undefined;
  }
}

async function readStored(path: string): Promise<StoredMessage | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as StoredMessage;
  } catch (error) {
    // Deleted between readdir and read (e.g. consumed): nothing to add.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
