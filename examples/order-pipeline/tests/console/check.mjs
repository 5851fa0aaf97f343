// The console's browser checks (run by ../console.rs): headless Chromium, driven by playwright-core, looks at the
// console of a served order pipeline and at the file `graph --html` wrote, as a person would, with every request to
// anything but the service (or the file) refused and recorded.
//
// One argument, a JSON object: playwright (the playwright-core folder), chromium (the browser), base (the service's
// http://127.0.0.1:PORT), machine and machineArn, succeeded / failed / running (the ARNs of executions A, B and C),
// events (how many events GetExecutionHistory returned for A), lines (A's order lines), html (the graph --html file)
// and screenshots (the folder for the PNGs). Exits non-zero with the first failed check, after a failure.png.

import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const config = JSON.parse(process.argv[2]);
const { chromium } = createRequire(path.join(config.playwright, 'package.json'))('playwright-core');

/** Every wait's limit. */
const TIMEOUT = 15_000;
/** What the status words of the graph's nodes are, by `data-status`. */
const WORDS = {
  succeeded: 'Succeeded', failed: 'Failed', caught: 'Caught', running: 'Running', cancelled: 'Cancelled',
  'not-run': 'Not run',
};
const ALL_STATES = [
  'ValidateOrder', 'CheckAmount', 'HoldForReview', 'Fulfil', 'ReserveStock', 'ChargeCard', 'PackLines', 'PackItem',
  'ShipOrder', 'RecordShipment', 'Summarise', 'Done', 'OutOfStock', 'Rejected',
];

const refused = []; // requests to anything but the service or the file
const pageErrors = []; // uncaught exceptions in the pages
const consoleErrors = []; // console.error messages (reported, not failures)
const dialogs = []; // the console promises none
let current = null; // the page a failure screenshot shows

class CheckFailed extends Error {}
function fail(message) {
  throw new CheckFailed(message);
}

function log(message) {
  console.log(`[${(performance.now() / 1000).toFixed(1)} s] ${message}`);
}

async function shot(page, name) {
  await noJunkText(page, name);
  const file = path.join(config.screenshots, name);
  await page.screenshot({ path: file, fullPage: true });
  log(`screenshot ${file}`);
}

/** Lets through only the requests `allowed` accepts; aborts and records every other. */
async function guard(context, allowed) {
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (allowed(url)) return route.continue();
    refused.push(url);
    return route.abort('blockedbyclient');
  });
}

function noRefusedRequests(where) {
  if (refused.length) {
    fail(`${where}: the console asked for what is not the service's (the page must load with no network): ` +
      refused.join(', '));
  }
  if (pageErrors.length) fail(`${where}: the page threw: ${pageErrors.join(' | ')}`);
  if (dialogs.length) fail(`${where}: the page opened a dialog (the console promises none): ${dialogs.join(' | ')}`);
}

/** Waits (at most TIMEOUT) until `predicate(arg)` holds in the page; otherwise fails with `what` and what the page
 * has: `describe(arg)` (run in the page, so it may use nothing from this file), or, for a selector, its text. */
async function waitUntil(page, what, predicate, arg, describe) {
  try {
    await page.waitForFunction(predicate, arg, { timeout: TIMEOUT, polling: 100 });
  } catch (error) {
    let actual = '';
    if (describe) {
      const [fn, fnArg] = typeof describe === 'string' ? [describeText, [describe]] : [describe, arg];
      actual = await page.evaluate(fn, fnArg).catch((e) => `(the page could not be read: ${e.message})`);
    }
    const why = error.name === 'TimeoutError' ? `not so after ${TIMEOUT / 1000} s` : error.message;
    fail(`${what}: ${why}${actual ? `; the page has ${actual}` : ''}`);
  }
}

/** The graph's nodes as text, for failure messages (runs in the page). */
const describeNodes = () =>
  [...document.querySelectorAll('#graph g.node')]
    .map((n) => `${n.dataset.state}: status=${n.dataset.status} retries=${n.dataset.retries} ` +
      `text=${JSON.stringify(n.textContent.replace(/\s+/g, ' ').trim())}`)
    .join('; ') || '(no #graph g.node)';

