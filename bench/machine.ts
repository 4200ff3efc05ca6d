import os from 'node:os';

/** The machine a benchmark ran on, as its result names it: CPU model, cores, OS and its release. */
export function machineDescription(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}, ${os.cpus().length} cores, ${os.platform()} ${os.release()}`;
}
