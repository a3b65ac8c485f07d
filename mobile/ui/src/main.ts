// Facility Report's screens. Everything works offline: actions write to the phone's store
// and the outbox, and a sync runs after each action and every 15 seconds.
import { api, isAppError, type Account, type CodeSent, type Issue, type SiteWork, type Ticket, type WorkOrder } from './api';
import { field, h, select, showErrors, value } from './dom';

const app = document.getElementById('app') as HTMLElement;
const statusLine = document.getElementById('status') as HTMLElement;

const ISSUE_CATEGORIES: [string, string][] = [
  ['water_leak', 'Water leak'],
  ['lighting_fault', 'Lighting fault'],
  ['fire_safety', 'Fire safety'],
  ['security', 'Security'],
  ['cleanliness', 'Cleanliness'],
  ['other', 'Other'],
];
const TICKET_CATEGORIES: [string, string][] = [
  ['maintenance', 'Maintenance'],
  ['complaint', 'Complaint'],
  ['query', 'Query'],
  ['antisocial_behaviour', 'Antisocial behaviour'],
  ['compliance', 'Compliance'],
  ['insurance', 'Insurance'],
  ['account', 'Account'],
  ['other', 'Other'],
];
const PRIORITIES: [string, string][] = [
  ['low', 'Low'],
  ['medium', 'Medium'],
  ['high', 'High'],
  ['urgent', 'Urgent'],
];
const STATUS_LABELS: Record<string, string> = {
  draft: 'Draft',
  sent_for_quote: 'Sent for quote',
  quoted: 'Quoted',
  approved: 'Approved',
  in_progress: 'In progress',
  completed: 'Completed',
  pending_review: 'Pending review',
  closed: 'Closed',
  cancelled: 'Cancelled',
  open: 'Open',
  triaged: 'Triaged',
  assigned: 'Assigned',
  waiting_on_customer: 'Waiting on customer',
};
const label = (code: string) => STATUS_LABELS[code] ?? code.replace(/_/g, ' ');

let account: Account | null = null;
let siteId = localStorage.getItem('site') ?? '';
let online = true;
let tab: 'work_orders' | 'issues' | 'tickets' | 'outbox' = 'work_orders';
let syncing = false;
/// Which screen is showing: a sync redraws the home screen, never a form being filled in.
let screen: 'home' | 'form' = 'form';

/// Redraws the home screen if it is the one showing.
async function refreshHome(): Promise<void> {
  if (screen === 'home') await homeScreen();
}

function errorText(e: unknown): string {
  return isAppError(e) ? e.message : String(e);
}

async function refreshStatus(): Promise<void> {
  account = await api.account();
  const waiting = account.pending;
  const parts = [online ? 'Online' : 'Offline'];
  parts.push(waiting === 0 ? 'all changes sent' : `${waiting} waiting to send`);
  if (account.rejected > 0) parts.push(`${account.rejected} not accepted`);
  statusLine.textContent = parts.join(' · ');
  statusLine.className = `status ${online ? 'online' : 'offline'}`;
  const outboxTab = document.getElementById('tab-outbox');
  if (outboxTab) outboxTab.textContent = `Outbox (${waiting + account.rejected})`;
}

/// Syncs, quietly: no signal is normal, and the status line says so.
async function syncNow(): Promise<void> {
  if (syncing || !account?.signed_in) return;
  syncing = true;
  try {
    await api.syncNow();
    online = true;
  } catch (e) {
    if (isAppError(e) && e.code === 'offline') {
      online = false;
    } else if (isAppError(e) && e.code === 'not_signed_in') {
      await signInScreen();
      return;
    } else {
      online = true;
      flash(errorText(e));
    }
  } finally {
    syncing = false;
  }
  await refreshStatus();
}

function flash(message: string): void {
  const el = document.getElementById('flash');
  if (el) {
    el.textContent = message;
    el.hidden = false;
  }
}

