// Facility Report's screens. Everything works offline: actions write to the phone's store
// and its outbox, and a sync runs after each action and every 15 seconds.
import { addPluginListener } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { api, isAppError, type Account, type AppNotification, type CodeSent, type Found, type Issue, type Site, type SiteWork, type Ticket, type WorkOrder } from './api';
import { cameraIcon, field, h, select, showErrors, value } from './dom';
import { ISSUE_CATEGORIES, PRIORITIES, TICKET_CATEGORIES, ago, label, overdue, plural, ukDate, ukTime } from './format';
import { PhotoPicker, photoStrip } from './photos';

const app = document.getElementById('app') as HTMLElement;
const statusLine = document.getElementById('status') as HTMLElement;
const barStart = document.getElementById('bar-start') as HTMLElement;
const syncButton = document.getElementById('sync') as HTMLButtonElement;
const nav = document.getElementById('nav') as HTMLElement;
const alerts = document.getElementById('alerts') as HTMLElement;

type Tab = 'work_orders' | 'issues' | 'tickets' | 'outbox';
const TABS: [Tab, string, string][] = [
  ['work_orders', 'Work', 'Work orders'],
  ['issues', 'Issues', 'Issues'],
  ['tickets', 'Tickets', 'Tickets'],
  ['outbox', 'Outbox', 'Changes waiting to send'],
];

let account: Account | null = null;
let sites: Site[] = [];
let siteId = localStorage.getItem('site') ?? '';
let work: SiteWork = { tickets: [], issues: [], work_orders: [] };
let tab: Tab = 'work_orders';
let online = true;
let syncing = false;
/** What the last sync did, said briefly; cleared when the next one starts. */
let lastResult = '';
let camera = false;
let query = '';
/** Which screen is showing: a sync redraws a list, never a form being filled in. */
let screen: 'list' | 'other' = 'other';

const site = (): Site | undefined => sites.find((s) => s.id === siteId);

function errorText(e: unknown): string {
  return isAppError(e) ? e.message : String(e);
}

// ---- The bar: where you are, and whether what you did has reached the office ----

function renderStatus(): void {
  if (!account?.signed_in) {
    statusLine.hidden = true;
    syncButton.hidden = true;
    return;
  }
  const waiting = account.pending;
  const synced = account.last_synced_at ? `last synced ${ago(account.last_synced_at)}` : 'not synced yet';
  let text: string;
  if (syncing) {
    text = waiting ? `Syncing… sending ${plural(waiting, 'change')}` : 'Syncing…';
  } else if (!online) {
    text = `Offline · ${waiting === 0 ? 'nothing waiting' : `${waiting} waiting to send`} · ${synced}`;
  } else {
    text = `Online · ${waiting === 0 ? 'all changes sent' : `${waiting} waiting to send`}`;
    if (lastResult) text += ` · ${lastResult}`;
  }
  if (account.rejected > 0) text += ` · ${account.rejected} not accepted`;
  statusLine.textContent = text;
  statusLine.className = `status ${syncing ? 'syncing' : online ? 'online' : 'offline'}`;
  statusLine.hidden = false;
  syncButton.hidden = false;
  syncButton.disabled = syncing;
  syncButton.setAttribute('aria-busy', syncing ? 'true' : 'false');
  syncButton.textContent = syncing ? 'Syncing…' : 'Sync';
  renderNav();
}

function renderNav(): void {
  if (!account?.signed_in || screen !== 'list') {
    nav.hidden = true;
    return;
  }
  const counts: Record<Tab, number> = {
    work_orders: work.work_orders.length,
    issues: work.issues.length,
    tickets: work.tickets.length,
    outbox: (account?.pending ?? 0) + (account?.rejected ?? 0),
  };
  nav.replaceChildren(
    ...TABS.map(([key, short, long]) =>
      h(
        'button',
        {
          type: 'button',
          id: `tab-${key.replace('_', '-')}`,
          class: `nav-item${key === 'outbox' && (account?.rejected ?? 0) > 0 ? ' attention' : ''}`,
          'aria-current': tab === key ? 'page' : false,
          'aria-label': `${long}, ${counts[key]}`,
          onclick: () => {
            tab = key;
            query = '';
            void listScreen();
          },
        },
        h('span', { class: 'nav-label' }, short),
        h('span', { class: 'count' }, String(counts[key])),
      ),
    ),
  );
  nav.hidden = false;
}

/** The bar's start: the site (tap to change it) on lists, Back elsewhere. */
function barForList(): void {
  const s = site();
  barStart.replaceChildren(
    h(
      'button',
      { type: 'button', class: 'site-button', id: 'site-button', onclick: () => void sitesScreen(), 'aria-label': s ? `Site: ${s.reference} ${s.name}. Change site or sign out` : 'Choose a site' },
      h('span', { class: 'site-ref' }, s ? s.reference : 'No site'),
      h('span', { class: 'site-name', id: 'site-name' }, s ? s.name : 'Choose a site'),
    ),
  );
}

