/**
 * Wall time and memory of the phases of a long run (the demo year, the benchmarks). Memory is the resident
 * set of this Node process (which runs the API handler, the queue consumers and the client) and of the
 * DynamoDB Local JVM it started, sampled every 200 ms; a phase's peak is the highest sample within it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { type FunctionRequests, functionCountsSince } from '../../packages/local/src/request-counts.js';

/** One phase as measured. */
export interface PhaseFigures {
  readonly name: string;
  readonly seconds: number;
  /** Peak resident set of this Node process during the phase, MiB. */
  readonly nodePeakMiB: number;
  /** Peak resident set of the DynamoDB Local JVM during the phase, MiB (0 when there is none). */
  readonly dynamodbPeakMiB: number;
  /** CPU time (user + system) of this Node process in the phase, seconds. */
  readonly nodeCpuSeconds: number;
  /** CPU time of the DynamoDB Local JVM in the phase, seconds. */
  readonly dynamodbCpuSeconds: number;
  /** What the phase did, e.g. `{ enrollments: 77665 }`. */
  readonly counts: Readonly<Record<string, number>>;
  /** The AWS requests the phase sent, when they are counted. */
  readonly requests?: FunctionRequests;
}

const SAMPLE_MS = 200;
const MIB = 1024 * 1024;

/** The resident set of a process from /proc, in bytes (0 when it is gone or /proc is absent). */
const residentBytes = (pid: number): number => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
};

/** CPU time (user + system) of a process from /proc, in seconds (0 when it is gone). */
const cpuSecondsOf = (pid: number | undefined): number => {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 a second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
};

const ownCpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/** The pid of a child process of this one running `command` (e.g. `java`), from /proc. */
export const childProcessNamed = (command: string): number | undefined => {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        // pid (comm) state ppid …: comm may hold spaces, so read after its closing parenthesis.
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (comm === command && ppid === process.pid) return Number(entry);
      } catch {
        // the process ended while being read
      }
    }
  } catch {
    // no /proc (not Linux): no figure for the child
  }
  return undefined;
};

/** Records phases one after the other. */
export class PhaseRecorder {
  readonly phases: PhaseFigures[] = [];
  private current:
    | {
        name: string;
        started: number;
        nodePeak: number;
        dbPeak: number;
        nodeCpu: number;
        dbCpu: number;
        requests: FunctionRequests;
      }
    | undefined;
  private readonly timer: NodeJS.Timeout;
  private dynamodbPid: number | undefined;
  private requestCounts: () => FunctionRequests = () => ({});

  constructor() {
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
    this.timer.unref();
  }

  /** The phase running now, if any (to say where a run failed). */
  get running(): string | undefined {
    return this.current?.name;
  }

  /** Names the DynamoDB Local process to sample (found once it has started). */
  watchDynamoDb(pid: number | undefined): void {
    this.dynamodbPid = pid;
  }

  /** Where the AWS requests are counted (the local stack's `requestCounts`). */
  countRequests(read: () => FunctionRequests): void {
    this.requestCounts = read;
  }

  /** Runs `work` as a phase; the counts it returns are recorded with it. */
  async phase<T extends { counts?: Record<string, number> } | undefined>(
    name: string,
    work: () => Promise<T>,
  ): Promise<T> {
    this.current = {
      name,
      started: performance.now(),
      nodePeak: 0,
      dbPeak: 0,
      nodeCpu: ownCpuSeconds(),
      dbCpu: cpuSecondsOf(this.dynamodbPid),
      requests: this.requestCounts(),
    };
    this.sample();
    const result = await work();
    this.sample();
    const { started, nodePeak, dbPeak, nodeCpu, dbCpu, requests } = this.current;
    const sent = functionCountsSince(this.requestCounts(), requests);
    const tenths = (value: number) => Math.round(value * 10) / 10;
    this.phases.push({
      name,
      seconds: tenths((performance.now() - started) / 1000),
      nodePeakMiB: Math.round(nodePeak / MIB),
      dynamodbPeakMiB: Math.round(dbPeak / MIB),
      nodeCpuSeconds: tenths(ownCpuSeconds() - nodeCpu),
      dynamodbCpuSeconds: tenths(Math.max(0, cpuSecondsOf(this.dynamodbPid) - dbCpu)),
      counts: result?.counts ?? {},
      ...(Object.keys(sent).length > 0 && { requests: sent }),
    });
    this.current = undefined;
    return result;
  }

  /** Lifetime peaks: of this process (from the kernel), and of DynamoDB Local (its high-water mark). */
  peaks(): { nodeMiB: number; dynamodbMiB: number } {
    let dynamodb = 0;
    if (this.dynamodbPid !== undefined) {
      try {
        const status = readFileSync(`/proc/${this.dynamodbPid}/status`, 'utf8');
        dynamodb = Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? 0) * 1024;
      } catch {
        dynamodb = Math.max(0, ...this.phases.map((p) => p.dynamodbPeakMiB * MIB));
      }
    }
    return {
      nodeMiB: Math.round((process.resourceUsage().maxRSS * 1024) / MIB),
      dynamodbMiB: Math.round(dynamodb / MIB),
    };
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    if (!this.current) return;
    this.current.nodePeak = Math.max(this.current.nodePeak, process.memoryUsage.rss());
    if (this.dynamodbPid !== undefined) {
      this.current.dbPeak = Math.max(this.current.dbPeak, residentBytes(this.dynamodbPid));
    }
  }
}