async function signInScreen(): Promise<void> {
  account = await api.account();
  statusLine.textContent = '';
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    h('h2', {}, 'Sign in'),
    h('p', { class: 'form-alert', role: 'alert', tabindex: '-1', hidden: true }),
    field('server', 'PropLink server', h('input', { type: 'url', value: account.server ?? account.default_server, autocomplete: 'url' })),
    field('org', 'Organisation', h('input', { type: 'text', autocomplete: 'organization', autocapitalize: 'none' }), 'The first part of your PropLink address, like acme'),
    field('email', 'Email address', h('input', { type: 'email', autocomplete: 'email', value: account.email ?? '' })),
    h('button', { class: 'button', type: 'submit', id: 'send-code' }, 'Send code'),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const sent = await api.requestCode(value(form, 'server'), value(form, 'org'), value(form, 'email'));
      codeScreen(value(form, 'server'), value(form, 'org'), value(form, 'email'), sent);
    } catch (err) {
      showErrors(form, errorText(err), isAppError(err) ? err.fields : []);
    }
  });
  render(form);
}

function codeScreen(server: string, org: string, email: string, sent: CodeSent): void {
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    h('h2', {}, 'Check your email'),
    h(
      'p',
      sent.status === 'already_sent' ? { class: 'notice', role: 'status' } : {},
      sent.status === 'already_sent'
        ? sent.message
        : `If ${email} has an account, we have sent it a 6-digit code. It works once, for 10 minutes.`,
    ),
    h('p', { class: 'form-alert', role: 'alert', tabindex: '-1', hidden: true }),
    field('code', 'Code', h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', class: 'code' })),
    h('button', { class: 'button', type: 'submit', id: 'sign-in' }, 'Sign in'),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      account = await api.signIn(server, org, email, value(form, 'code'));
      await homeScreen();
    } catch (err) {
      showErrors(form, errorText(err), isAppError(err) ? err.fields : []);
    }
  });
  render(form);
}

function render(...nodes: HTMLElement[]): void {
  screen = 'form';
  app.replaceChildren(...nodes);
  app.focus();
}

async function homeScreen(): Promise<void> {
  await refreshStatus();
  const sites = await api.sites();
  if (!sites.some((s) => s.id === siteId)) siteId = sites[0]?.id ?? '';
  localStorage.setItem('site', siteId);
  const siteSelect = select(
    sites.map((s) => [s.id, `${s.reference} ${s.name}`]),
    siteId,
  );
  siteSelect.addEventListener('change', async () => {
    siteId = siteSelect.value;
    localStorage.setItem('site', siteId);
    await homeScreen();
  });
  const tabs = h(
    'div',
    { class: 'tabs', role: 'tablist', 'aria-label': 'What to show' },
    ...(
      [
        ['work_orders', 'Work orders'],
        ['issues', 'Issues'],
        ['tickets', 'Tickets'],
        ['outbox', 'Outbox'],
      ] as const
    ).map(([key, text]) =>
      h(
        'button',
        {
          type: 'button',
          role: 'tab',
          id: `tab-${key === 'work_orders' ? 'work-orders' : key}`,
          'aria-selected': tab === key ? 'true' : 'false',
          onclick: async () => {
            tab = key;
            await homeScreen();
          },
        },
        text,
      ),
    ),
  );
  const body = h('div', { role: 'tabpanel', class: 'panel' });
  if (tab === 'outbox') {
    await renderOutbox(body);
  } else if (siteId) {
    const work = await api.siteWork(siteId);
    renderWork(body, work);
  } else {
    body.append(h('p', {}, 'You have no sites assigned yet. Ask your manager to assign you a site, then sync.'));
  }
  render(
    h(
      'div',
      { class: 'stack' },
      h('p', { id: 'flash', class: 'flash', role: 'alert', hidden: true }),
      h('p', { class: 'who' }, `${account?.user_name ?? ''} · ${account?.org_name ?? ''}`),
      sites.length > 0 ? field('site', 'Site', siteSelect) : h('p', {}, 'No sites yet.'),
      h(
        'div',
        { class: 'actions' },
        h('button', { class: 'button', type: 'button', id: 'log-issue', onclick: () => issueForm(), disabled: !siteId }, 'Log issue'),
        h('button', { class: 'button secondary', type: 'button', id: 'raise-ticket', onclick: () => ticketForm(), disabled: !siteId }, 'Raise ticket'),
        h('button', { class: 'button secondary', type: 'button', id: 'sync', onclick: async () => { await syncNow(); await homeScreen(); } }, 'Sync now'),
      ),
      tabs,
      body,
      h('button', { class: 'link', type: 'button', onclick: async () => { await api.signOut(); await signInScreen(); } }, 'Sign out'),
    ),
  );
  screen = 'home';
  await refreshStatus();
}

