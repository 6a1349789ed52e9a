/**
 * One run of bench/consume-ab.ts: reads N records of topic `ab` (6 partitions) from the start
 * with the kafkawire library at the given path; prints records/s and CPU s per million records,
 * timed from the first records received.
 */
const [bootstrap, lib, n] = process.argv.slice(2);
const { Consumer } = (await import(lib)) as typeof import('../../src/index.js');
const N = Number(n);
const c = new Consumer({ bootstrapServers: bootstrap, autoOffsetReset: 'earliest' });
c.assign(Array.from({ length: 6 }, (_, partition) => ({ topic: 'ab', partition })));
let got = 0;
let t0 = 0;
let cpu0 = process.cpuUsage();
while (got < N) {
  const batches = await c.poll({ timeoutMs: 1000 });
  if (t0 === 0 && batches.length > 0) {
    t0 = performance.now();
    cpu0 = process.cpuUsage();
  }
  for (const b of batches) got += b.records.length;
}
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({ rate: N / seconds, cpu: (cpu.user + cpu.system) / 1e6 / (N / 1e6) }));
await c.close();