function barWithBack(back: () => void): void {
  barStart.replaceChildren(h('button', { type: 'button', class: 'back', id: 'back', onclick: back }, '‹ Back'));
}

function barPlain(): void {
  barStart.replaceChildren(h('h1', { class: 'brand' }, 'Facility Report'));
}

async function refreshAccount(): Promise<void> {
  account = await api.account();
  renderStatus();
}

// ---- Syncing ----

/** Syncs: no signal is normal, and the bar says so. */
async function syncNow(): Promise<void> {
  if (syncing || !account?.signed_in) return;
  syncing = true;
  lastResult = '';
  renderStatus();
  try {
    const report = await api.syncNow();
    online = true;
    lastResult = `synced ${ukTime(Date.now() * 1000)}`;
    for (const n of report.notifications) showAlert(n);
  } catch (e) {
    if (isAppError(e) && e.code === 'offline') {
      online = false;
    } else if (isAppError(e) && e.code === 'not_signed_in') {
      syncing = false;
      await signInScreen();
      return;
    } else {
      online = true;
      flash(errorText(e));
    }
  } finally {
    syncing = false;
  }
  await refreshAccount();
  if (screen === 'list') await listScreen({ keepFocus: true });
}

syncButton.addEventListener('click', () => void syncNow());

function flash(message: string): void {
  const el = document.getElementById('flash');
  if (el) {
    el.textContent = message;
    el.hidden = false;
  }
}

// ---- Notifications: the system's, and the same shown in the app; a tap opens the record ----

function showAlert(n: AppNotification): void {
  // One notice a record: what a sync brings replaces what a push said of it.
  if (n.record) {
    for (const old of Array.from(alerts.children)) {
      if ((old as HTMLElement).dataset.record === n.record) old.remove();
    }
  }
  const item = h(
    'div',
    { class: 'alert', role: 'alert', 'data-record': n.record },
    h('button', { type: 'button', class: 'alert-open', onclick: () => { item.remove(); void openRecord(n.record); } }, h('strong', {}, n.title), h('span', {}, n.body)),
    h('button', { type: 'button', class: 'alert-close', 'aria-label': `Dismiss: ${n.title}`, onclick: () => item.remove() }, '×'),
  );
  alerts.append(item);
  while (alerts.children.length > 3) alerts.firstElementChild?.remove();
  window.setTimeout(() => item.remove(), 20_000);
}

/** Opens `ticket/<id>`, `issue/<id>` or `work_order/<id>`, on whichever site it is. */
async function openRecord(record: string): Promise<void> {
  const [kind, id] = record.split('/');
  for (const s of [site(), ...sites.filter((x) => x.id !== siteId)]) {
    if (!s) continue;
    const w = await api.siteWork(s.id);
    const found =
      kind === 'ticket' ? w.tickets.find((t) => t.id === id) : kind === 'issue' ? w.issues.find((i) => i.id === id) : w.work_orders.find((o) => o.id === id);
    if (found) {
      chooseSite(s.id);
      work = w;
      if (kind === 'ticket') ticketScreen(found as Ticket);
      else if (kind === 'issue') issueScreen(found as Issue);
      else workOrderScreen(found as WorkOrder);
      return;
    }
  }
  flash('That record is no longer open on your sites.');
}

// ---- Signing in ----

async function signInScreen(prefill?: { org: string; email: string }): Promise<void> {
  account = await api.account();
  screen = 'other';
  barPlain();
  renderStatus();
  const server = account.server ?? account.default_server;
  const form = h(
    'form',
    { class: 'stack sign-in', novalidate: true },
    h('h2', {}, 'Sign in'),
    h('p', { class: 'lead' }, 'We will email you a code. No password to remember.'),
    h('p', { class: 'form-alert', role: 'alert', tabindex: '-1', hidden: true }),
    field('org', 'Organisation', h('input', { type: 'text', autocomplete: 'organization', autocapitalize: 'none', spellcheck: 'false', value: prefill?.org ?? account.org ?? '' }), 'The first part of your PropLink address, like acme'),
    field('email', 'Email address', h('input', { type: 'email', autocomplete: 'email', inputmode: 'email', value: prefill?.email ?? account.email ?? '' })),
    h(
      'details',
      { class: 'advanced', open: server !== account.default_server },
      h('summary', {}, 'Advanced: server address'),
      field('server', 'PropLink server', h('input', { type: 'url', value: server, autocomplete: 'url', autocapitalize: 'none' }), 'Only change this if your organisation runs its own PropLink'),
    ),
    h('button', { class: 'button', type: 'submit', id: 'send-code' }, 'Email me a code'),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const org = value(form, 'org');
    const email = value(form, 'email');
    const missing = [
      ...(org ? [] : [{ field: 'org', message: 'Enter your organisation, the first part of your PropLink address' }]),
      ...(email ? [] : [{ field: 'email', message: 'Enter your email address' }]),
    ];
    if (missing.length) {
      showErrors(form, 'Check the highlighted fields', missing);
      return;
    }
    try {
      const sent = await api.requestCode(value(form, 'server'), org, email);
      codeScreen(value(form, 'server'), org, email, sent);
    } catch (err) {
      showErrors(form, errorText(err), signInFields(err));
    }
  });
  render(form);
}