function photoCount(n: number): string {
  return n === 0 ? 'no photos' : n === 1 ? '1 photo' : `${n} photos`;
}

function badge(pending: boolean): HTMLElement | null {
  return pending ? h('span', { class: 'tag pending' }, 'Waiting to send') : null;
}

function renderWork(body: HTMLElement, work: SiteWork): void {
  if (tab === 'work_orders') {
    if (work.work_orders.length === 0) body.append(h('p', {}, 'No open work orders on this site.'));
    body.append(
      h('ul', { class: 'cards' }, ...work.work_orders.map((w) => h('li', {}, h('button', { type: 'button', class: 'card', onclick: () => workOrderScreen(w) }, h('strong', {}, `${w.reference}: ${w.title}`), h('span', {}, label(w.status)), badge(w.pending))))),
    );
  } else if (tab === 'issues') {
    if (work.issues.length === 0) body.append(h('p', {}, 'No open issues on this site.'));
    body.append(h('ul', { class: 'cards' }, ...work.issues.map((i: Issue) => h('li', { class: 'card' }, h('strong', {}, i.title), h('span', {}, `${i.location} · ${label(i.status)} · ${photoCount(i.photos.length)}`), badge(i.pending)))));
  } else {
    if (work.tickets.length === 0) body.append(h('p', {}, 'No open tickets on this site.'));
    body.append(
      h('ul', { class: 'cards' }, ...work.tickets.map((t) => h('li', {}, h('button', { type: 'button', class: 'card', onclick: () => ticketScreen(t) }, h('strong', {}, `${t.reference}: ${t.subject}`), h('span', {}, `${t.priority} · ${label(t.status)}`), badge(t.pending))))),
    );
  }
}

async function renderOutbox(body: HTMLElement): Promise<void> {
  const items = await api.outbox();
  if (items.length === 0) {
    body.append(h('p', {}, 'Everything has been sent.'));
    return;
  }
  body.append(
    h(
      'ul',
      { class: 'cards' },
      ...items.map((item) =>
        h(
          'li',
          { class: `card ${item.state}` },
          h('strong', {}, item.summary),
          h('span', {}, item.state === 'pending' ? 'Waiting to send' : 'Not accepted'),
          item.reason ? h('p', { class: 'reason' }, item.reason) : null,
          item.state === 'rejected'
            ? h(
                'div',
                { class: 'actions' },
                h('button', { type: 'button', class: 'button secondary', onclick: async () => { await api.retry(item.seq); await syncNow(); await homeScreen(); } }, 'Try again'),
                h('button', { type: 'button', class: 'button warning', onclick: async () => { await api.discard(item.seq); await homeScreen(); } }, 'Discard'),
              )
            : null,
        ),
      ),
    ),
  );
}

/// Reads the chosen photos and hands them to the app's store.
async function stashPhotos(input: HTMLInputElement | null): Promise<string[]> {
  const paths: string[] = [];
  for (const file of Array.from(input?.files ?? [])) {
    paths.push(await api.stashPhoto(new Uint8Array(await file.arrayBuffer())));
  }
  return paths;
}

function photoInput(): HTMLInputElement {
  return h('input', { type: 'file', accept: 'image/*', capture: 'environment', multiple: true }) as HTMLInputElement;
}

function backButton(): HTMLElement {
  return h('button', { type: 'button', class: 'link', onclick: () => homeScreen() }, 'Back');
}

function issueForm(): void {
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    backButton(),
    h('h2', {}, 'Log an issue'),
    h('p', { class: 'form-alert', role: 'alert', tabindex: '-1', hidden: true }),
    field('title', 'What is wrong', h('input', { type: 'text' })),
    field('location', 'Where in the building', h('input', { type: 'text' }), 'For example: Floor 3, east stairwell'),
    field('category', 'Category', select(ISSUE_CATEGORIES, 'other')),
    field('priority', 'Priority', select(PRIORITIES, 'medium')),
    field('description', 'Details (optional)', h('textarea', { rows: 3 })),
    field('photos', 'Photos', photoInput()),
    h('button', { class: 'button', type: 'submit', id: 'save-issue' }, 'Save issue'),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const photos = await stashPhotos(form.querySelector('#photos'));
      await api.logIssue({ site_id: siteId, title: value(form, 'title'), description: value(form, 'description'), location: value(form, 'location'), category: value(form, 'category'), priority: value(form, 'priority'), photos });
      tab = 'issues';
      await homeScreen();
      void syncNow().then(refreshHome);
    } catch (err) {
      showErrors(form, errorText(err), isAppError(err) ? err.fields : []);
    }
  });
  render(form);
}

