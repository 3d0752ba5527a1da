// The Waybill dashboard. Every chart reads one of the collector's /v1/stats endpoints (the same
// JSON a shop's own tools can read), every few seconds while the page is visible, and draws it
// with uPlot. No inline script or style and nothing from another origin: it runs under a strict
// Content-Security-Policy and offline. Data is written with textContent only, never as HTML.
(() => {
  'use strict';
  const base = document.documentElement.dataset.base || '';
  const REFRESH_MS = 5000;
  const PALETTE = ['#2457c5', '#e8710a', '#0c8a4f', '#c62828', '#7b3fb8', '#0097a7', '#8d6e00', '#d81b60', '#607d8b'];
  const STATE_COLORS = { granted: '#0c8a4f', denied: '#c62828', pending: '#9aa4b2' };
  const BANDS = { good: 'rgba(12,138,79,0.10)', 'needs-improvement': 'rgba(183,110,0,0.12)', poor: 'rgba(198,40,40,0.10)' };
  const charts = new Map();
  let range = ['1h', '24h', '7d'].includes(location.hash.slice(1)) ? location.hash.slice(1) : '24h';
  let lastUpdate = 0;
  let failing = false;

  /** An element with attributes and children (strings become text nodes). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null && v !== false) el.setAttribute(k, v === true ? '' : String(v));
    for (const c of children.flat()) if (c !== undefined && c !== null) el.append(c instanceof Node ? c : String(c));
    return el;
  }
  const $ = (id) => document.getElementById(id);
  const fmt = (n, digits = 1) => (n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US', { maximumFractionDigits: digits }));
  /** A web vital's value with its unit: CLS is a small unitless score, the others milliseconds. */
  const vitalText = (metric, v) => (v === null || v === undefined ? '–' : metric === 'CLS' ? fmt(v, 3) : `${fmt(v, 0)} ms`);
  const pct = (n) => (n === null || n === undefined ? '–' : `${fmt(n)} %`);
  const hoursText = (h) => (h === null ? '–' : h >= 48 ? `${fmt(h / 24)} d` : `${fmt(h)} h`);
  const ago = (ms) => {
    const s = Math.max(0, Math.round(ms / 1000));
    return s < 60 ? `${s} s` : s < 3600 ? `${Math.round(s / 60)} min` : s < 86400 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86400)} d`;
  };
  const when = (ms) => new Date(ms).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
  const secs = (buckets) => buckets.map((t) => t / 1000);

  async function get(path) {
    const res = await fetch(`${base}${path}`, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (res.status === 401) {
      location.reload(); // signed out (the token changed, or the sign-in expired): show the sign-in page
      throw new Error('signed out');
    }
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return res.json();
  }

  /** Draws `data` in `container`, making the chart anew when its shape (`key`) changed. */
  function draw(id, container, key, options, data) {
    let chart = charts.get(id);
    if (!chart || chart.key !== key || !container.contains(chart.plot.root)) {
      chart?.plot.destroy();
      container.textContent = '';
      chart = { key, container, plot: new uPlot({ width: Math.max(200, container.clientWidth), ...options, legend: { live: false, ...options.legend } }, data, container) };
      charts.set(id, chart);
    } else chart.plot.setData(data);
  }
  new ResizeObserver(() => {
    for (const { plot, container } of charts.values()) {
      const width = Math.max(200, container.clientWidth);
      if (Math.abs(width - plot.width) > 2) plot.setSize({ width, height: plot.height });
    }
  }).observe(document.querySelector('main'));

  const empty = (container, text) => {
    for (const [id, chart] of charts) if (chart.container === container) (chart.plot.destroy(), charts.delete(id));
    container.textContent = '';
    container.append(h('p', { class: 'empty' }, text));
  };

  const timeAxis = { stroke: '#5d6878', grid: { stroke: '#eef1f5' } };
  const valueAxis = (label, extra) => ({ stroke: '#5d6878', grid: { stroke: '#eef1f5' }, size: 56, label, labelSize: 16, ...extra });
  const bars = (align) => uPlot.paths.bars({ size: [0.4, 48], align });
  const categoryAxis = (labels) => ({
    stroke: '#5d6878',
    grid: { show: false },
    splits: () => labels.map((_, i) => i),
    values: () => labels,
  });

  // --- panels ---------------------------------------------------------------

  function cards(s, alerts) {
    const card = (label, value, note, tone) => h('div', { class: `card ${tone || ''}`, 'data-card': label }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value), h('div', { class: 'note' }, note || ''));
    const coverageTone = s.coverage === null ? '' : s.coverage >= 95 ? 'good' : s.coverage >= 80 ? 'warn' : 'bad';
    $('cards').replaceChildren(
      card('Events', fmt(s.events), s.lastEventAt === null ? 'none yet' : `last ${ago(Date.now() - s.lastEventAt - 60_000)} ago`),
      card('Browser purchases', fmt(s.purchases)),
      card('Orders (backend)', fmt(s.orders), 'order_created, web'),
      card('Tracking coverage', pct(s.coverage), 'orders with a browser purchase', coverageTone),
      card('Untracked orders', fmt(s.untracked), 'no browser purchase', s.untracked > 0 ? 'warn' : ''),
      card('Forwarding pending', fmt(s.forwarding.pending)),
      card('Dead letters', fmt(s.forwarding.dead), 'POST /forwarding/retry', s.forwarding.dead > 0 ? 'bad' : ''),
      card('Late deliveries', fmt(s.lateOrders), `shipped > ${s.lateAfterDays} d ago`, s.lateOrders > 0 ? 'bad' : ''),
      card('Alerts firing', fmt(s.alertsFiring), `${alerts.rules.length} rules`, s.alertsFiring > 0 ? 'bad' : 'good'),
    );
    for (const el of $('cards').querySelectorAll('.card')) {
      el.querySelector('.value').dataset.value = el.querySelector('.value').textContent;
    }
  }

  function alertList(alerts) {
    const firing = alerts.rules.filter((r) => r.firing);
    const section = $('alerts');
    section.hidden = firing.length === 0;
    section.replaceChildren(
      ...firing.map((r) => h('div', { class: 'alert', role: 'alert', 'data-rule': r.rule }, h('strong', {}, r.title), r.message, h('time', {}, `since ${when(r.since)}`))),
    );
  }

  function events(e) {
    $('events-sub').textContent = `by name, ${{ '1h': 'per minute over the last hour', '24h': 'averaged over 15 minutes, last day', '7d': 'averaged per hour, last week' }[e.range]}`;
    const container = $('chart-events');
    if (e.series.length === 0) return empty(container, 'No events in this range yet.');
    const perMinute = e.bucketMs / 60_000;
    draw(
      'events',
      container,
      `${e.range}:${e.series.map((s) => s.name).join('|')}`,
      {
        height: 260,
        series: [{}, ...e.series.map((s, i) => ({ label: s.name, stroke: PALETTE[i % PALETTE.length], width: 1.5, value: (u, v) => fmt(v) }))],
        axes: [timeAxis, valueAxis('events / min')],
        scales: { y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
      },
      [secs(e.buckets), ...e.series.map((s) => s.counts.map((n) => n / perMinute))],
    );
  }

  function coverage(c) {
    const container = $('chart-coverage');
    if (c.total.orders === 0 && c.total.purchases === 0) return empty(container, 'No orders or purchases yet: send order_created from your backend.');
    draw(
      'coverage',
      container,
      c.range,
      {
        height: 240,
        series: [
          {},
          { label: 'orders (backend)', fill: 'rgba(36,87,197,0.55)', stroke: '#2457c5', paths: bars(-1), points: { show: false } },
          { label: 'browser purchases', fill: 'rgba(12,138,79,0.55)', stroke: '#0c8a4f', paths: bars(1), points: { show: false } },
          { label: 'gap', scale: '%', stroke: '#c62828', width: 2, spanGaps: false, value: (u, v) => pct(v) },
        ],
        axes: [timeAxis, valueAxis(c.bucketMs === 3_600_000 ? 'per hour' : 'per 10 min'), valueAxis('gap %', { side: 1, scale: '%', grid: { show: false } })],
        scales: { '%': { range: [0, 100] }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.15)] } },
      },
      [secs(c.buckets), c.orders, c.purchases, c.gap],
    );
  }

  function forwarding(f) {
    const names = Object.keys(f.destinations);
    const states = ['sent', 'pending', 'failed', 'dead', 'expired'];
    const container = $('chart-forwarding');
    const total = names.reduce((n, d) => n + states.reduce((m, s) => m + f.destinations[d][s], 0), 0);
    if (total === 0) empty(container, 'Nothing forwarded yet (or forwarding is off).');
    else
      draw(
        'forwarding',
        container,
        names.join('|'),
        {
          height: 200,
          series: [{}, ...names.map((d, i) => ({ label: d, fill: PALETTE[i] + 'bb', stroke: PALETTE[i], paths: bars(i === 0 ? -1 : 1), points: { show: false } }))],
          axes: [categoryAxis(states), valueAxis('rows (log)')],
          scales: { x: { time: false, range: [-0.5, states.length - 0.5] }, y: { distr: 3, range: (u, min, max) => [1, Math.max(10, max * 2)] } },
        },
        // A log scale shows 3 dead letters next to 100,000 sent; 0 is not drawn.
        [states.map((_, i) => i), ...names.map((d) => states.map((s) => f.destinations[d][s] || null))],
      );
    $('table-forwarding').replaceChildren(
      h('tr', {}, h('th', {}, 'destination'), ...states.map((s) => h('th', { class: 'num' }, s)), h('th', { class: 'num' }, 'oldest pending'), h('th', {}, 'last error')),
      ...names.map((d) => {
        const s = f.destinations[d];
        return h('tr', { 'data-destination': d }, h('td', {}, d), ...states.map((k) => h('td', { class: 'num' }, fmt(s[k]))), h('td', { class: 'num' }, s.oldestPendingMs === null ? '–' : ago(s.oldestPendingMs)), h('td', {}, s.lastError || '–'));
      }),
    );
  }

  function consent(c) {
    const container = $('charts-consent');
    const categories = Object.keys(c.categories);
    if (categories.length === 0) return empty(container, 'No consented sessions yet.');
    const key = `${c.range}:${categories.join('|')}`;
    if (container.dataset.key !== key) {
      container.dataset.key = key;
      container.replaceChildren(...categories.map((cat) => h('div', { class: 'consent' }, h('h3', { 'data-total': cat }), h('div', { class: 'chart', id: `chart-consent-${cat}` }))));
    }
    for (const cat of categories) {
      const s = c.categories[cat];
      container.querySelector(`[data-total="${cat}"]`).textContent = `${cat}: ${pct(s.total.granted)} granted, ${pct(s.total.denied)} denied, ${pct(s.total.pending)} pending (${fmt(s.total.sessions)} session-hours)`;
      draw(
        `consent-${cat}`,
        $(`chart-consent-${cat}`),
        key,
        {
          height: 180,
          series: [{}, ...['granted', 'denied', 'pending'].map((state) => ({ label: state, stroke: STATE_COLORS[state], fill: STATE_COLORS[state] + '22', width: 1.5, value: (u, v) => pct(v) }))],
          axes: [timeAxis, valueAxis('% of sessions')],
          scales: { y: { range: [0, 100] } },
        },
        [secs(c.buckets), s.granted, s.denied, s.pending],
      );
    }
  }

  function vitals(v) {
    const container = $('charts-vitals');
    const metrics = Object.keys(v.metrics);
    if (metrics.length === 0) return empty(container, 'No web_vital events yet: add @waybill/web-vitals to your pages.');
    const key = `${v.range}:${metrics.join('|')}`;
    if (container.dataset.key !== key) {
      container.dataset.key = key;
      container.replaceChildren(
        ...metrics.map((m) => h('div', { class: 'vital', 'data-metric': m }, h('h3', {}, m, ' ', h('span', { class: 'big' })), h('div', { class: 'note' }), h('div', { class: 'chart', id: `chart-vital-${m}` }))),
      );
    }
    for (const m of metrics) {
      const s = v.metrics[m];
      const box = container.querySelector(`[data-metric="${m}"]`);
      const big = box.querySelector('.big');
      big.className = `big ${s.rating || ''}`;
      big.textContent = `p75 ${vitalText(m, s.p75)}`;
      box.querySelector('.note').textContent = `${fmt(s.count)} pages · good ${pct(s.ratings.good)} · needs improvement ${pct(s.ratings['needs-improvement'])} · poor ${pct(s.ratings.poor)}`;
      const [good, poor] = s.thresholds || [null, null];
      draw(
        `vital-${m}`,
        $(`chart-vital-${m}`),
        key,
        {
          height: 150,
          legend: { show: false },
          series: [{}, { label: `${m} p75`, stroke: '#2457c5', width: 2, spanGaps: true, value: (u, val) => vitalText(m, val) }],
          axes: [timeAxis, valueAxis('', { size: 48 })],
          scales: { y: { range: (u, min, max) => [0, Math.max(poor === null ? 0 : poor * 1.25, (max || 0) * 1.1, 1e-3)] } },
          hooks: {
            // The rating bands behind the line: good up to the first threshold, poor above the second.
            drawClear: [
              (u) => {
                if (good === null) return;
                const { ctx, bbox } = u;
                const y = (val) => Math.max(bbox.top, Math.min(bbox.top + bbox.height, u.valToPos(val, 'y', true)));
                const band = (from, to, color) => {
                  ctx.fillStyle = color;
                  ctx.fillRect(bbox.left, y(to), bbox.width, y(from) - y(to));
                };
                band(0, good, BANDS.good);
                band(good, poor, BANDS['needs-improvement']);
                band(poor, u.scales.y.max, BANDS.poor);
              },
            ],
          },
        },
        [secs(v.buckets), s.hourly],
      );
    }
  }

  function fulfilment(f) {
    $('fulfilment-sub').textContent = `orders placed in the last ${f.days} days (${fmt(f.orders)})`;
    const states = ['placed', 'shipped', 'delivered', 'returned', 'refunded'];
    const statesBox = $('chart-states');
    if (f.orders === 0) {
      empty(statesBox, 'No orders yet: send server events from your backend.');
      empty($('chart-timing'), 'Time to ship and deliver shows once orders ship.');
    } else {
      draw(
        'states',
        statesBox,
        'states',
        {
          height: 170,
          legend: { show: false },
          series: [{}, { label: 'orders by state', fill: '#2457c5bb', stroke: '#2457c5', paths: bars(0), points: { show: false } }],
          axes: [categoryAxis(states), valueAxis('orders')],
          scales: { x: { time: false, range: [-0.5, states.length - 0.5] }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.15)] } },
        },
        [states.map((_, i) => i), states.map((s) => f.states[s])],
      );
      const carriers = f.timing.carriers.filter((c) => c.toShipped.count > 0);
      if (carriers.length === 0) empty($('chart-timing'), 'No order shipped yet.');
      else
        draw(
          'timing',
          $('chart-timing'),
          carriers.map((c) => c.carrier).join('|'),
          {
            height: 190,
            series: [
              {},
              { label: 'median to shipped', fill: '#e8710abb', stroke: '#e8710a', paths: bars(-1), points: { show: false }, value: (u, v) => hoursText(v) },
              { label: 'median to delivered', fill: '#0c8a4fbb', stroke: '#0c8a4f', paths: bars(1), points: { show: false }, value: (u, v) => hoursText(v) },
            ],
            axes: [categoryAxis(carriers.map((c) => c.carrier)), valueAxis('hours')],
            scales: { x: { time: false, range: [-0.5, carriers.length - 0.5] }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.15)] } },
          },
          [carriers.map((_, i) => i), carriers.map((c) => c.toShipped.median), carriers.map((c) => c.toDelivered.median)],
        );
    }
    $('table-timing').replaceChildren(
      h('tr', {}, h('th', {}, 'carrier'), h('th', { class: 'num' }, 'shipped'), h('th', { class: 'num' }, 'to shipped: median / p90'), h('th', { class: 'num' }, 'to delivered: median / p90')),
      ...[{ carrier: 'all carriers', ...f.timing.all }, ...f.timing.carriers].map((c) =>
        h('tr', { 'data-carrier': c.carrier }, h('td', {}, c.carrier), h('td', { class: 'num' }, fmt(c.toShipped.count)), h('td', { class: 'num' }, `${hoursText(c.toShipped.median)} / ${hoursText(c.toShipped.p90)}`), h('td', { class: 'num' }, `${hoursText(c.toDelivered.median)} / ${hoursText(c.toDelivered.p90)}`)),
      ),
    );
    $('late-sub').textContent = `shipped more than ${f.late.afterDays} days ago, not delivered (${fmt(f.late.total)})`;
    $('table-late').replaceChildren(
      h('tr', {}, h('th', {}, 'order'), h('th', {}, 'carrier'), h('th', {}, 'shipped'), h('th', { class: 'num' }, 'days in transit'), h('th', {}, 'tracked')),
      ...(f.late.orders.length === 0 ? [h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No late orders.'))] : []),
      ...f.late.orders.map((o) => h('tr', { 'data-order': o.transactionId }, h('td', {}, o.transactionId), h('td', {}, o.carrier || '–'), h('td', {}, when(o.shippedAt)), h('td', { class: 'num' }, fmt(o.daysInTransit)), h('td', {}, o.tracked ? 'yes' : 'untracked'))),
    );
  }

  // --- refresh loop -----------------------------------------------------------

  async function refresh() {
    try {
      const q = `?range=${range}`;
      const [summary, alerts, ev, cov, fwd, con, vit, ful] = await Promise.all([
        get(`/v1/stats/summary${q}`),
        get('/v1/stats/alerts'),
        get(`/v1/stats/events${q}`),
        get(`/v1/stats/coverage${q}`),
        get('/v1/stats/forwarding'),
        get(`/v1/stats/consent${q}`),
        get(`/v1/stats/vitals${q}`),
        get('/v1/stats/fulfilment'),
      ]);
      for (const [panel, data] of [[cards, summary, alerts], [alertList, alerts], [events, ev], [coverage, cov], [forwarding, fwd], [consent, con], [vitals, vit], [fulfilment, ful]].map(([fn, ...args]) => [fn, args])) {
        try {
          panel(...data);
        } catch (error) {
          console.error('waybill dashboard:', error); // one panel's bug leaves the others drawn
        }
      }
      lastUpdate = Date.now();
      failing = false;
      document.body.dataset.loaded = 'true';
    } catch (error) {
      failing = true;
      console.error('waybill dashboard:', error);
    }
    tick();
  }

  function tick() {
    const live = $('live');
    live.classList.toggle('stale', failing);
    live.textContent = lastUpdate === 0 ? (failing ? 'cannot reach the collector' : 'loading…') : `${failing ? 'cannot reach the collector; ' : 'live · '}updated ${ago(Date.now() - lastUpdate)} ago`;
  }

  function setRange(next) {
    range = next;
    history.replaceState(null, '', `#${next}`);
    for (const b of document.querySelectorAll('[data-range]')) b.setAttribute('aria-pressed', String(b.dataset.range === range));
    void refresh();
  }
  for (const b of document.querySelectorAll('[data-range]')) b.addEventListener('click', () => setRange(b.dataset.range));

  setRange(range);
  setInterval(() => {
    if (document.visibilityState === 'visible') void refresh();
  }, REFRESH_MS);
  setInterval(tick, 1000);
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && refresh());
})();