/** The text (and data-status) of `selector`, or of the state panel when it is missing (runs in the page). */
const describeText = ([selector]) => {
  const element = document.querySelector(selector);
  if (element) {
    return `${selector} = ${JSON.stringify(element.textContent.replace(/\s+/g, ' ').trim().slice(0, 500))}` +
      (element.dataset.status === undefined ? '' : ` (data-status=${element.dataset.status})`);
  }
  const panel = document.querySelector('#state-panel');
  return `no ${selector}; #state-panel = ` +
    (panel ? JSON.stringify(panel.textContent.replace(/\s+/g, ' ').trim().slice(0, 800)) : '(none)');
};

async function open(context, url, label) {
  const page = await context.newPage();
  current = page;
  page.setDefaultTimeout(TIMEOUT);
  page.on('pageerror', (e) => pageErrors.push(`${label}: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(`${label}: ${m.text()}`));
  page.on('dialog', (d) => {
    dialogs.push(`${label}: ${d.type()} ${JSON.stringify(d.message())}`);
    d.accept().catch(() => {});
  });
  log(`${label}: ${url}`);
  const response = await page.goto(url, { waitUntil: 'load', timeout: TIMEOUT });
  if (url.startsWith('http') && response && !response.ok()) fail(`${label}: ${url} answered HTTP ${response.status()}`);
  await waitUntil(page, `${label}: document.body.dataset.ready === "true"`,
    () => document.body?.dataset.ready === 'true', undefined,
    () => `body data-ready=${JSON.stringify(document.body?.dataset.ready)}, title ${JSON.stringify(document.title)}, ` +
      `text ${JSON.stringify((document.body?.innerText ?? '').replace(/\s+/g, ' ').slice(0, 400))}`);
  return page;
}

/** Fails if the page shows what a script bug leaves: `[object HTMLSpanElement]`, `Invalid Date`, or, outside
 * the JSON shown in `pre`, `undefined`, `NaN` or a lone `null`. */
async function noJunkText(page, label) {
  const junk = await page.evaluate(() => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.nodeValue.trim();
      const element = node.parentElement;
      if (!text || element.closest('script, style') || !element.checkVisibility()) continue;
      const inJson = element.closest('pre, code, textarea');
      if (/\[object \w+\]|Invalid Date/.test(text) ||
          (!inJson && (/\bundefined\b|\bNaN\b/.test(text) || text === 'null'))) {
        const around = (element.closest('section, .card, td, dd, div') ?? element).innerText.replace(/\s+/g, ' ');
        return `${JSON.stringify(text)} in <${element.tagName.toLowerCase()}> within ${JSON.stringify(around.slice(0, 300))}`;
      }
    }
    return null;
  });
  if (junk) fail(`${label}: the page shows a script's leftovers: ${junk}`);
}

/** Checks that `state`'s node shows `status` (attribute and word), with `retries` retries. */
async function expectNode(page, label, state, status, retries = 0) {
  await waitUntil(page, `${label}: g.node[data-state="${state}"] with data-status="${status}" data-retries="${retries}"`,
    ([state, status, retries]) => {
      const nodes = document.querySelectorAll(`#graph g.node[data-state="${CSS.escape(state)}"]`);
      return nodes.length === 1 && nodes[0].dataset.status === status && nodes[0].dataset.retries === String(retries);
    }, [state, status, retries], describeNodes);
  const text = await page.$eval(`#graph g.node[data-state="${state}"]`, (n) => n.textContent.replace(/\s+/g, ' '));
  if (!text.includes(state)) fail(`${label}: ${state}'s node does not show its name: ${JSON.stringify(text)}`);
  if (!text.toLowerCase().includes(WORDS[status].toLowerCase())) {
    fail(`${label}: ${state}'s node is ${status} but does not say "${WORDS[status]}" (not colour alone): ` +
      JSON.stringify(text));
  }
  if (retries > 0 && !new RegExp(`${retries}\\s*retr`, 'i').test(text)) {
    fail(`${label}: ${state}'s node retried ${retries} time(s) but does not say "${retries} retr...": ` +
      JSON.stringify(text));
  }
}

async function expectNodes(page, label, expected) {
  for (const [state, status, retries] of expected) await expectNode(page, label, state, status, retries);
  const shown = await page.$$eval('#graph g.node', (nodes) => nodes.map((n) => n.dataset.state));
  const missing = ALL_STATES.filter((s) => !shown.includes(s));
  if (missing.length) fail(`${label}: the graph has no node for ${missing.join(', ')}`);
}

/** Clicks `state`'s node where a person would: on its label, else on a point of it that no other node covers
 * (a Map's or Parallel's box holds other nodes, which may sit at its centre). */
async function clickNode(page, label, state) {
  const point = await page.evaluate((state) => {
    const nodes = document.querySelectorAll(`#graph g.node[data-state="${CSS.escape(state)}"]`);
    if (nodes.length !== 1) return { error: `${nodes.length} g.node[data-state="${state}"]` };
    const node = nodes[0];
    node.scrollIntoView({ block: 'center', inline: 'center' });
    const mine = (x, y) => {
      if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) return false;
      const hit = document.elementFromPoint(x, y);
      return hit && hit.closest('g.node') === node;
    };
    for (const text of node.querySelectorAll('text')) {
      if (text.closest('g.node') !== node) continue;
      const box = text.getBoundingClientRect();
      const [x, y] = [box.left + box.width / 2, box.top + box.height / 2];
      if (mine(x, y)) return { x, y };
    }
    const box = node.getBoundingClientRect();
    for (const fy of [0.5, 0.1, 0.05, 0.25, 0.75, 0.9, 0.95]) {
      for (const fx of [0.5, 0.25, 0.75, 0.1, 0.9]) {
        const [x, y] = [box.left + box.width * fx, box.top + box.height * fy];
        if (mine(x, y)) return { x, y };
      }
    }
    return { error: `no point of its box ${JSON.stringify(box)} is the node's own (something covers it)` };
  }, state);
  if (point.error) fail(`${label}: cannot click ${state}: ${point.error}`);
  await page.mouse.click(point.x, point.y);
  await waitUntil(page, `${label}: after a click on ${state}, #state-panel h2 names it`,
    (state) => document.querySelector('#state-panel h2')?.textContent.includes(state), state,
    '#state-panel h2');
}

async function expectText(page, label, selector, needle) {
  await waitUntil(page, `${label}: ${selector} contains ${JSON.stringify(needle)}`,
    ([selector, needle]) => document.querySelector(selector)?.textContent.includes(needle), [selector, needle],
    describeText);
}

async function expectEvents(page, label) {
  await waitUntil(page, `${label}: #events has one tbody tr for each of the ${config.events} events`,
    (count) => document.querySelectorAll('#events tbody tr').length === count, config.events,
    () => `${document.querySelectorAll('#events tbody tr').length} rows`);
}

/** What A's page and the file show: every state that ran, ChargeCard's retry, ChargeCard's output. */
async function checkSucceeded(page, label) {
  await waitUntil(page, `${label}: #execution-status[data-status="SUCCEEDED"]`,
    () => document.querySelector('#execution-status')?.dataset.status === 'SUCCEEDED', undefined,
    '#execution-status');
  await expectNodes(page, label, [
    ['ValidateOrder', 'succeeded'], ['CheckAmount', 'succeeded'], ['Fulfil', 'succeeded'],
    ['ReserveStock', 'succeeded'], ['ChargeCard', 'succeeded', 1], ['PackLines', 'succeeded'],
    ['PackItem', 'succeeded'], ['ShipOrder', 'succeeded'], ['RecordShipment', 'succeeded'],
    ['Summarise', 'succeeded'], ['Done', 'succeeded'],
    ['HoldForReview', 'not-run'], ['OutOfStock', 'not-run'], ['Rejected', 'not-run'],
  ]);
  await clickNode(page, label, 'ChargeCard');
  await expectText(page, label, '#state-panel [data-field="output"]', 'pay-mocked');
  await expectText(page, label, '#state-panel [data-field="attempts"]', '2');
  const error = await page.$eval('#state-panel', (p) => ({
    field: p.querySelector('[data-field="error"]')?.textContent ?? null, all: p.textContent,
  }));
  if (!(error.field ?? '').includes('PaymentGatewayTimeout') && !error.all.includes('PaymentGatewayTimeout')) {
    fail(`${label}: ChargeCard's panel does not mention the first attempt's PaymentGatewayTimeout: ` +
      `[data-field="error"] = ${JSON.stringify(error.field)}, panel = ${JSON.stringify(error.all.replace(/\s+/g, ' '))}`);
  }
  await expectEvents(page, label);
}

const browser = await chromium.launch({
  executablePath: config.chromium,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  timeout: TIMEOUT,
});
log(`Chromium ${browser.version()}`);
const viewport = { width: 1400, height: 900 };
const executionUrl = (arn) => `${config.base}/executions/${encodeURIComponent(arn)}`;
let status = 0;
try {
  const served = await browser.newContext({ viewport });
  await guard(served, (url) => url === config.base || url.startsWith(`${config.base}/`));

  // The state machines.
  let page = await open(served, `${config.base}/`, 'index');
  const row = `#machines tbody tr[data-name="${config.machine}"]`;
  await waitUntil(page, `index: ${row}`, (row) => document.querySelector(row) !== null, row,
    () => `rows ${JSON.stringify([...document.querySelectorAll('#machines tbody tr')].map((r) => r.dataset.name))}`);
  const link = await page.$eval(row, (row, arn) => [...row.querySelectorAll('a[href]')].findIndex((a) => {
    const { origin, pathname } = new URL(a.href);
    return origin === location.origin && pathname.startsWith('/state-machines/') &&
      decodeURIComponent(pathname.slice('/state-machines/'.length)) === arn;
  }), config.machineArn);
  if (link < 0) fail(`index: the ${config.machine} row has no link to /state-machines/<its ARN, encoded>`);
  // Its executions by status: A succeeded, B failed, C runs.
  const rowText = await page.$eval(row, (row) => row.innerText.replace(/\s+/g, ' '));
  for (const status of ['SUCCEEDED', 'FAILED', 'RUNNING']) {
    if (!rowText.toUpperCase().includes(status)) fail(`index: the ${config.machine} row does not count its ${status} execution: ${JSON.stringify(rowText)}`);
  }
  await shot(page, 'index.png');
  await page.locator(`${row} a[href]`).nth(link).click();
  await page.waitForURL((url) => url.pathname.startsWith('/state-machines/'));
  await waitUntil(page, 'state machine page: document.body.dataset.ready === "true"',
    () => document.body?.dataset.ready === 'true');
  // Its executions, each a link to its page.
  const executions = [config.succeeded, config.failed, config.running];
  await waitUntil(page, 'state machine page: a link to each of the three executions\' pages',
    (arns) => arns.every((arn) => [...document.querySelectorAll('a[href]')].some((a) => {
      const { origin, pathname } = new URL(a.href);
      return origin === location.origin && pathname.startsWith('/executions/') &&
        decodeURIComponent(pathname.slice('/executions/'.length)) === arn;
    })), executions,
    () => [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')).join(', '));
  await shot(page, 'state-machine.png');
  // The start form: input that is not JSON is refused on the page (nothing is sent); a valid one starts an
  // execution (with a test case of the mock file) and opens its page.
  const machinePage = page.url();
  await page.fill('#start-input', '{"id": "o-form",');
  await page.click('#start-button');
  await waitUntil(page, 'state machine page: #start-error says the input is not JSON',
    () => /not JSON/.test(document.querySelector('#start-error')?.textContent || ''), undefined, '#start-error');
  if (page.url() !== machinePage) fail(`state machine page: input that is not JSON still left the page for ${page.url()}`);
  await page.fill('#start-input', JSON.stringify({ id: 'o-form', customer: 'ada', total: 4200, lines: [{ sku: 'a', quantity: 1 }] }));
  await page.fill('#start-name', 'from-the-form');
  await page.selectOption('#start-test-case', 'HappyPath');
  await page.click('#start-button');
  await page.waitForURL((url) => url.pathname.startsWith('/executions/'), { timeout: TIMEOUT });
  await waitUntil(page, 'the execution started from the form: SUCCEEDED, named from-the-form',
    () => document.querySelector('#execution-status')?.dataset.status === 'SUCCEEDED' &&
      document.querySelector('h1')?.textContent.includes('from-the-form'), undefined, 'h1');
  await expectNodes(page, 'the execution started from the form', [['RecordShipment', 'succeeded'], ['Done', 'succeeded']]);
  noRefusedRequests('index and state machine pages');
  await page.close();

  // A: succeeded after a retry, through a Map.
  page = await open(served, executionUrl(config.succeeded), 'A (succeeded)');
  await checkSucceeded(page, 'A (succeeded)');
  await shot(page, 'execution-succeeded.png');
  // The README's picture: the page down to the graph and the selected state's panel (not the long event table).
  const bottom = await page.evaluate(() => document.querySelector('.split').getBoundingClientRect().bottom + window.scrollY);
  const picture = path.join(config.screenshots, 'execution-page.png');
  await page.screenshot({ path: picture, fullPage: true, clip: { x: 0, y: 0, width: page.viewportSize().width, height: Math.ceil(bottom + 16) } });
  log(`screenshot ${picture}`);
  await clickNode(page, 'A (succeeded)', 'PackLines');
  await waitUntil(page, `A (succeeded): PackLines' panel lists its ${config.lines.length} iteration(s) as [data-iteration]`,
    (count) => document.querySelectorAll('#state-panel [data-iteration]').length === count, config.lines.length,
    '#state-panel');
  await shot(page, 'execution-succeeded-map.png');
  for (const [index, line] of config.lines.entries()) {
    const label = `A (succeeded), iteration ${index}`;
    if (index > 0) await clickNode(page, label, 'PackLines');
    await page.click(`#state-panel [data-iteration="${index}"]`);
    await expectNode(page, label, 'PackItem', 'succeeded');
    await clickNode(page, label, 'PackItem');
    // pack_item: up to 10 units a parcel.
    const expected = { sku: line.sku, parcels: Math.ceil(line.quantity / 10) };
    const selector = '#state-panel [data-field="output"]';
    await waitUntil(page, `${label}: PackItem's ${selector} shows ${JSON.stringify(expected)}`,
      ([selector, expected]) => {
        const text = document.querySelector(selector)?.textContent.replace(/\s+/g, '') ?? '';
        return Object.entries(expected).every(([k, v]) => text.includes(`"${k}":${JSON.stringify(v)}`));
      }, [selector, expected], describeText);
  }
  await shot(page, 'execution-succeeded-iteration.png');
  noRefusedRequests('A\'s page');
  await page.close();

  // B: validate_order's InvalidOrder caught, then Rejected.
  page = await open(served, executionUrl(config.failed), 'B (failed)');
  await waitUntil(page, 'B (failed): #execution-status[data-status="FAILED"]',
    () => document.querySelector('#execution-status')?.dataset.status === 'FAILED', undefined,
    '#execution-status');
  await expectNodes(page, 'B (failed)', [
    ['ValidateOrder', 'caught'], ['Rejected', 'failed'],
    ...ALL_STATES.filter((s) => s !== 'ValidateOrder' && s !== 'Rejected').map((s) => [s, 'not-run']),
  ]);
  await clickNode(page, 'B (failed)', 'ValidateOrder');
  await waitUntil(page, 'B (failed): ValidateOrder\'s panel mentions InvalidOrder',
    () => document.querySelector('#state-panel')?.textContent.includes('InvalidOrder'), undefined,
    '#state-panel');
  await shot(page, 'execution-failed.png');
  noRefusedRequests('B\'s page');
  await page.close();

  // C: waiting in HoldForReview; stopped from its page, which changes without a reload.
  page = await open(served, executionUrl(config.running), 'C (running)');
  await waitUntil(page, 'C (running): #execution-status[data-status="RUNNING"]',
    () => document.querySelector('#execution-status')?.dataset.status === 'RUNNING', undefined,
    '#execution-status');
  await expectNodes(page, 'C (running)', [
    ['ValidateOrder', 'succeeded'], ['CheckAmount', 'succeeded'], ['HoldForReview', 'running'],
    ['Fulfil', 'not-run'], ['Done', 'not-run'],
  ]);
  await page.evaluate(() => { window.__noReload = 1; });
  await shot(page, 'execution-running.png');
  if (!await page.isVisible('#stop')) fail('C (running): no visible #stop while the execution runs');
  await page.click('#stop');
  await waitUntil(page, 'C (after Stop): #execution-status[data-status="ABORTED"] and HoldForReview no longer running',
    () => document.querySelector('#execution-status')?.dataset.status === 'ABORTED' &&
      document.querySelector('#graph g.node[data-state="HoldForReview"]')?.dataset.status !== 'running',
    undefined,
    () => `#execution-status data-status=${document.querySelector('#execution-status')?.dataset.status}; ` +
      `HoldForReview data-status=${document.querySelector('#graph g.node[data-state="HoldForReview"]')?.dataset.status}`);
  if (await page.evaluate(() => window.__noReload) !== 1) fail('C (after Stop): the page reloaded to show the change');
  const holdText = await page.$eval('#graph g.node[data-state="HoldForReview"]', (n) => ({
    status: n.dataset.status, text: n.textContent.replace(/\s+/g, ' '),
  }));
  log(`C (after Stop): HoldForReview is ${holdText.status}: ${JSON.stringify(holdText.text)}`);
  if (WORDS[holdText.status] === undefined) fail(`C (after Stop): HoldForReview's data-status ${holdText.status} is not one of the contract's`);
  if (!holdText.text.toLowerCase().includes(WORDS[holdText.status].toLowerCase())) {
    fail(`C (after Stop): HoldForReview is ${holdText.status} but does not say "${WORDS[holdText.status]}"`);
  }
  await waitUntil(page, 'C (after Stop): #redrive is visible', () => {
    const button = document.querySelector('#redrive');
    return button && button.checkVisibility();
  }, undefined, '#redrive');
  await waitUntil(page, 'C (after Stop): #stop is no longer visible',
    () => !document.querySelector('#stop')?.checkVisibility());
  await shot(page, 'execution-aborted.png');
  // Redrive goes on from HoldForReview: the page shows it running again, still without a reload; then Stop again.
  await page.click('#redrive');
  await waitUntil(page, 'C (after Redrive): RUNNING again, HoldForReview running',
    () => document.querySelector('#execution-status')?.dataset.status === 'RUNNING' &&
      document.querySelector('#graph g.node[data-state="HoldForReview"]')?.dataset.status === 'running',
    undefined, '#execution-status');
  if (await page.evaluate(() => window.__noReload) !== 1) fail('C (after Redrive): the page reloaded to show the change');
  await expectText(page, 'C (after Redrive)', '[data-field="redrives"]', '1');
  await page.click('#stop');
  await waitUntil(page, 'C (stopped again): ABORTED',
    () => document.querySelector('#execution-status')?.dataset.status === 'ABORTED', undefined, '#execution-status');
  noRefusedRequests('C\'s page');
  await served.close();

  // The file `graph --html` wrote from A's history, with no network at all.
  const file = pathToFileURL(config.html).href;
  const offline = await browser.newContext({ viewport, offline: true });
  await guard(offline, (url) => url === file);
  page = await open(offline, file, 'graph --html file');
  await checkSucceeded(page, 'graph --html file');
  await shot(page, 'html-file.png');
  noRefusedRequests('the graph --html file');
  await offline.close();
  log('all checks passed');
} catch (error) {
  status = 1;
  if (current && !current.isClosed()) {
    await current.screenshot({ path: path.join(config.screenshots, 'failure.png'), fullPage: true })
      .then(() => log(`screenshot ${path.join(config.screenshots, 'failure.png')} (${current.url()})`))
      .catch((e) => log(`no failure screenshot: ${e.message}`));
  }
  console.error(`FAILED: ${error instanceof CheckFailed ? error.message : error.stack}`);
  if (refused.length) console.error(`refused requests: ${refused.join(', ')}`);
  if (pageErrors.length) console.error(`page errors: ${pageErrors.join(' | ')}`);
} finally {
  if (consoleErrors.length) console.error(`console errors (not failures): ${consoleErrors.join(' | ')}`);
  await browser.close().catch(() => {});
}
process.exit(status);