function ticketForm(): void {
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    backButton(),
    h('h2', {}, 'Raise a ticket'),
    h('p', { class: 'form-alert', role: 'alert', tabindex: '-1', hidden: true }),
    field('subject', 'Short summary', h('input', { type: 'text' })),
    field('body', 'Description', h('textarea', { rows: 4 })),
    field('category', 'Category', select(TICKET_CATEGORIES, 'maintenance')),
    field('priority', 'Priority', select(PRIORITIES, 'medium')),
    field('photos', 'Photos', photoInput()),
    h('button', { class: 'button', type: 'submit', id: 'save-ticket' }, 'Raise ticket'),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const photos = await stashPhotos(form.querySelector('#photos'));
      await api.raiseTicket({ site_id: siteId, subject: value(form, 'subject'), body: value(form, 'body'), category: value(form, 'category'), priority: value(form, 'priority'), photos });
      tab = 'tickets';
      await homeScreen();
      void syncNow().then(refreshHome);
    } catch (err) {
      showErrors(form, errorText(err), isAppError(err) ? err.fields : []);
    }
  });
  render(form);
}

function ticketScreen(t: Ticket): void {
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    h('p', { class: 'form-alert', role: 'alert', tabindex: '-1', hidden: true }),
    field('body', 'Your reply', h('textarea', { rows: 3 })),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', id: 'internal' }), ' Internal note (staff only)'),
    h('button', { class: 'button', type: 'submit', id: 'send-reply' }, 'Send'),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const internal = (form.querySelector('#internal') as HTMLInputElement).checked;
      await api.replyTicket(t.id, value(form, 'body'), internal);
      tab = 'tickets';
      await homeScreen();
      void syncNow().then(refreshHome);
    } catch (err) {
      showErrors(form, errorText(err), isAppError(err) ? err.fields : []);
    }
  });
  render(
    h(
      'div',
      { class: 'stack' },
      backButton(),
      h('h2', {}, `${t.reference}: ${t.subject}`),
      h('p', {}, `${t.priority} priority · ${label(t.status)}${t.reporter ? ` · reported by ${t.reporter}` : ''}`),
      h('ol', { class: 'thread' }, ...t.messages.map((m) => h('li', { class: m.internal ? 'note' : '' }, h('span', { class: 'meta' }, `${m.author}${m.internal ? ' · internal note' : ''}`), m.body))),
      form,
    ),
  );
}

function workOrderScreen(w: WorkOrder): void {
  const statusChoices: [string, string][] = [['', `Keep as ${label(w.status)}`], ...w.next.map((n): [string, string] => [n, label(n)])];
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    h('p', { class: 'form-alert', role: 'alert', tabindex: '-1', hidden: true }),
    field('status', 'Status', select(statusChoices, '')),
    field('note', 'Note (optional)', h('textarea', { rows: 3 })),
    field('photos', 'Photos', photoInput()),
    h('button', { class: 'button', type: 'submit', id: 'save-work-order' }, 'Save update'),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const photos = await stashPhotos(form.querySelector('#photos'));
      await api.updateWorkOrder(w.id, value(form, 'status') || null, value(form, 'note') || null, photos);
      await homeScreen();
      void syncNow().then(refreshHome);
    } catch (err) {
      showErrors(form, errorText(err), isAppError(err) ? err.fields : []);
    }
  });
  render(
    h(
      'div',
      { class: 'stack' },
      backButton(),
      h('h2', {}, `${w.reference}: ${w.title}`),
      h('p', {}, `${label(w.status)} · ${w.priority} priority${w.contractor ? ` · ${w.contractor}` : ''}${w.deadline ? ` · due ${w.deadline}` : ''}`),
      h('p', { class: 'scope' }, w.scope),
      form,
    ),
  );
}

async function start(): Promise<void> {
  account = await api.account();
  if (account.signed_in) {
    await homeScreen();
    void syncNow().then(refreshHome);
  } else {
    await signInScreen();
  }
  window.setInterval(() => {
    void syncNow().then(refreshHome);
  }, 15_000);
}

void start();