/** Puts a sign-in error on the field it is about. */
function signInFields(err: unknown): { field: string; message: string }[] {
  if (!isAppError(err)) return [];
  if (err.fields.length) return err.fields;
  if (err.code === 'not_found') return [{ field: 'org', message: err.message }];
  if (err.code === 'bad_url' || err.code === 'offline') return [{ field: 'server', message: err.message }];
  return [];
}

function codeScreen(server: string, org: string, email: string, sent: CodeSent): void {
  const notice = h(
    'p',
    sent.status === 'already_sent' ? { class: 'notice', role: 'status' } : { class: 'lead', role: 'status' },
    sent.status === 'already_sent' ? sent.message : `If ${email} has an account, we have sent it a 6-digit code. It works once, for 10 minutes.`,
  );
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    h('h2', {}, 'Check your email'),
    notice,
    h('p', { class: 'form-alert', role: 'alert', tabindex: '-1', hidden: true }),
    field('code', 'Code', h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', class: 'code', maxlength: 6 })),
    h('button', { class: 'button', type: 'submit', id: 'sign-in' }, 'Sign in'),
    h(
      'div',
      { class: 'links' },
      h('button', {
        type: 'button',
        class: 'link',
        id: 'resend',
        onclick: async () => {
          try {
            const again = await api.requestCode(server, org, email);
            notice.textContent = again.status === 'already_sent' ? again.message : `A new code is on its way to ${email}.`;
          } catch (err) {
            showErrors(form, errorText(err), []);
          }
        },
      }, 'Send a new code'),
      h('button', { type: 'button', class: 'link', id: 'change-email', onclick: () => void signInScreen({ org, email }) }, 'Use a different email'),
    ),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const code = value(form, 'code');
    if (!/^\d{6}$/.test(code)) {
      showErrors(form, 'Check the code', [{ field: 'code', message: 'Enter the 6 digits from the email' }]);
      return;
    }
    try {
      account = await api.signIn(server, org, email, code);
      online = true;
      await listScreen();
    } catch (err) {
      const fields = isAppError(err) && !err.fields.length && err.code !== 'offline' ? [{ field: 'code', message: err.message }] : signInFields(err);
      showErrors(form, errorText(err), fields);
    }
  });
  render(form);
}

function render(...nodes: HTMLElement[]): void {
  screen = 'other';
  app.replaceChildren(...nodes);
  renderNav();
  // Every screen opens at its top, under the bar, never scrolled part-way.
  window.scrollTo(0, 0);
  app.focus({ preventScroll: true });
}

// ---- Sites, and signing out ----

function chooseSite(id: string): void {
  siteId = id;
  localStorage.setItem('site', siteId);
}

async function sitesScreen(): Promise<void> {
  sites = await api.sites();
  barWithBack(() => void listScreen());
  render(
    h(
      'div',
      { class: 'stack' },
      h('h2', {}, 'Your sites'),
      sites.length === 0 ? h('p', {}, 'You have no sites assigned yet. Ask your manager to assign you a site, then sync.') : null,
      h(
        'ul',
        { class: 'cards' },
        ...sites.map((s) =>
          h(
            'li',
            {},
            h(
              'button',
              {
                type: 'button',
                class: `card${s.id === siteId ? ' current' : ''}`,
                'aria-current': s.id === siteId ? 'true' : false,
                onclick: () => {
                  chooseSite(s.id);
                  void listScreen();
                },
              },
              h('strong', {}, `${s.reference} ${s.name}`),
              h('span', { class: 'meta' }, s.address),
              h('span', { class: 'meta' }, `${plural(s.open_work_orders, 'work order')} · ${plural(s.open_issues, 'issue')} · ${plural(s.open_tickets, 'ticket')}`),
            ),
          ),
        ),
      ),
      h('h2', {}, 'Account'),
      h('p', { class: 'who' }, `${account?.user_name ?? ''} · ${account?.email ?? ''} · ${account?.org_name ?? ''}`),
      h('button', { type: 'button', class: 'button secondary', id: 'sign-out', onclick: () => void signOut() }, 'Sign out'),
    ),
  );
}

