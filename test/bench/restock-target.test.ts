import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { restockTarget } from '../../scripts/bench/restock';

// An empty working folder, so a developer's local.settings.json cannot decide the outcome.
const cwd = mkdtempSync(path.join(os.tmpdir(), 'restock-'));
const previous = process.cwd();
process.chdir(cwd);
afterAll(() => {
  process.chdir(previous);
  rmSync(cwd, { recursive: true, force: true });
});

describe('where the benchmark tops up the stock', () => {
  it('uses any key for the embedded host’s in-memory server', () => {
    expect(restockTarget({ mode: 'embedded', endpoint: 'http://127.0.0.1:5555' }, {})).toEqual({
      cosmos: { endpoint: 'http://127.0.0.1:5555', key: 'bench' },
      database: 'petstore',
    });
  });

  it("uses the app's own credential settings for a real account, an identity included", () => {
    const target = restockTarget(
      { mode: 'real', endpoint: 'https://petstore.documents.azure.com:443/' },
      { COSMOS_CREDENTIAL: 'managedidentity', COSMOS_CLIENT_ID: 'client-1', COSMOS_DATABASE: 'shop' },
    );
    expect(target.database).toBe('shop');
    expect(target.cosmos).toMatchObject({ endpoint: 'https://petstore.documents.azure.com:443/', identity: { clientId: 'client-1' } });
  });

  it('says what to set for a real account without a key or an identity', () => {
    expect(() => restockTarget({ mode: 'real', endpoint: 'https://petstore.documents.azure.com:443/' }, {})).toThrow(/COSMOS_CREDENTIAL=managedidentity/);
  });
});
