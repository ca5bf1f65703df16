/** Invoices processed and failed, counted by the pipeline and read (and reset) by each heartbeat. */
export function createThroughput() {
  let processed = 0;
  let failed = 0;
  return {
    processed(count = 1) {
      processed += count;
    },
    failed(count = 1) {
      failed += count;
    },
    takeSinceLast() {
      const taken = { processed, failed };
      processed = 0;
      failed = 0;
      return taken;
    },
  };
}

export type Throughput = ReturnType<typeof createThroughput>;
