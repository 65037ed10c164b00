import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { rest, startService, type ServiceProcess , LIGHT_START } from '../support/service-process';
import { tempDir } from '../support/temp-dirs';

/**
 * Swagger UI at /docs in a real headless Chromium (Debian's, installed by scripts/install-chromium.sh)
 * against the real service: every operation listed, and "Try it out" drives create → insert → search.
 */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');
const COLLECTION = 'swagger_ui_browser';

jest.setTimeout(300_000);

/** Headless Debian Chromium with a fresh profile (--user-data-dir), which playwright takes as the persistent context's dir. */
function launchChromium(profileDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1280, height: 2000 },
  });
}

/** The operation block for METHOD path, as Swagger UI renders it. */
function operationIn(page: Page, method: string, path: string): Locator {
  return page.locator(`.opblock.opblock-${method.toLowerCase()}`).filter({ has: page.locator(`.opblock-summary-path[data-path="${path}"]`) });
}

/** The status and body of the block's live response, once it shows `status` (or any, when not given). */
async function liveResponse(block: Locator, status?: number): Promise<{ status: number; body: any }> {
  const live = block.locator('.live-responses-table tr.response');
  const cell = status === undefined ? live.locator('.response-col_status') : live.locator('.response-col_status', { hasText: String(status) });
  await cell.waitFor();
  const shown = Number((await live.locator('.response-col_status').innerText()).trim());
  const text = await live.locator('.response-col_description .highlight-code pre').first().innerText();
  return { status: shown, body: JSON.parse(text) };
}

/** A real service and a browser showing its /docs, torn down together. */
interface DocsSession {
  service: ServiceProcess;
  browser: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

async function openDocs(label: string, env: Record<string, string> = {}): Promise<DocsSession> {
  const service = await startService(await tempDir(label), { ...LIGHT_START, ...env });
  const browser = await launchChromium(await tempDir(`chromium-${label}`));
  const page = browser.pages()[0] ?? (await browser.newPage());
  // Generous: Swagger UI renders ~45 operations, slowly when other jobs share the two cores.
  page.setDefaultTimeout(60_000);
  await page.goto(`${service.baseUrl}/docs`);
  await page.locator('.opblock').first().waitFor();
  return {
    service,
    browser,
    page,
    async close() {
      await browser.close();
      await service.stop();
    },
  };
}

describe('Swagger UI in a real browser', () => {
  let session: DocsSession;
  let service: ServiceProcess;
  let page: Page;

  beforeAll(async () => {
    session = await openDocs('swagger');
    ({ service, page } = session);
  });

  afterAll(() => session?.close());

  const operation = (method: string, path: string): Locator => operationIn(page, method, path);

  /** Expands the block, presses "Try it out", fills path parameters and the JSON body, executes, reads the live response. */
  async function tryItOut(method: string, path: string, params: Record<string, string>, body: unknown): Promise<{ status: number; body: any }> {
    const block = operation(method, path);
    await block.locator('.opblock-summary').first().click();
    await block.locator('button.try-out__btn').click();
    for (const [name, value] of Object.entries(params)) {
      await block.locator(`tr[data-param-name="${name}"] input`).fill(value);
    }
    await block.locator('textarea.body-param__text').fill(JSON.stringify(body, null, 2));
    await block.locator('button.execute').click();
    return liveResponse(block);
  }

  it('lists every operation of /openapi.json', async () => {
    const spec = (await rest(service.baseUrl, 'GET', '/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(spec.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    const shown = await page.locator('.opblock').evaluateAll((blocks) =>
      blocks.map((b) => {
        const method = b.querySelector('.opblock-summary-method')?.textContent?.trim() ?? '';
        const path = b.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? '';
        return `${method.toUpperCase()} ${path}`;
      }),
    );
    expect(documented.length).toBeGreaterThan(20);
    expect(shown.sort()).toEqual(documented.sort());
  });

  it('creates a collection, inserts vectors and searches through "Try it out"', async () => {
    const created = await tryItOut('POST', '/v1/collections', {}, { name: COLLECTION, description: 'made in Swagger UI', vector_dim: 4 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ success: true });

    const vectors = [
      { id: 'ui-1', vector: [1, 0, 0, 0], metadata: { genre: 'scifi' } },
      { id: 'ui-2', vector: [0, 1, 0, 0], metadata: { genre: 'poetry' } },
    ];
    const inserted = await tryItOut('POST', '/v1/collections/{name}/vectors', { name: COLLECTION }, { vectors });
    expect(inserted.status).toBe(200);
    expect(inserted.body).toMatchObject({ ids: ['ui-1', 'ui-2'], success: true });

    const found = await tryItOut('POST', '/v1/collections/{name}/search', { name: COLLECTION }, { query_vector: [0.9, 0.1, 0, 0], options: { topk: 2 } });
    expect(found.status).toBe(200);
    expect(found.body.results.map((r: { id: string }) => r.id)).toEqual(['ui-1', 'ui-2']);

    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'swagger-ui.png'), fullPage: true });

    // The page's calls really reached the store.
    const stats = await rest(service.baseUrl, 'GET', `/v1/collections/${COLLECTION}/stats`);
    expect(stats).toMatchObject({ status: 200, body: { name: COLLECTION, vector_count: 2 } });
    const stored = await rest(service.baseUrl, 'GET', `/v1/collections/${COLLECTION}/vectors/ui-1`);
    expect(stored).toMatchObject({ status: 200, body: { vector: { id: 'ui-1', vector: [1, 0, 0, 0], metadata: { genre: 'scifi' } } } });
  });
});

describe('Swagger UI on a service with API keys', () => {
  const KEY = 'swagger-ui-admin-key-0001';
  let session: DocsSession;
  let service: ServiceProcess;
  let page: Page;

  beforeAll(async () => {
    session = await openDocs('swagger-auth', { API_KEYS: KEY });
    ({ service, page } = session);
  });

  afterAll(() => session?.close());

  it('answers 401 before Authorize, and the same call succeeds once the key is entered, also after a reload', async () => {
    const block = operationIn(page, 'POST', '/v1/collections');
    await block.locator('.opblock-summary').first().click();
    await block.locator('button.try-out__btn').click();
    await block.locator('textarea.body-param__text').fill(JSON.stringify({ name: 'authorized_in_ui', vector_dim: 2 }));
    await block.locator('button.execute').click();
    const refused = await liveResponse(block, 401);
    expect(refused.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });

    await page.locator('.auth-wrapper button.authorize').click();
    const dialog = page.locator('.modal-ux');
    await dialog.locator('input[type="text"], input[type="password"]').first().fill(KEY);
    await dialog.locator('button.modal-btn.auth.authorize').click();
    await dialog.locator('button.btn-done').click();

    await block.locator('button.execute').click();
    const created = await liveResponse(block, 201);
    expect(created.body).toMatchObject({ success: true });
    expect((await rest(service.baseUrl, 'GET', '/v1/collections/authorized_in_ui', undefined, { authorization: `Bearer ${KEY}` })).status).toBe(200);

    // persistAuthorization: the key survives a reload of the page.
    await page.reload();
    const list = operationIn(page, 'GET', '/v1/collections');
    await list.locator('.opblock-summary').first().click();
    await list.locator('button.try-out__btn').click();
    await list.locator('button.execute').click();
    const listed = await liveResponse(list, 200);
    expect(listed.body).toEqual({ names: ['authorized_in_ui'] });
  });
});
