/**
 * The soak's operators: the real console in headless Chromium (JsSIP softphone, WebRTC to the real
 * Asterisk), one browser context each, driven as a person would: ready, answer the screen-pop
 * (or, now and then, let it ring out), talk a few seconds, write a ticket for some health calls,
 * hang up; between calls, call back citizens from the callback list. A dropped browser is its
 * context closed; the operator logs back in later.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, logInAs } from '../test/support/e2e.ts';

export interface OperatorFigures {
  answered: number;
  ringOuts: number;
  callbacksDialled: number;
  tickets: string[];
  problems: string[];
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Operator {
  context: BrowserContext | null = null;
  page: Page | null = null;
  figures: OperatorFigures = { answered: 0, ringOuts: 0, callbacksDialled: 0, tickets: [], problems: [] };
  private ringDecided = false;
  private talkUntil = 0;
  private ticketWanted = false;
  private lastCode = '';
  dropped = false;

  constructor(
    readonly username: string,
    private readonly browser: Browser,
    private readonly url: string,
    private readonly shares: { ringOut: number; ticket: number },
    private readonly random: () => number,
  ) {}

  async logIn(): Promise<void> {
    this.context = await this.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    const page = await this.context.newPage();
    this.page = page;
    await logInAs(page, this.url, this.username);
    const deadline = Date.now() + 30_000;
    while ((await page.getByTestId('phone-status').getAttribute('data-registration')) !== 'registered') {
      if (Date.now() > deadline) throw new Error(`${this.username}: the softphone did not register`);
      await pause(250);
    }
    await page.getByRole('button', { name: 'Sẵn sàng' }).click();
    this.dropped = false;
  }

  /** Closes the browser context: the console, its socket and its softphone go at once. */
  async drop(): Promise<void> {
    this.dropped = true;
    const context = this.context;
    this.context = null;
    this.page = null;
    await context?.close().catch(() => undefined);
  }

  /** One look at the console and at most one action. */
  async step(callbacksWanted: boolean): Promise<void> {
    const page = this.page;
    if (!page || this.dropped) return;
    const stateEl = page.getByTestId('agent-state');
    const state = await stateEl.getAttribute('data-state', { timeout: 2000 });
    const reason = await stateEl.getAttribute('data-reason', { timeout: 2000 });
    const pop = page.getByRole('region', { name: 'Cuộc gọi đến' });
    const answer = pop.getByRole('button', { name: 'Trả lời' });
    if (state === 'ringing' && (await answer.isVisible())) {
      if (this.ringDecided) return;
      this.ringDecided = true;
      if (this.random() < this.shares.ringOut) {
        this.figures.ringOuts++;
        return;
      }
      await answer.click({ timeout: 2000 });
      this.figures.answered++;
      this.talkUntil = Date.now() + 5000 + this.random() * 10_000;
      // Each operator's first call, then a share of the others.
      this.ticketWanted = this.figures.answered === 1 || this.random() < this.shares.ticket;
      return;
    }
    if (state !== 'ringing') this.ringDecided = false;
    if (state === 'on_call') {
      if (this.talkUntil === 0) this.talkUntil = Date.now() + 4000;
      if (Date.now() < this.talkUntil) return;
      if (this.ticketWanted) {
        this.ticketWanted = false;
        await this.writeTicket(page).catch((err: unknown) =>
          this.figures.problems.push(`${this.username}: ticket not written: ${String(err).slice(0, 200)}`),
        );
      }
      const hangup = page.locator('#hangup');
      if (await hangup.isVisible()) await hangup.click({ timeout: 2000 });
      this.talkUntil = 0;
      return;
    }
    this.talkUntil = 0;
    if (await page.locator('#callback-hangup').isVisible()) {
      // A callback: talk a little once the citizen answered, then hang up.
      await pause(3000);
      await page
        .locator('#callback-hangup')
        .click({ timeout: 2000 })
        .catch(() => undefined);
      return;
    }
    if (state === 'not_ready' || state === 'offline') {
      if (reason === 'callback') await pause(1000);
      await page.getByRole('button', { name: 'Sẵn sàng' }).click({ timeout: 2000 });
      return;
    }
    if (state === 'ready' && callbacksWanted && this.random() < 0.5) {
      const due = page.locator('#callbacks tr[data-callback-id]').getByRole('button', { name: 'Gọi lại' });
      if ((await due.count()) > 0) {
        await due.first().click({ timeout: 2000 });
        this.figures.callbacksDialled++;
      }
    }
  }

  /** The ticket form as in the call-to-ticket test: the queue chose the category (health calls). */
  private async writeTicket(page: Page): Promise<void> {
    const caller = (await page.getByTestId('call-caller').textContent())?.match(/0\d{9,}/)?.[0];
    if (!caller) throw new Error('no caller number on screen');
    await page.getByLabel('Số điện thoại').fill(caller);
    if (!(await page.getByLabel('Lĩnh vực').inputValue())) {
      // Not a health call: the category is the operator's choice.
      await page.getByLabel('Lĩnh vực').selectOption('health');
    }
    const commune = page.getByRole('combobox', { name: 'Xã, phường' });
    await commune.pressSequentially('bien hoa');
    await page.getByRole('listbox').getByRole('option', { name: 'Phường Biên Hòa', exact: true }).click();
    await page.getByLabel('Địa chỉ').fill('Khu phố 3');
    await page
      .getByLabel('Nội dung')
      .fill('Người dân báo có ca sốt cao tại khu phố 3, cần đội y tế kiểm tra.');
    await page.getByRole('button', { name: 'Tạo phiếu' }).click();
    const deadline = Date.now() + 10_000;
    for (;;) {
      const code = (await page.getByTestId('tracking-code').textContent({ timeout: 2000 }))?.trim() ?? '';
      if (/^\d{9}$/.test(code) && code !== this.lastCode) {
        this.lastCode = code;
        this.figures.tickets.push(code);
        return;
      }
      if (Date.now() > deadline) throw new Error('no tracking code after 10 s');
      await pause(200);
    }
  }
}

export async function startOperators(opts: {
  url: string;
  usernames: string[];
  shares: { ringOut: number; ticket: number };
  random: () => number;
}) {
  const browser = await launchChromium();
  const team = opts.usernames.map((u) => new Operator(u, browser, opts.url, opts.shares, opts.random));
  await Promise.all(team.map((o) => o.logIn()));
  let running = true;
  let callbacksWanted = true;
  const loops = team.map(async (operator) => {
    let lastProblem = '';
    while (running) {
      try {
        await operator.step(callbacksWanted);
      } catch (err) {
        // A console reconnecting after a fault: look again shortly.
        const line = String(err).split('\n')[0]!.slice(0, 160);
        if (line !== lastProblem) lastProblem = line;
      }
      await pause(300);
    }
  });
  const byName = (username: string) => {
    const found = team.find((o) => o.username === username);
    if (!found) throw new Error(`no operator ${username}`);
    return found;
  };
  return {
    team,
    /** Operators stop calling citizens back (e.g. to measure what the hotline does on its own). */
    setCallbacks(on: boolean) {
      callbacksWanted = on;
    },
    drop: (username: string) => byName(username).drop(),
    logBackIn: (username: string) => byName(username).logIn(),
    figures: () => team.map((o) => ({ username: o.username, ...o.figures })),
    async stop() {
      running = false;
      await Promise.allSettled(loops);
      await browser.close().catch(() => undefined);
    },
  };
}
