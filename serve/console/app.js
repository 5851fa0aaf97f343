// The stepfn console: state machines, a state machine, and an execution drawn the way the Step Functions console
// draws it. Served by `stepfn serve` (data from its API and /console/api/*), or embedded in the one HTML file
// `graph --html` writes (data in <script id="stepfn-data">, no server). No framework, no build step, no network
// beyond the service itself; the graph is laid out by ELK (elkjs, loaded before this script).
(() => {
  'use strict';

  const embedded = document.getElementById('stepfn-data');
  const main = document.getElementById('main');
  const crumbs = document.getElementById('crumbs');
  const POLL_MS = 1000;
  const MAX_ITERATION_BUTTONS = 100;

  // Every state status, with the icon and word that say it without colour.
  const STATUS = {
    succeeded: ['✓', 'Succeeded'],
    failed: ['✗', 'Failed'],
    caught: ['↪', 'Caught'],
    running: ['⟳', 'Running'],
    cancelled: ['⊘', 'Cancelled'],
    'not-run': ['○', 'Not run'],
    none: ['', ''], // a definition without an execution: nothing to mark
  };
  const EXECUTION_STATUS = {
    RUNNING: '⟳', SUCCEEDED: '✓', FAILED: '✗', TIMED_OUT: '⏱', ABORTED: '⊘', PENDING_REDRIVE: '↻',
  };

  // ---- small helpers ----------------------------------------------------------------------------------------

  /** An element: h('div', {class: 'x', 'data-y': 1, onclick: f}, child, 'text', ...). */
  function h(tag, attrs, ...children) {
    const svg = ['svg', 'g', 'rect', 'path', 'text', 'circle', 'defs', 'marker', 'title', 'tspan'].includes(tag);
    const el = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  function statusBadge(status, id) {
    const icon = EXECUTION_STATUS[status] || '';
    return h('span', { class: `status status-${status}`, id, 'data-status': status }, icon, ' ', status);
  }

  /** Replaces an element's children (nested arrays flattened; null, undefined and false left out). */
  function fill(el, ...children) {
    el.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false)
      .map((c) => (c instanceof Node ? c : document.createTextNode(String(c)))));
  }

  function stateBadge(status) {
    const [icon, word] = STATUS[status] || STATUS['not-run'];
    return h('span', { class: `status status-${status}` }, icon, ' ', word);
  }

  /** A timestamp (epoch seconds or RFC 3339 text) as `2026-11-29 20:31:00.123 UTC`. */
  function when(value) {
    if (value === null || value === undefined || value === '') return '–';
    const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
    if (isNaN(date)) return String(value);
    return date.toISOString().replace('T', ' ').replace('Z', ' UTC');
  }

  function millisOf(value) {
    if (value === null || value === undefined) return null;
    const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
    return isNaN(date) ? null : date.getTime();
  }

  function duration(ms) {
    if (ms === null || ms === undefined || isNaN(ms)) return '–';
    if (ms < 1000) return `${ms} ms`;
    const s = ms / 1000;
    if (s < 60) return `${s.toFixed(3)} s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m} min ${(s - m * 60).toFixed(0)} s`;
    return `${Math.floor(m / 60)} h ${m % 60} min`;
  }

  /** JSON text pretty-printed, or the text as it is. */
  function pretty(text) {
    if (text === null || text === undefined) return '';
    try { return JSON.stringify(JSON.parse(text), null, 2); } catch (_) { return String(text); }
  }

  function field(name, label, value, pre) {
    const body = pre ? h('pre', { 'data-field': name }, value) : h('dd', { 'data-field': name }, value);
    return pre ? [h('h3', {}, label), body] : [h('dt', {}, label), body];
  }

  async function api(operation, request) {
    const response = await fetch('/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': `AWSStepFunctions.${operation}` },
      body: JSON.stringify(request),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(`${answer.__type || response.status}: ${answer.message || ''}`);
    return answer;
  }

  async function read(path) {
    const response = await fetch(path, { cache: 'no-store' });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(`${answer.__type || response.status}: ${answer.message || ''}`);
    return answer;
  }

  function setCrumbs(...items) {
    fill(crumbs, ...items.flatMap((item, i) => [i ? ' / ' : '', item]));
  }

  function ready() {
    document.body.dataset.ready = 'true';
  }

  function failPage(error) {
    fill(main, h('div', { class: 'card' }, h('h2', {}, 'Cannot show this page'),
      h('p', { class: 'error-text', id: 'page-error' }, String(error.message || error))));
    ready();
  }

  const machinePath = (arn) => `/state-machines/${encodeURIComponent(arn)}`;
  const executionPath = (arn) => `/executions/${encodeURIComponent(arn)}`;

  // ---- pages ------------------------------------------------------------------------------------------------

  async function machinesPage() {
    document.title = 'State machines · stepfn';
    setCrumbs(h('span', {}, 'State machines'));
    const { stateMachines } = await read('/console/api/machines');
    const rows = stateMachines.map((m) => {
      const counts = Object.entries(m.executionCounts || {});
      return h('tr', { 'data-name': m.name },
        h('td', {}, h('a', { href: machinePath(m.stateMachineArn) }, m.name)),
        h('td', {}, m.type),
        h('td', {}, when(m.creationDate)),
        h('td', {}, counts.length ? counts.map(([status, n]) => [statusBadge(status), ` ${n} `]) : h('span', { class: 'muted' }, 'none')));
    });
    fill(main, h('div', { class: 'card' },
      h('h1', {}, 'State machines'),
      rows.length ? h('table', { id: 'machines' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Type'), h('th', {}, 'Created'), h('th', {}, 'Executions'))),
        h('tbody', {}, rows))
        : h('p', { class: 'muted' }, 'No state machines yet: create one with CreateStateMachine, or serve a workflow binary.')));
    ready();
  }

  async function machinePage(arn) {
    const { machine, view, testCases } = await read(`/console/api/machine?arn=${encodeURIComponent(arn)}`);
    document.title = `${machine.name} · stepfn`;
    setCrumbs(h('a', { href: '/' }, 'State machines'), h('span', {}, machine.name));
    const executions = h('tbody', {});
    const filter = h('select', { id: 'status-filter', 'aria-label': 'Status filter' },
      ['', 'RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']
        .map((s) => h('option', { value: s }, s || 'All statuses')));
    const more = h('button', { id: 'more-executions', type: 'button', hidden: true }, 'Load more');
    let nextToken = null;
    /** The executions, newest first (ListExecutions' order), 100 a page; `more` appends the next page. */
    async function listExecutions(appending) {
      const request = { stateMachineArn: arn, maxResults: 100 };
      if (filter.value) request.statusFilter = filter.value;
      if (appending && nextToken) request.nextToken = nextToken;
      const answer = await api('ListExecutions', request);
      nextToken = answer.nextToken || null;
      more.hidden = !nextToken;
      const rows = answer.executions.map((e) => h('tr', { 'data-name': e.name },
        h('td', {}, h('a', { href: executionPath(e.executionArn) }, e.name)),
        h('td', {}, statusBadge(e.status)),
        h('td', {}, when(e.startDate)),
        h('td', {}, when(e.stopDate))));
      if (appending) executions.append(...rows);
      else fill(executions, ...(rows.length ? rows : [h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'No executions.'))]));
    }
    more.addEventListener('click', () => listExecutions(true).catch(failPage));
    filter.addEventListener('change', () => listExecutions(false).catch(failPage));

    const input = h('textarea', { id: 'start-input', spellcheck: 'false', 'aria-label': 'Execution input (JSON)' }, '{}');
    const name = h('input', { type: 'text', id: 'start-name', placeholder: 'name (optional)', 'aria-label': 'Execution name' });
    // A test case of the service's mock file (`serve --mock`), when it has some for this machine.
    const testCase = testCases.length
      ? h('select', { id: 'start-test-case', 'aria-label': 'Mock test case' },
        h('option', { value: '' }, 'no test case (real steps)'), testCases.map((name) => h('option', { value: name }, `test case ${name}`)))
      : h('input', { type: 'hidden', id: 'start-test-case', value: '' });
    const problem = h('p', { class: 'error-text', id: 'start-error', role: 'alert' });
    const start = h('button', { class: 'primary', id: 'start-button', type: 'submit' }, 'Start execution');
    const form = h('form', { id: 'start-form' }, input,
      h('div', { class: 'form-row' }, name, testCase, start), problem);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      problem.textContent = '';
      try {
        JSON.parse(input.value);
      } catch (error) {
        problem.textContent = `The input is not JSON: ${error.message}`;
        return;
      }
      const request = { stateMachineArn: testCase.value ? `${arn}#${testCase.value}` : arn, input: input.value };
      if (name.value) request.name = name.value;
      start.disabled = true;
      try {
        const { executionArn } = await api('StartExecution', request);
        location.assign(executionPath(executionArn));
      } catch (error) {
        problem.textContent = error.message;
        start.disabled = false;
      }
    });

    const graph = h('div', { class: 'graph-wrap' });
    fill(main,
      h('h1', {}, machine.name, h('span', { class: 'muted' }, machine.type)),
      h('div', { class: 'card summary' },
        h('dl', { class: 'wide' }, field('arn', 'ARN', machine.stateMachineArn)),
        h('dl', {}, field('created', 'Created', when(machine.creationDate))),
        h('dl', {}, field('status', 'Status', machine.status))),
      h('div', { class: 'split' },
        h('div', { class: 'card' }, h('h2', {}, 'Graph'), graph,
          h('details', {}, h('summary', {}, 'Definition'), h('pre', { id: 'definition' }, pretty(machine.definition)))),
        h('div', {},
          h('div', { class: 'card' }, h('h2', {}, 'Start an execution'), form),
          h('div', { class: 'card' },
            h('h2', { style: 'display:flex;gap:10px;align-items:center' }, 'Executions', filter),
            h('table', { id: 'executions' },
              h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Status'), h('th', {}, 'Started'), h('th', {}, 'Ended'))),
              executions), more))));
    await listExecutions(false);
    const drawing = await layout(view.graph);
    fill(graph, drawing.svg);
    drawing.paint(() => ({ status: 'none', retries: 0 }), null, () => {});
    ready();
  }

  /** An execution page. `load` gives the view; `served` is false for a `graph --html` file. */
  async function executionPage(load, served) {
    let view = await load();
    const ui = {
      selected: null,          // the selected state's name
      chosen: new Map(),       // Map visit index → the iteration shown
    };
    const drawing = await layout(view.graph);
    const header = h('div', {});
    const panel = h('div', { class: 'card', id: 'state-panel' });
    const events = h('div', { class: 'card' });
    const io = h('div', { class: 'card' });
    fill(main, header,
      h('div', { class: 'split' },
        h('div', { class: 'card' }, h('h2', {}, 'Graph'), legend(), h('div', { class: 'graph-wrap' }, drawing.svg)),
        panel),
      io, events);

    let timer = null;
    let signature = '';
    let cost = 0; // how long the last refresh took: polling slows down for executions with large histories
    function render() {
      signature = view.signature || '';
      const model = executionModel(view, ui.chosen);
      const { insideDistributed } = scopesOf(view.graph);
      const nodeOf = (name) => (view.execution && !insideDistributed.has(name) ? model.nodeOf(name) : { status: 'none', retries: 0 });
      renderHeader(header, view, served, refreshSoon);
      drawing.paint(nodeOf, ui.selected, (name) => { ui.selected = name; render(); });
      renderPanel(panel, view, model, ui, render);
      renderIo(io, view.execution);
      renderEvents(events, view.events);
      ready();
    }
    /** Reads the execution again; draws only if something happened (a new event, a new status). */
    async function refresh() {
      timer = null;
      const began = performance.now();
      try {
        // The server answers {unchanged: true} while the execution stands where `signature` says.
        const next = await load(signature);
        if (!next.unchanged && next.signature !== signature) {
          view = next;
          render();
        }
      } catch (error) {
        header.append(h('p', { class: 'error-text' }, String(error.message || error)));
      }
      cost = performance.now() - began;
      schedule();
    }
    function schedule() {
      const running = view.execution && ['RUNNING', 'PENDING_REDRIVE'].includes(view.execution.status);
      if (served && running && timer === null) timer = setTimeout(refresh, Math.max(POLL_MS, 3 * cost));
    }
    function refreshSoon() {
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(refresh, 100);
    }
    // Selected first: where it failed (the innermost failed state, entered last), else the last state entered.
    const first = [...view.visits].reverse().find((v) => v.status === 'failed') || view.visits[view.visits.length - 1];
    ui.selected = first ? first.state : null;
    render();
    schedule();
  }

  function legend() {
    return h('div', { class: 'legend', 'aria-label': 'Legend' },
      Object.keys(STATUS).filter((status) => status !== 'none').map((status) => stateBadge(status)));
  }

  function renderHeader(header, view, served, refreshSoon) {
    const execution = view.execution;
    if (!execution) {
      fill(header, h('h1', {}, 'Definition'),
        h('p', { class: 'muted' }, 'No execution: the graph shows the states only.'));
      document.title = 'Definition · stepfn';
      return;
    }
    const name = execution.name || (execution.executionArn || '').split(':').pop() || 'Execution';
    const actions = h('div', { class: 'actions' });
    if (served && execution.status === 'RUNNING') {
      actions.append(h('button', { id: 'stop', onclick: async (event) => {
        event.target.disabled = true;
        try {
          await api('StopExecution', { executionArn: execution.executionArn, error: 'Stopped', cause: 'stopped from the stepfn console' });
        } catch (error) { alert(error.message); }
        refreshSoon();
      } }, 'Stop execution'));
    }
    if (served && execution.redriveStatus === 'REDRIVABLE') {
      actions.append(h('button', { id: 'redrive', onclick: async (event) => {
        event.target.disabled = true;
        try {
          await api('RedriveExecution', { executionArn: execution.executionArn });
        } catch (error) { alert(error.message); }
        refreshSoon();
      } }, 'Redrive'));
    }
    // Start and end as the history tells them (its first event and its end event), like every state's times: under
    // `serve --virtual-time` they are the simulated clock's, which DescribeExecution's dates are not.
    const events = view.events;
    const ending = execution.status !== 'RUNNING' && events.length > 1 && /^Execution(Succeeded|Failed|Aborted|TimedOut)$/.test(events[events.length - 1].type);
    const startDate = events.length ? events[0].timestamp : execution.startDate;
    const stopDate = ending ? events[events.length - 1].timestamp : execution.stopDate;
    const started = millisOf(startDate);
    const stopped = millisOf(stopDate);
    // A history from another definition (a saved file given to `graph --html`) names states this graph lacks.
    const known = namesOf(view.graph);
    const strangers = [...new Set(view.visits.map((v) => v.state).filter((state) => !known.has(state)))];
    fill(header,
      h('h1', {}, name, statusBadge(execution.status, 'execution-status'), actions),
      strangers.length ? h('p', { class: 'card error-text', id: 'history-mismatch' },
        `The history names states this definition does not have (${strangers.slice(0, 5).join(', ')}${strangers.length > 5 ? ', …' : ''}): is it an execution of another state machine?`) : null,
      h('div', { class: 'card summary' },
        execution.executionArn ? h('dl', { class: 'wide' }, field('execution-arn', 'Execution ARN', execution.executionArn)) : null,
        execution.stateMachineArn ? h('dl', {}, field('machine', 'State machine',
          served
            ? h('a', { href: machinePath(execution.stateMachineArn) }, execution.stateMachineArn.split(':').pop())
            : execution.stateMachineArn)) : null,
        h('dl', {}, field('started', 'Started', when(startDate))),
        h('dl', {}, field('ended', 'Ended', when(stopDate))),
        h('dl', {}, field('execution-duration', 'Duration',
          started !== null && stopped !== null ? duration(stopped - started) : (execution.status === 'RUNNING' ? 'running' : '–'))),
        execution.redriveCount ? h('dl', {}, field('redrives', 'Redrives', execution.redriveCount)) : null,
        execution.error ? h('dl', {}, field('execution-error', 'Error', execution.error)) : null,
        execution.cause ? h('dl', {}, field('execution-cause', 'Cause', execution.cause)) : null));
    if (served && execution.stateMachineArn) {
      setCrumbs(h('a', { href: '/' }, 'State machines'),
        h('a', { href: machinePath(execution.stateMachineArn) }, execution.stateMachineArn.split(':').pop()),
        h('span', {}, name));
    }
    document.title = `${name} · ${execution.status} · stepfn`;
  }

  function renderIo(io, execution) {
    if (!execution) { fill(io); return; }
    fill(io, h('h2', {}, 'Execution input and output'),
      h('div', { class: 'split' },
        h('div', {}, field('execution-input', 'Input', pretty(execution.input), true)),
        h('div', {}, field('execution-output', 'Output',
          execution.status === 'SUCCEEDED' ? pretty(execution.output)
            : (execution.status === 'RUNNING' ? '(none yet: still running)' : `(none: the execution ended ${execution.status})`), true))));
  }

  /** The event table; while an execution runs, new events are appended (rows already there, and their opened
   *  details, stay as they are). */
  function renderEvents(container, events) {
    let body = container.querySelector('tbody');
    let shown = Number(container.dataset.shown || 0);
    if (!body || shown > events.length) {
      body = h('tbody', {});
      shown = 0;
      fill(container, h('h2', {}, ''),
        h('table', { id: 'events' },
          h('thead', {}, h('tr', {}, ['ID', 'Type', 'State', 'Elapsed', 'Timestamp', 'Details'].map((t) => h('th', {}, t)))),
          body));
    }
    const rows = events.slice(shown).map((event) => {
      const key = Object.keys(event).find((k) => k.endsWith('EventDetails'));
      const failure = /Failed|TimedOut|Aborted/.test(event.type);
      return h('tr', { class: failure ? 'failure' : null, 'data-type': event.type },
        h('td', {}, event.id),
        h('td', {}, event.type),
        h('td', {}, event.state || ''),
        h('td', { class: 'mono' }, event.elapsed),
        h('td', { class: 'mono' }, when(event.timestamp)),
        h('td', {}, key ? h('details', {}, h('summary', {}, 'details'), h('pre', {}, JSON.stringify(event[key], null, 2))) : ''));
    });
    body.append(...rows);
    container.dataset.shown = String(events.length);
    container.querySelector('h2').textContent = `Events (${events.length})`;
  }

  // ---- the execution model: which visit each state shows -------------------------------------------------------

  /**
   * For each state, the visit the graph shows: its last entry in the chosen context (inside a Map, the chosen
   * iteration: by default the first that failed, else the first).
   */
  function executionModel(view, chosen) {
    const visits = view.visits;
    const byState = new Map();
    visits.forEach((visit, index) => {
      if (!byState.has(visit.state)) byState.set(visit.state, []);
      byState.get(visit.state).push(index);
    });
    const memo = new Map();
    function iterationOf(mapIndex) {
      if (chosen.has(mapIndex)) return chosen.get(mapIndex);
      const iterations = visits[mapIndex].iterations;
      const failed = iterations.find((i) => i.status === 'failed');
      return failed ? failed.index : (iterations.length ? iterations[0].index : null);
    }
    function inContext(index) {
      const visit = visits[index];
      if (visit.parent === null || visit.parent === undefined) return true;
      const parent = visits[visit.parent];
      if (selected(parent.state) !== visit.parent) return false;
      return parent.type !== 'Map' || visit.iteration === iterationOf(visit.parent);
    }
    function selected(name) {
      if (memo.has(name)) return memo.get(name);
      memo.set(name, null);
      const candidates = (byState.get(name) || []).filter(inContext);
      const chosenVisit = candidates.length ? candidates[candidates.length - 1] : null;
      memo.set(name, chosenVisit);
      return chosenVisit;
    }
    return {
      visits,
      selected,
      iterationOf,
      entries: (name) => (byState.get(name) || []).filter(inContext).length,
      nodeOf(name) {
        const index = selected(name);
        if (index === null) return { status: 'not-run', retries: 0 };
        const visit = visits[index];
        return { status: visit.status, retries: Math.max(0, visit.attempts.length - 1) };
      },
    };
  }

  /** The Distributed Maps of a graph, and the states inside them (which run in child executions). */
  function scopesOf(graph) {
    const distributed = new Set();
    const insideDistributed = new Set();
    (function walk(scope, inside) {
      for (const state of scope.states) {
        if (inside) insideDistributed.add(state.name);
        if (state.distributed) distributed.add(state.name);
        for (const branch of state.branches) walk(branch, inside || state.distributed);
      }
    })(graph, false);
    return { distributed, insideDistributed };
  }

  /** The state names of a graph, nested ones included. */
  function namesOf(graph) {
    const names = new Set();
    (function walk(scope) {
      for (const state of scope.states) {
        names.add(state.name);
        state.branches.forEach(walk);
      }
    })(graph);
    return names;
  }

  function findState(definition, name) {
    const states = (definition && definition.States) || {};
    for (const [key, body] of Object.entries(states)) {
      if (key === name) return body;
      for (const scope of [...(body.Branches || []), body.ItemProcessor, body.Iterator]) {
        const found = scope && findState(scope, name);
        if (found) return found;
      }
    }
    return null;
  }

  function renderPanel(panel, view, model, ui, rerender) {
    const name = ui.selected;
    if (!name) {
      fill(panel, h('h2', {}, 'Select a state'), h('p', { class: 'muted' }, 'Select a state in the graph to see what happened in it.'));
      return;
    }
    const index = model.selected(name);
    const visit = index === null ? null : model.visits[index];
    const body = findState(view.definition, name);
    const { distributed, insideDistributed } = scopesOf(view.graph);
    const shownStatus = insideDistributed.has(name) ? 'none' : (visit ? visit.status : 'not-run');
    const parts = [h('h2', {}, name, ' ', shownStatus === 'none' ? '' : stateBadge(shownStatus))];
    if (insideDistributed.has(name)) {
      parts.push(h('p', { class: 'muted' }, 'It runs in the child executions of a Distributed Map, which this console does not show.'));
    } else if (!visit) {
      parts.push(h('p', { class: 'muted' }, view.execution ? 'This state did not run (in the iteration shown).' : 'No execution: nothing ran.'));
    } else {
      const retries = Math.max(0, visit.attempts.length - 1);
      const entries = model.entries(name);
      parts.push(h('dl', { class: 'fields' },
        field('type', 'Type', visit.type),
        field('status', 'Status', `${STATUS[visit.status][0]} ${STATUS[visit.status][1]}${retries ? `, ${retries} ${retries === 1 ? 'retry' : 'retries'}` : ''}`),
        field('attempts', 'Attempts', visit.attempts.length || (visit.type === 'Task' ? 0 : '–')),
        field('duration', 'Duration', visit.durationMs !== null && visit.durationMs !== undefined ? duration(visit.durationMs) : (visit.status === 'running' ? 'running' : '–')),
        field('entered', 'Entered', when(visit.entered)),
        field('exited', 'Exited', when(visit.exited)),
        visit.iteration !== null && visit.iteration !== undefined ? field('iteration', 'Iteration', visit.iteration) : null,
        entries > 1 ? field('entries', 'Visits', `${entries} (the last is shown)`) : null,
        // A state that succeeded after a retry keeps its earlier failure in its attempts, not as its error.
        field('error', 'Error', (visit.status !== 'succeeded' && visit.error) || '–'),
        field('cause', 'Cause', (visit.status !== 'succeeded' && visit.cause) || '–')));
      if (visit.attempts.length > 1 || visit.attempts.some((a) => a.error)) {
        parts.push(h('h3', {}, 'Attempts'), h('ol', { class: 'attempts' }, visit.attempts.map((a) => h('li', {},
          when(a.scheduled), ' — ', a.error ? h('span', { class: 'error-text' }, `${a.error}${a.cause ? `: ${a.cause}` : ''}`) : (a.ended ? 'succeeded' : 'running')))));
      }
      if (visit.type === 'Map' && distributed.has(name)) {
        parts.push(h('h3', {}, 'Iterations'), h('p', { class: 'muted' },
          'A Distributed Map runs its iterations as child executions (a Map Run); this console does not show them.'));
      } else if (visit.type === 'Map' && visit.iterations.length === 0) {
        parts.push(h('h3', {}, 'Iterations (0)'), h('p', { class: 'muted' }, 'No iteration ran.'));
      } else if (visit.type === 'Map') {
        const shown = model.iterationOf(index);
        // Failed iterations first, then the rest in order; past MAX_ITERATION_BUTTONS, a number picks one.
        const listed = [...visit.iterations.filter((i) => i.status === 'failed'), ...visit.iterations.filter((i) => i.status !== 'failed')]
          .slice(0, MAX_ITERATION_BUTTONS).sort((a, b) => a.index - b.index);
        const pick = h('input', { type: 'number', min: 0, id: 'iteration-pick', 'aria-label': 'Show iteration', value: shown === null ? '' : shown, style: 'width:90px' });
        pick.addEventListener('change', () => {
          const wanted = Number(pick.value);
          if (visit.iterations.some((i) => i.index === wanted)) { ui.chosen.set(index, wanted); rerender(); }
        });
        parts.push(h('h3', {}, `Iterations (${visit.iterations.length})`),
          visit.iterations.length > MAX_ITERATION_BUTTONS ? h('div', { class: 'form-row' }, 'Show iteration ', pick,
            h('span', { class: 'muted' }, `(${MAX_ITERATION_BUTTONS} listed, failed first)`)) : null,
          h('div', { class: 'iterations', id: 'iterations' }, listed.map((iteration) => {
            const status = iteration.status === 'aborted' ? 'cancelled' : iteration.status;
            return h('button', {
              class: `status-${status}${iteration.index === shown ? ' chosen' : ''}`,
              'data-iteration': iteration.index,
              'data-status': status,
              title: `iteration ${iteration.index}: ${STATUS[status][1]}`,
              onclick: () => { ui.chosen.set(index, iteration.index); rerender(); },
            }, `${STATUS[status][0]} ${iteration.index}`);
          })),
          shown === null ? null : h('p', { class: 'muted' }, `The states inside show iteration ${shown}.`));
      }
      parts.push(...field('input', 'Input', pretty(visit.input), true));
      const noOutput = visit.status === 'running' ? '(none yet: still running)' : '(none: the state did not finish)';
      parts.push(...field('output', 'Output', visit.output === null ? noOutput : pretty(visit.output), true));
    }
    if (body) parts.push(h('details', {}, h('summary', {}, 'Definition'), h('pre', { 'data-field': 'definition' }, JSON.stringify(body, null, 2))));
    fill(panel, parts);
  }

  // ---- the graph: ELK layout, SVG drawing -----------------------------------------------------------------------

  const measure = document.createElement('canvas').getContext('2d');
  function textWidth(text, font) {
    measure.font = font;
    return measure.measureText(text).width;
  }
  const NAME_FONT = '600 13px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  const LABEL_FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  const KIND_FONT = '11.5px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  const NODE_HEIGHT = 62;
  // Every scope (the machine, a Map's item processor, each branch, a Parallel's row of branches) is laid out on its
  // own, inside out (ELK's SEPARATE_CHILDREN: no edge crosses a scope's border, so nothing is lost), top to bottom
  // with states in document order where the drawing allows. The options are given at every level: ELK reads them
  // per compound node.
  const LAYOUT = {
    'elk.algorithm': 'layered',
    'elk.direction': 'DOWN',
    'elk.hierarchyHandling': 'SEPARATE_CHILDREN',
    'elk.edgeRouting': 'ORTHOGONAL',
    'elk.layered.spacing.nodeNodeBetweenLayers': '36',
    'elk.spacing.nodeNode': '28',
    'elk.spacing.edgeLabel': '4',
    'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
    'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
    'elk.edgeLabels.placement': 'CENTER',
    // One drawing per scope, not packed components: a Parallel's branches stay side by side, in order.
    'elk.separateConnectedComponents': 'false',
  };

  const HEADER = 64;

  /** Lays the graph out once; `paint` then marks the states (again on each update) without moving anything. */
  async function layout(graph) {
    const names = new Map(); // node id → state {name, type, note, compound}
    function scope(data, top) {
      const children = [];
      const edges = [];
      for (const state of data.states) {
        const kindLine = state.type + (state.note ? ` · ${state.note}` : '');
        const width = Math.max(150, textWidth(state.name, NAME_FONT) + 40, textWidth(kindLine, KIND_FONT) + 28);
        names.set(state.id, { ...state, compound: state.branches.length > 0 });
        if (state.branches.length === 0) {
          children.push({ id: state.id, width, height: NODE_HEIGHT });
          continue;
        }
        const node = {
          id: state.id,
          layoutOptions: { ...LAYOUT, 'elk.padding': `[top=${HEADER},left=14,bottom=14,right=14]`, 'elk.nodeSize.minimum': `(${width}, 80)`, 'elk.nodeSize.constraints': 'MINIMUM_SIZE' },
          children: [],
          edges: [],
        };
        if (state.type === 'Parallel') {
          state.branches.forEach((branch, i) => {
            const inner = scope(branch, false);
            node.children.push({
              id: `${state.id}_b${i}`,
              layoutOptions: { ...LAYOUT, 'elk.alignment': 'TOP', 'elk.padding': '[top=26,left=12,bottom=12,right=12]' },
              children: inner.children,
              edges: inner.edges,
            });
          });
        } else {
          const inner = scope(state.branches[0], false);
          node.children = inner.children;
          node.edges = inner.edges;
        }
        children.push(node);
      }
      data.edges.forEach((edge, i) => {
        const to = edge.to === null ? (top ? 'end' : null) : edge.to;
        if (to === null) return;
        const labels = edge.label && edge.kind !== 'next'
          ? [{ text: edge.label, width: textWidth(edge.label, LABEL_FONT) + 6, height: 14 }] : [];
        edges.push({ id: `${edge.from}-${to}-${i}`, sources: [edge.from], targets: [to], labels, kind: edge.kind });
      });
      if (top) {
        children.unshift({ id: 'start', width: 44, height: 44 });
        children.push({ id: 'end', width: 44, height: 44 });
        if (data.start) edges.unshift({ id: 'start-edge', sources: ['start'], targets: [data.start], labels: [] });
      }
      return { children, edges };
    }
    const root = scope(graph, true);
    const elk = new ELK();
    const laid = await elk.layout({
      id: 'root',
      layoutOptions: {
        ...LAYOUT,
        'elk.json.shapeCoords': 'ROOT',
        'elk.json.edgeCoords': 'ROOT',
        'elk.padding': '[top=16,left=16,bottom=16,right=16]',
      },
      children: root.children,
      edges: root.edges,
    });

    const [width, height] = [Math.ceil(laid.width), Math.ceil(laid.height)];
    const svg = h('svg', { id: 'graph', viewBox: `0 0 ${width} ${height}`, style: `max-width:${width}px`, role: 'group', 'aria-label': 'State machine graph' },
      h('defs', {}, h('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
        h('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#5f6b7a' }))));
    const boxes = h('g', {});
    const lines = h('g', {});
    svg.append(boxes, lines);
    const nodes = new Map(); // state name → {group, state}
    function drawNodes(list) {
      for (const node of list) {
        if (node.id === 'start' || node.id === 'end') {
          boxes.append(h('g', { class: 'terminal' },
            h('circle', { cx: node.x + 22, cy: node.y + 22, r: 21 }),
            h('text', { x: node.x + 22, y: node.y + 26, 'text-anchor': 'middle' }, node.id === 'start' ? 'Start' : 'End')));
          continue;
        }
        const state = names.get(node.id);
        if (!state) { // a Parallel's branch box
          boxes.append(h('rect', { class: 'branch', x: node.x, y: node.y, width: node.width, height: node.height, rx: 6 }),
            h('text', { class: 'branch-label', x: node.x + 8, y: node.y + 16 }, `Branch ${Number(node.id.split('_b').pop()) + 1}`));
          drawNodes(node.children || []);
          continue;
        }
        const group = h('g', { class: `node${state.compound ? ' compound' : ''}`, 'data-state': state.name, tabindex: 0, role: 'button' });
        group.append(h('rect', { class: 'box', x: node.x, y: node.y, width: node.width, height: node.height, rx: state.type === 'Choice' ? 14 : 6 }));
        const x = node.x + 12;
        group.append(h('text', { class: 'name', x, y: node.y + 19 }, state.name),
          h('text', { class: 'kind', x, y: node.y + 35 }, state.type + (state.note ? ` · ${state.note}` : '')),
          h('text', { class: 'word', x, y: node.y + 52 }, ''));
        boxes.append(group);
        nodes.set(state.name, { group, state });
        drawNodes(node.children || []);
      }
    }
    function drawEdges(container) {
      for (const edge of container.edges || []) {
        for (const section of edge.sections || []) {
          const points = [section.startPoint, ...(section.bendPoints || []), section.endPoint];
          const kind = edge.kind || 'next';
          lines.append(h('path', { class: `edge ${kind}`, d: points.map((p, i) => `${i ? 'L' : 'M'} ${p.x} ${p.y}`).join(' '), 'marker-end': 'url(#arrow)' }));
        }
        for (const label of edge.labels || []) {
          if (label.x === undefined) continue;
          lines.append(h('text', { class: `edge-label ${edge.kind || ''}`, x: label.x + 3, y: label.y + 11 }, label.text));
        }
      }
      for (const child of container.children || []) drawEdges(child);
    }
    drawNodes(laid.children);
    drawEdges(laid);

    /** Marks every state: `nodeOf(name)` gives {status, retries}; `select(name)` is called on a click. */
    function paint(nodeOf, selected, select) {
      for (const [name, { group }] of nodes) {
        const { status, retries } = nodeOf(name);
        const [icon, word] = STATUS[status];
        group.dataset.status = status;
        group.dataset.retries = String(retries);
        group.classList.toggle('selected', name === selected);
        group.querySelector('text.word').textContent =
          `${icon} ${word}${retries ? ` · ↻ ${retries} ${retries === 1 ? 'retry' : 'retries'}` : ''}`.trim();
        group.onclick = (event) => { event.stopPropagation(); select(name); };
        group.onkeydown = (event) => { if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); select(name); } };
        let title = group.querySelector('title');
        if (!title) { title = h('title', {}); group.prepend(title); }
        title.textContent = word ? `${name}: ${word}` : name;
      }
    }
    return { svg, paint };
  }

  // ---- routing --------------------------------------------------------------------------------------------------

  async function route() {
    if (embedded) {
      const view = JSON.parse(embedded.textContent);
      setCrumbs(h('span', {}, 'graph --html'));
      return executionPage(async () => view, false);
    }
    const path = location.pathname;
    if (path === '/' || path === '') return machinesPage();
    const machine = path.match(/^\/state-machines\/(.+)$/);
    if (machine) return machinePage(decodeURIComponent(machine[1]));
    const execution = path.match(/^\/executions\/(.+)$/);
    if (execution) {
      const arn = decodeURIComponent(execution[1]);
      const query = (unless) => `arn=${encodeURIComponent(arn)}` + (unless ? `&unless=${encodeURIComponent(unless)}` : '');
      return executionPage((unless) => read(`/console/api/execution?${query(unless)}`), true);
    }
    throw new Error(`no page at ${path}`);
  }

  route().catch(failPage);
})();