async function signOut(): Promise<void> {
  await refreshAccount();
  const unsent = (account?.pending ?? 0) + (account?.rejected ?? 0);
  if (unsent === 0) {
    await api.signOut();
    await signInScreen();
    return;
  }
  barWithBack(() => void sitesScreen());
  render(
    h(
      'div',
      { class: 'stack', role: 'alertdialog', 'aria-labelledby': 'unsent-heading', 'aria-describedby': 'unsent-text' },
      h('h2', { id: 'unsent-heading' }, `${plural(unsent, 'change')} not sent yet`),
      h(
        'p',
        { id: 'unsent-text' },
        `What you did on this phone has not all reached the office. If you sign out, it stays on this phone and is sent when ${account?.email ?? 'you'} signs in here again; nobody else can sign in on this phone until then.`,
      ),
      h('button', { type: 'button', class: 'button', id: 'stay', onclick: async () => { tab = 'outbox'; await listScreen(); } }, 'Stay signed in and see them'),
      h('button', { type: 'button', class: 'button warning', id: 'sign-out-anyway', onclick: async () => { await api.signOut(); await signInScreen(); } }, 'Sign out anyway'),
    ),
  );
}

// ---- Lists ----

async function listScreen({ keepFocus = false } = {}): Promise<void> {
  await refreshAccount();
  sites = await api.sites();
  if (!sites.some((s) => s.id === siteId)) chooseSite(sites[0]?.id ?? '');
  work = siteId ? await api.siteWork(siteId) : { tickets: [], issues: [], work_orders: [] };
  const searchBox = h('input', { type: 'search', id: 'search', placeholder: 'Search all your sites', 'aria-label': 'Search tickets, issues and work orders on this phone', value: query, autocomplete: 'off' }) as HTMLInputElement;
  const body = h('div', { class: 'panel', id: 'list' });
  let timer = 0;
  searchBox.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(async () => {
      query = searchBox.value.trim();
      await fillList(body);
    }, 200);
  });
  await fillList(body);
  const focused = document.activeElement?.id;
  barForList();
  render(
    h(
      'div',
      { class: 'stack list-screen' },
      h('p', { id: 'flash', class: 'flash', role: 'alert', hidden: true }),
      tab === 'outbox' ? null : searchBox,
      body,
      siteId ? h('button', { class: 'fab', type: 'button', id: 'log-issue', onclick: () => void issueForm() }, cameraIcon(), h('span', {}, 'Log issue')) : null,
    ),
  );
  screen = 'list';
  renderNav();
  if (keepFocus && focused === 'search') {
    searchBox.focus();
    searchBox.setSelectionRange(searchBox.value.length, searchBox.value.length);
  }
}

async function fillList(body: HTMLElement): Promise<void> {
  body.replaceChildren();
  if (query && tab !== 'outbox') {
    const found = await api.search(query);
    body.append(
      h('h2', { class: 'list-heading' }, found.length ? `${plural(found.length, 'match', 'matches')} for “${query}”` : `Nothing on this phone matches “${query}”`),
      h('ul', { class: 'cards' }, ...found.map(foundCard)),
    );
    return;
  }
  if (tab === 'outbox') {
    await renderOutbox(body);
  } else if (!siteId) {
    body.append(h('p', {}, 'You have no sites assigned yet. Ask your manager to assign you a site, then sync.'));
  } else if (tab === 'work_orders') {
    body.append(h('h2', { class: 'list-heading' }, `Work orders · ${site()?.name ?? ''}`));
    if (work.work_orders.length === 0) body.append(h('p', { class: 'empty' }, 'No open work orders on this site.'));
    body.append(h('ul', { class: 'cards' }, ...work.work_orders.map(workOrderCard)));
  } else if (tab === 'issues') {
    body.append(h('h2', { class: 'list-heading' }, `Issues · ${site()?.name ?? ''}`));
    if (work.issues.length === 0) body.append(h('p', { class: 'empty' }, 'No open issues on this site. Tap “Log issue” when you find one.'));
    body.append(h('ul', { class: 'cards' }, ...work.issues.map(issueCard)));
  } else {
    body.append(
      h('div', { class: 'list-head' }, h('h2', { class: 'list-heading' }, `Tickets · ${site()?.name ?? ''}`), h('button', { type: 'button', class: 'button secondary small', id: 'raise-ticket', onclick: () => ticketForm() }, 'New ticket')),
    );
    if (work.tickets.length === 0) body.append(h('p', { class: 'empty' }, 'No open tickets on this site.'));
    body.append(h('ul', { class: 'cards' }, ...work.tickets.map(ticketCard)));
  }
}

