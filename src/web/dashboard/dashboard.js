/* global document, window, URLSearchParams, crypto, FormData */
// The saga dashboard: plain DOM code over the public API (/api/orders, /api/products). Every value from the
// API goes into the page as text, never as markup.
'use strict';

const LIST_REFRESH_MS = 3000;
const SAGA_REFRESH_MS = 1000;
const PAGE_SIZE = 50;
const MAX_PAGES_PER_REFRESH = 5;
const FINAL_ORDER = ['Completed', 'Cancelled', 'Failed'];
const FINAL_SAGA = ['Completed', 'Compensated', 'CompensationFailed'];

const $ = (id) => document.getElementById(id);
const state = { selected: null, sagaTimer: null, listTimer: null, continuation: null, extraPages: [] };

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null) continue;
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function badge(status) {
  return el('span', { class: `badge ${status}`, text: status });
}

function time(iso) {
  if (!iso) return '–';
  const date = new Date(iso);
  return date.toLocaleTimeString(undefined, { hour12: false }) + '.' + String(date.getMilliseconds()).padStart(3, '0');
}

function duration(from, to) {
  if (!from || !to) return '';
  const ms = Date.parse(to) - Date.parse(from);
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

async function api(path, init) {
  const response = await fetch(path, { ...init, headers: { accept: 'application/json', ...(init && init.headers) } });
  const body = await response.json().catch(() => null);
  return { status: response.status, ok: response.ok, body };
}

function describeProblem(body, status) {
  if (!body || typeof body !== 'object') return `HTTP ${status}`;
  const fields = Array.isArray(body.errors) ? body.errors.map((e) => `${e.path}: ${e.message}`).join('; ') : '';
  return [body.detail || body.title || `HTTP ${status}`, fields].filter(Boolean).join(' — ');
}

// ---- the list -------------------------------------------------------------------------------------------

function listQuery(continuationToken) {
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  const status = $('filter-status').value;
  if (status) query.set('status', status);
  if (continuationToken) query.set('continuationToken', continuationToken);
  return `/api/orders?${query}`;
}

function renderRows(orders) {
  const style = $('filter-style').value;
  const shown = style ? orders.filter((order) => order.sagaStyle === style) : orders;
  const rows = shown.map((order) => {
    const row = el(
      'tr',
      { 'data-order-id': order.id, 'data-status': order.status, class: order.id === state.selected ? 'selected' : null },
      el('td', { text: time(order.createdAt) }),
      el('td', { class: 'id', text: order.id }),
      el('td', { text: order.customerId }),
      el('td', { text: order.sagaStyle }),
      el('td', { text: `${order.totalAmount.toFixed(2)} ${order.currency}` }),
      el('td', {}, badge(order.status)),
    );
    row.addEventListener('click', () => select(order.id));
    return row;
  });
  $('order-rows').replaceChildren(...rows);
  $('list-state').textContent = `${shown.length} shown · refreshed ${time(new Date().toISOString())}`;
}

async function loadOrders() {
  clearTimeout(state.listTimer);
  try {
    // A filtered query may answer a short or even empty page with a continuation token: read on a little.
    const items = [];
    let continuation = null;
    for (let request = 0; request < MAX_PAGES_PER_REFRESH; request += 1) {
      const page = await api(listQuery(continuation));
      if (!page.ok) throw new Error(describeProblem(page.body, page.status));
      items.push(...page.body.items);
      continuation = page.body.continuationToken;
      if (!continuation || items.length >= PAGE_SIZE) break;
    }
    state.continuation = continuation;
    renderRows([...items, ...state.extraPages]);
    $('more').hidden = !state.continuation;
  } catch (error) {
    $('list-state').textContent = `Could not load orders: ${error.message}`;
  }
  state.listTimer = setTimeout(loadOrders, LIST_REFRESH_MS);
}

async function loadMore() {
  if (!state.continuation) return;
  const page = await api(listQuery(state.continuation));
  if (!page.ok) return;
  state.extraPages.push(...page.body.items);
  state.continuation = page.body.continuationToken;
  await loadOrders();
}

// ---- one order's saga ------------------------------------------------------------------------------------

function stepItem(step, extra) {
  const meta = [`attempts ${step.attempts}`];
  if (step.startedAt) meta.push(`started ${time(step.startedAt)}`);
  if (step.completedAt) meta.push(`finished ${time(step.completedAt)}`);
  const took = duration(step.startedAt, step.completedAt);
  if (took) meta.push(took);
  return el(
    'li',
    { class: step.status, 'data-name': step.name, 'data-status': step.status },
    el('span', { class: 'step-name', text: step.name }),
    badge(step.status),
    extra ? el('span', { class: 'muted', text: ` ${extra}` }) : null,
    el('div', { class: 'step-meta', text: meta.join(' · ') }),
    step.error ? el('div', { class: 'step-error', text: step.error }) : null,
  );
}

function renderOrder(order) {
  $('t-order').textContent = `${order.id} · ${order.customerId} · ${order.items.map((i) => `${i.quantity}× ${i.productName}`).join(', ')}`;
  $('t-order-status').replaceWith(Object.assign(badge(order.status), { id: 't-order-status' }));
  $('t-reason').textContent = order.statusReason || '';
  $('t-payment').textContent = `card …${order.payment.last4} · ${order.payment.status} · ${order.totalAmount.toFixed(2)} ${order.currency}`;
}

function renderSaga(saga, order) {
  if (!saga) {
    $('t-saga-status').replaceWith(Object.assign(badge('NotStarted'), { id: 't-saga-status' }));
    $('t-style').textContent = `${order.sagaStyle} · not started yet`;
    $('t-steps').replaceChildren();
    $('t-compensation').hidden = true;
    return;
  }
  $('t-saga-status').replaceWith(Object.assign(badge(saga.status), { id: 't-saga-status' }));
  $('t-style').textContent = `${saga.sagaStyle}${saga.instanceId ? ` · instance ${saga.instanceId}` : ''}`;
  const failed = saga.compensation && saga.compensation.failedStep;
  $('t-steps').replaceChildren(...saga.steps.map((step) => stepItem(step, step.name === failed ? '← caused the compensation' : '')));
  const compensation = saga.compensation;
  $('t-compensation').hidden = !compensation;
  if (compensation) {
    const span = compensation.completedAt ? ` · ${duration(compensation.startedAt, compensation.completedAt)}` : ' · running';
    $('t-cause').textContent = `${compensation.failedStep} failed: ${compensation.reason}${span}`;
    $('t-compensations').replaceChildren(...compensation.steps.map((step) => stepItem(step, '')));
  }
}

async function refreshSelected() {
  clearTimeout(state.sagaTimer);
  const id = state.selected;
  if (!id) return;
  const [order, saga] = await Promise.all([api(`/api/orders/${encodeURIComponent(id)}`), api(`/api/orders/${encodeURIComponent(id)}/saga`)]);
  if (id !== state.selected) return;
  if (!order.ok) {
    $('t-refresh').textContent = describeProblem(order.body, order.status);
    return;
  }
  $('timeline-empty').hidden = true;
  $('timeline-body').hidden = false;
  renderOrder(order.body);
  renderSaga(saga.ok ? saga.body : null, order.body);
  const settled = FINAL_ORDER.includes(order.body.status) && saga.ok && FINAL_SAGA.includes(saga.body.status);
  $('t-refresh').textContent = settled ? `Finished · ${time(new Date().toISOString())}` : 'Running · refreshing every second';
  if (!settled) state.sagaTimer = setTimeout(refreshSelected, SAGA_REFRESH_MS);
}

function select(orderId) {
  state.selected = orderId;
  if (window.location.hash !== `#${orderId}`) window.history.replaceState(null, '', `#${encodeURIComponent(orderId)}`);
  for (const row of $('order-rows').children) row.classList.toggle('selected', row.dataset.orderId === orderId);
  refreshSelected();
}

// ---- placing an order ------------------------------------------------------------------------------------

async function loadProducts() {
  const products = await api('/api/products');
  if (!products.ok) return;
  $('product').replaceChildren(
    ...products.body.items.map((p) =>
      el('option', { value: p.id, text: `${p.name} — ${p.price.toFixed(2)} ${p.currency} (${p.available} available)` }),
    ),
  );
}

async function placeOrder(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  const request = {
    customerId: form.get('customerId'),
    items: [{ productId: form.get('productId'), quantity: Number(form.get('quantity')) }],
    payment: { method: 'card', cardNumber: form.get('cardNumber') },
    shippingAddress: { name: 'Dashboard demo', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: form.get('country') },
    sagaStyle: form.get('sagaStyle'),
  };
  if (form.get('simulateFailure')) request.simulateFailure = form.get('simulateFailure');
  const result = $('place-result');
  $('place-order').disabled = true;
  try {
    const placed = await api('/api/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
      body: JSON.stringify(request),
    });
    if (!placed.ok) {
      result.className = 'error';
      result.textContent = describeProblem(placed.body, placed.status);
      return;
    }
    result.className = '';
    result.textContent = `Order ${placed.body.id} accepted (${placed.status}).`;
    select(placed.body.id);
    await loadOrders();
  } finally {
    $('place-order').disabled = false;
  }
}

$('order-form').addEventListener('submit', placeOrder);
$('filters').addEventListener('change', () => {
  state.extraPages = [];
  loadOrders();
});
$('more').addEventListener('click', loadMore);
loadProducts();
loadOrders();
if (window.location.hash.length > 1) select(decodeURIComponent(window.location.hash.slice(1)));
