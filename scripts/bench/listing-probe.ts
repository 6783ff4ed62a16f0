/** `GET /api/orders?…` as a client sees it: the latency of one listing page, in milliseconds. */
export async function listingLatency(baseUrl: string, query: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${baseUrl}/api/orders?${query}`);
  await response.arrayBuffer();
  const elapsed = performance.now() - started;
  if (response.status !== 200) throw new Error(`GET /api/orders?${query} answered ${response.status}`);
  return elapsed;
}

/** `samples` listings one after another; latencies ascending. */
export async function sampleListing(baseUrl: string, query: string, samples: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < samples; i += 1) latencies.push(await listingLatency(baseUrl, query));
  return latencies.sort((a, b) => a - b);
}
