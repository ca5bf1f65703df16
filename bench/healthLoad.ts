/**
 * The load generator of bench/health, run as its own process so that its work does not share
 * the daemon's event loop: GET `url` at a fixed rate, open loop. Request i is due at
 * start + i/rate whether or not earlier answers have come, and its latency is counted from when
 * it was due, so a daemon that stalls is charged for the queue it builds (no coordinated
 * omission). Prints one JSON line: { latencies: ms[], errors, statuses, seconds }.
 *
 *   node bench/healthLoad.ts URL RATE SECONDS
 */
import http from 'node:http';

const [url, rateText, secondsText] = process.argv.slice(2);
const rate = Number(rateText);
const seconds = Number(secondsText);
const total = Math.round(rate * seconds);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const latencies: number[] = [];
const statuses: Record<string, number> = {};
let errors = 0;
let done = 0;

function fire(due: number, finished: () => void) {
  const request = http.get(url!, { agent }, (response) => {
    response.resume();
    response.on('end', () => {
      latencies.push(performance.now() - due);
      statuses[response.statusCode!] = (statuses[response.statusCode!] ?? 0) + 1;
      finished();
    });
  });
  request.on('error', () => {
    errors++;
    finished();
  });
}

const start = performance.now() + 50;
const allDone = new Promise<void>((resolve) => {
  const finished = () => {
    if (++done === total) resolve();
  };
  void (async () => {
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      fire(due, finished);
    }
  })();
});
await allDone;
agent.destroy();
process.stdout.write(
  JSON.stringify({ latencies, errors, statuses, seconds: (performance.now() - start) / 1000 }) + '\n',
);