function chip(text: string, kind: string): HTMLElement {
  return h('span', { class: `chip ${kind}` }, text);
}

function pendingTag(pending: boolean): HTMLElement | null {
  return pending ? h('span', { class: 'tag pending' }, 'Waiting to send') : null;
}

function card(priority: string, onOpen: () => void, ...children: (HTMLElement | null)[]): HTMLElement {
  return h('li', {}, h('button', { type: 'button', class: `card prio-${priority}`, onclick: onOpen }, ...children));
}

function due(deadline: string | null): HTMLElement | null {
  if (!deadline) return null;
  return overdue(deadline) ? h('span', { class: 'due overdue' }, `Overdue · due ${ukDate(deadline)}`) : h('span', { class: 'due' }, `Due ${ukDate(deadline)}`);
}

function workOrderCard(w: WorkOrder): HTMLElement {
  return card(
    w.priority,
    () => workOrderScreen(w),
    h('strong', {}, `${w.reference}: ${w.title}`),
    h('span', { class: 'chips' }, chip(label(w.priority), `prio ${w.priority}`), chip(label(w.status), 'status'), due(w.deadline)),
    w.contractor ? h('span', { class: 'meta' }, w.contractor) : null,
    pendingTag(w.pending),
  );
}

function issueCard(i: Issue): HTMLElement {
  const ticket = i.ticket_id ? work.tickets.find((t) => t.id === i.ticket_id) : undefined;
  return card(
    i.priority,
    () => issueScreen(i),
    h('strong', {}, i.title),
    h('span', { class: 'chips' }, chip(label(i.priority), `prio ${i.priority}`), chip(label(i.status), 'status')),
    h('span', { class: 'meta' }, [i.location, `logged ${ukTime(i.created_at)}`, i.photos.length ? plural(i.photos.length, 'photo') : ''].filter(Boolean).join(' · ')),
    ticket ? h('span', { class: 'meta' }, `For ticket ${ticket.reference}`) : null,
    pendingTag(i.pending),
  );
}

function ticketCard(t: Ticket): HTMLElement {
  return card(
    t.priority,
    () => ticketScreen(t),
    h('strong', {}, `${t.reference}: ${t.subject}`),
    h('span', { class: 'chips' }, chip(label(t.priority), `prio ${t.priority}`), chip(label(t.status), 'status')),
    h('span', { class: 'meta' }, [t.reporter ? `from ${t.reporter}` : '', `raised ${ukTime(t.created_at)}`].filter(Boolean).join(' · ')),
    pendingTag(t.pending),
  );
}

const KIND_LABEL: Record<Found['kind'], string> = { ticket: 'Ticket', issue: 'Issue', work_order: 'Work order' };

function foundCard(f: Found): HTMLElement {
  const where = sites.find((s) => s.id === f.site_id);
  return card(
    f.priority,
    () => void openRecord(`${f.kind}/${f.id}`),
    h('strong', {}, f.title),
    h('span', { class: 'chips' }, chip(KIND_LABEL[f.kind], 'kind'), chip(label(f.priority), `prio ${f.priority}`), chip(label(f.status), 'status')),
    h('span', { class: 'meta' }, [where?.name ?? '', f.detail.slice(0, 80)].filter(Boolean).join(' · ')),
  );
}

async function renderOutbox(body: HTMLElement): Promise<void> {
  const items = await api.outbox();
  body.append(h('h2', { class: 'list-heading' }, 'Waiting to send'));
  if (items.length === 0) {
    body.append(h('p', { class: 'empty' }, `Everything has been sent${account?.last_synced_at ? ` (last synced ${ago(account.last_synced_at)})` : ''}.`));
    return;
  }
  body.append(
    h(
      'ul',
      { class: 'cards' },
      ...items.map((item) =>
        h(
          'li',
          { class: `card static ${item.state}` },
          h('strong', {}, item.summary),
          h('span', { class: 'meta' }, `${item.state === 'pending' ? 'Waiting to send' : 'Not accepted'} · made ${ukTime(item.created_at)}`),
          item.reason ? h('p', { class: 'reason' }, item.reason) : null,
          item.state === 'rejected'
            ? h(
                'div',
                { class: 'actions' },
                h('button', { type: 'button', class: 'button secondary', onclick: async () => { await api.retry(item.seq); await syncNow(); await listScreen(); } }, 'Try again'),
                h('button', { type: 'button', class: 'button warning', onclick: async () => { await api.discard(item.seq); await listScreen(); } }, 'Discard'),
              )
            : null,
        ),
      ),
    ),
  );
}

// ---- Forms ----

/** After a change is saved: back to its list, and a sync straight away. */
async function saved(to: Tab): Promise<void> {
  tab = to;
  query = '';
  await listScreen();
  void syncNow();
}

function priorityChoice(current: string): HTMLElement {
  return h(
    'fieldset',
    { class: 'segmented', id: 'priority' },
    h('legend', {}, 'Priority'),
    ...PRIORITIES.map(([code, text]) =>
      h('label', { class: `segment prio-${code}` }, h('input', { type: 'radio', name: 'priority', value: code, id: `priority-${code}`, checked: code === current }), h('span', {}, text)),
    ),
  );
}

function chosen(form: HTMLElement, name: string): string {
  return (form.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value ?? '').trim();
}

function buildingChoices(): [string, string][] {
  return [['', 'Not a particular building'], ...(site()?.buildings ?? []).map((b): [string, string] => [b.id, b.name])];
}

function ticketChoices(): [string, string][] {
  return [['', 'No ticket'], ...work.tickets.filter((t) => !t.pending).map((t): [string, string] => [t.id, `${t.reference}: ${t.subject}`])];
}

async function issueForm(forTicket?: Ticket): Promise<void> {
  const photos = new PhotoPicker(camera);
  const locations = siteId ? await api.recentLocations(siteId) : [];
  const location = h('input', { type: 'text', autocomplete: 'off' }) as HTMLInputElement;
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    h('h2', {}, 'Log an issue'),
    h('p', { class: 'meta' }, `${site()?.reference ?? ''} ${site()?.name ?? ''}${forTicket ? ` · for ticket ${forTicket.reference}` : ''}`),
    h('p', { class: 'form-alert', role: 'alert', tabindex: '-1', hidden: true }),
    photos.element,
    field('title', 'What is wrong', h('input', { type: 'text', autocomplete: 'off' })),
    field('location', 'Where', location),
    locations.length
      ? h(
          'div',
          { class: 'suggestions', role: 'group', 'aria-label': 'Recent places' },
          ...locations.map((l) => h('button', { type: 'button', class: 'suggestion', onclick: () => { location.value = l; location.focus(); } }, l)),
        )
      : null,
    priorityChoice('medium'),
    h(
      'details',
      { class: 'more', open: !!forTicket },
      h('summary', {}, 'Category, building, ticket and details'),
      field('category', 'Category', select(ISSUE_CATEGORIES, 'other')),
      (site()?.buildings.length ?? 0) > 0 ? field('building', 'Building', select(buildingChoices(), '')) : null,
      field('ticket', 'Ticket it answers', select(ticketChoices(), forTicket?.id ?? '')),
      field('description', 'Details', h('textarea', { rows: 3 })),
    ),
    h('div', { class: 'sticky-actions' }, h('button', { class: 'button', type: 'submit', id: 'save-issue' }, 'Save issue')),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api.logIssue({
        site_id: siteId,
        building_id: value(form, 'building') || null,
        ticket_id: value(form, 'ticket') || null,
        title: value(form, 'title'),
        description: value(form, 'description'),
        location: value(form, 'location'),
        category: value(form, 'category'),
        priority: chosen(form, 'priority'),
        photos: photos.paths(),
      });
      await saved('issues');
    } catch (err) {
      showErrors(form, errorText(err), isAppError(err) ? err.fields : []);
    }
  });
  barWithBack(() => void (forTicket ? ticketScreen(forTicket) : listScreen()));
  render(form);
}

function ticketForm(): void {
  const photos = new PhotoPicker(camera);
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    h('h2', {}, 'New ticket'),
    h('p', { class: 'meta' }, `${site()?.reference ?? ''} ${site()?.name ?? ''}`),
    h('p', { class: 'form-alert', role: 'alert', tabindex: '-1', hidden: true }),
    field('subject', 'Short summary', h('input', { type: 'text' })),
    field('body', 'Description', h('textarea', { rows: 4 })),
    field('category', 'Category', select(TICKET_CATEGORIES, 'maintenance')),
    priorityChoice('medium'),
    photos.element,
    h('div', { class: 'sticky-actions' }, h('button', { class: 'button', type: 'submit', id: 'save-ticket' }, 'Raise ticket')),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api.raiseTicket({ site_id: siteId, subject: value(form, 'subject'), body: value(form, 'body'), category: value(form, 'category'), priority: chosen(form, 'priority'), photos: photos.paths() });
      await saved('tickets');
    } catch (err) {
      showErrors(form, errorText(err), isAppError(err) ? err.fields : []);
    }
  });
  barWithBack(() => void listScreen());
  render(form);
}

// ---- Records ----

function facts(...rows: ([string, string | HTMLElement | null] | null)[]): HTMLElement {
  return h('dl', { class: 'facts' }, ...rows.filter((r): r is [string, string | HTMLElement] => !!r && !!r[1]).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function ticketScreen(t: Ticket): void {
  const form = h(
    'form',
    { class: 'stack reply', novalidate: true },
    h('h3', {}, 'Reply or add a note'),
    h('p', { class: 'form-alert', role: 'alert', tabindex: '-1', hidden: true }),
    h(
      'fieldset',
      { class: 'segmented two' },
      h('legend', {}, 'Who sees it'),
      h('label', { class: 'segment' }, h('input', { type: 'radio', name: 'audience', value: 'reply', id: 'audience-reply', checked: true }), h('span', {}, t.reporter ? `Reply to ${t.reporter}` : 'Reply')),
      h('label', { class: 'segment' }, h('input', { type: 'radio', name: 'audience', value: 'internal', id: 'audience-internal' }), h('span', {}, 'Internal note')),
    ),
    field('body', 'Message', h('textarea', { rows: 3 })),
    h('button', { class: 'button', type: 'submit', id: 'send-reply' }, 'Send'),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api.replyTicket(t.id, value(form, 'body'), chosen(form, 'audience') === 'internal');
      await saved('tickets');
    } catch (err) {
      showErrors(form, errorText(err), isAppError(err) ? err.fields : []);
    }
  });
  const linked = work.issues.filter((i) => i.ticket_id === t.id);
  barWithBack(() => void listScreen());
  render(
    h(
      'div',
      { class: 'stack record' },
      h('h2', {}, `${t.reference}: ${t.subject}`),
      h('p', { class: 'chips' }, chip(label(t.priority), `prio ${t.priority}`), chip(label(t.status), 'status'), pendingTag(t.pending)),
      facts(['Category', label(t.category)], ['Raised', ukTime(t.created_at)], ['From', t.reporter]),
      t.photos.length ? h('section', {}, h('h3', {}, `Photos (${t.photos.length})`), photoStrip(t.photos)) : null,
      h('h3', {}, 'Conversation'),
      h(
        'ol',
        { class: 'thread' },
        ...t.messages.map((m) => h('li', { class: m.internal ? 'note' : '' }, h('span', { class: 'meta' }, `${m.author}${m.internal ? ' · internal note' : ''} · ${ukTime(m.created_at)}`), m.body)),
      ),
      linked.length ? h('section', {}, h('h3', {}, 'Issues logged for it'), h('ul', { class: 'cards' }, ...linked.map(issueCard))) : null,
      h('button', { type: 'button', class: 'button secondary', id: 'log-issue-for-ticket', onclick: () => void issueForm(t) }, 'Log an issue for this ticket'),
      form,
    ),
  );
}

function issueScreen(i: Issue): void {
  const ticket = i.ticket_id ? work.tickets.find((t) => t.id === i.ticket_id) : undefined;
  const building = i.building_id ? site()?.buildings.find((b) => b.id === i.building_id) : undefined;
  const order = i.work_order_id ? work.work_orders.find((w) => w.id === i.work_order_id) : undefined;
  const link = h(
    'form',
    { class: 'stack', novalidate: true, id: 'link-form' },
    h('h3', {}, 'Where it belongs'),
    h('p', { class: 'form-alert', role: 'alert', tabindex: '-1', hidden: true }),
    (site()?.buildings.length ?? 0) > 0 ? field('building', 'Building', select(buildingChoices(), i.building_id ?? '')) : null,
    field('ticket', 'Ticket it answers', select(ticketChoices(), i.ticket_id ?? '')),
    h('button', { class: 'button secondary', type: 'submit', id: 'save-links' }, 'Save'),
  );
  link.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api.linkIssue(i.id, value(link, 'building') || null, value(link, 'ticket') || null);
      await saved('issues');
    } catch (err) {
      showErrors(link, errorText(err), isAppError(err) ? err.fields : []);
    }
  });
  barWithBack(() => void listScreen());
  render(
    h(
      'div',
      { class: 'stack record' },
      h('h2', {}, i.title),
      h('p', { class: 'chips' }, chip(label(i.priority), `prio ${i.priority}`), chip(label(i.status), 'status'), pendingTag(i.pending)),
      facts(
        ['Where', i.location],
        ['Building', building?.name ?? null],
        ['Category', label(i.category)],
        ['Logged', `${ukTime(i.created_at)}${i.reported_by ? ` by ${i.reported_by}` : ''}`],
        ['Ticket', ticket ? h('button', { type: 'button', class: 'link', id: 'open-ticket', onclick: () => ticketScreen(ticket) }, `${ticket.reference}: ${ticket.subject}`) : null],
        ['Work order', order ? h('button', { type: 'button', class: 'link', onclick: () => workOrderScreen(order) }, `${order.reference}: ${order.title}`) : null],
      ),
      i.description ? h('p', { class: 'scope' }, i.description) : null,
      h('section', {}, h('h3', {}, `Photos (${i.photos.length})`), i.photos.length ? photoStrip(i.photos) : h('p', { class: 'empty' }, 'No photos.')),
      i.history.length
        ? h('section', {}, h('h3', {}, 'History'), h('ol', { class: 'history' }, ...i.history.map((step) => h('li', {}, h('span', { class: 'meta' }, `${ukTime(step.at)} · ${step.who}`), step.what))))
        : null,
      link,
    ),
  );
}

/** What the field can do next with a work order, in words for the button. */
const STEP_LABELS: Record<string, string> = {
  in_progress: 'Start work',
  completed: 'Mark complete',
  pending_review: 'Ready for review',
};

const WAITING: Record<string, string> = {
  draft: 'The office has not sent this out yet.',
  sent_for_quote: 'Waiting for the contractor’s quote.',
  quoted: 'Quoted: waiting for the office to approve the quote.',
  pending_review: 'Waiting for the office to review the work.',
  completed: 'Marked complete: the office closes it once checked.',
};

function workOrderScreen(w: WorkOrder): void {
  const photos = new PhotoPicker(camera);
  const steps = w.next.filter((n) => STEP_LABELS[n]);
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    h('h3', {}, 'Update from site'),
    h('p', { class: 'form-alert', role: 'alert', tabindex: '-1', hidden: true }),
    steps.length
      ? h(
          'fieldset',
          { class: 'segmented steps', id: 'status' },
          h('legend', {}, 'Move it on (optional)'),
          h('label', { class: 'segment' }, h('input', { type: 'radio', name: 'status', value: '', id: 'status-keep', checked: true }), h('span', {}, `Leave as ${label(w.status)}`)),
          ...steps.map((n) => h('label', { class: 'segment' }, h('input', { type: 'radio', name: 'status', value: n, id: `status-${n}` }), h('span', {}, STEP_LABELS[n]))),
        )
      : h('p', { class: 'notice', id: 'waiting' }, WAITING[w.status] ?? `${label(w.status)}: nothing to move on from site.`),
    field('note', 'Note', h('textarea', { rows: 3 })),
    photos.element,
    h('button', { class: 'button', type: 'submit', id: 'save-work-order' }, 'Save update'),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api.updateWorkOrder(w.id, chosen(form, 'status') || null, value(form, 'note') || null, photos.paths());
      await saved('work_orders');
    } catch (err) {
      showErrors(form, errorText(err), isAppError(err) ? err.fields : []);
    }
  });
  barWithBack(() => void listScreen());
  render(
    h(
      'div',
      { class: 'stack record' },
      h('h2', {}, `${w.reference}: ${w.title}`),
      h('p', { class: 'chips' }, chip(label(w.priority), `prio ${w.priority}`), chip(label(w.status), 'status'), due(w.deadline), pendingTag(w.pending)),
      facts(['Contractor', w.contractor]),
      h('p', { class: 'scope' }, w.scope),
      w.photos.length ? h('section', {}, h('h3', {}, `Photos (${w.photos.length})`), photoStrip(w.photos)) : null,
      form,
    ),
  );
}

// ---- Start ----

/** On phones, a tap on a system notification opens its record. */
async function listenForTaps(): Promise<void> {
  try {
    await addPluginListener('notification', 'actionPerformed', (event: { notification?: { extra?: { record?: string } } }) => {
      const record = event.notification?.extra?.record;
      if (record) void openRecord(record);
    });
  } catch {
    // Desktop builds have no tap events: the app shows the same notice in its own bar.
  }
}

/**
 * Pushes: one arrived while the app is open (show it, and sync to fetch what it is about), or a
 * tap on one opened the app (sync, then open its record). Once both are heard, the app asks
 * for pushes, and hears of the tap that started it.
 */
async function listenForPushes(): Promise<void> {
  await listen<AppNotification>('pushed', (event) => {
    showAlert(event.payload);
    void syncNow();
  });
  await listen<string>('push-opened', async (event) => {
    if (!account?.signed_in) return;
    await syncNow();
    await openRecord(event.payload);
  });
  await api.listenForPushes();
}

async function start(): Promise<void> {
  camera = (await api.features()).camera;
  account = await api.account();
  void listenForTaps();
  void listenForPushes();
  if (account.signed_in) {
    await listScreen();
    void syncNow();
  } else {
    await signInScreen();
  }
  window.setInterval(() => void syncNow(), 15_000);
  // The "last synced" time moves on even when nothing else does.
  window.setInterval(renderStatus, 30_000);
}

void start();
