// UI checks of the REGISTER templates panel (route A of scripts/editor-tests.mjs): the real
// workbench in Chromium, the real webview (two nested iframes, @vscode-elements controls with open
// shadow roots; element ids in src/webview/ids.ts). They run after the summary/decoded-view steps,
// which leave the decoded view of broken-register.pcap open with the cursor on its Contact line.
//
//   1. Quick fix "Open a compliant REGISTER template" on the OMA-IM-REG-001 squiggle opens the panel
//      on the capture's flow; choosing "Initial REGISTER" gives a template the checker passes; "Open
//      as SIP document" opens it in a new editor, whose own check finds no error (status bar item
//      of the active trace, and no error squiggle).
//   2. Clicking the 200's arrow in the ladder reveals that message in the decoded view.
//   3. Screenshots of the panel and of the ladder (docs/images, like problems-panel.png).
//   4. A hostile log (hostile-register.sip: markup and javascript: URIs in Call-ID, Contact and
//      User-Agent) opened the same way: its text is shown literally, no script ran, no element was
//      made from it.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { root } from './lib.mjs';

export const TEMPLATES_SHOT = join(root, 'docs', 'images', 'templates-panel.png');
export const LADDER_SHOT = join(root, 'docs', 'images', 'ladder.png');
const MAX_SHOT_BYTES = 300 * 1024;
const HOSTILE_IMG = '<img src=x onerror=window.__pwned=1>';
const HOSTILE_SCRIPT = '</script><script>window.__pwned=2</script>';

/** The frame (the inner #active-frame of a webview) whose document has `#marker`, polled. */
async function webviewFrameWith(page, marker, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const f of page.frames()) {
      if (f === page.mainFrame()) continue;
      const has = await f.evaluate((id) => !!document.getElementById(id), marker).catch(() => false);
      if (has) return f;
    }
    if (Date.now() > deadline) throw new Error(`no webview frame with #${marker} within ${timeoutMs} ms`);
    await page.waitForTimeout(200);
  }
}

/** Picks an entry of a vscode-single-select by its label, as a user does (open, click the option). */
async function choose(frame, selectId, label) {
  await frame.locator(`#${selectId}`).click({ timeout: 10000 });
  await frame.locator(`#${selectId} li[role="option"]`, { hasText: label }).first().click({ timeout: 10000 });
}

/** Runs a command from the palette by its title (docs real-editor-testing.md §4). */
async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10000 });
  await page.keyboard.press('Enter');
}

/** Runs the quick fix titled `title` at the cursor of the active editor (the light bulb's list). */
async function quickFix(page, title, ruleId) {
  const item = page.getByText(title, { exact: true }).first();
  // The Problems panel row of the finding has the light bulb: a click lists the fixes.
  await page.keyboard.press('Control+Shift+M');
  const row = page.locator('.markers-panel .monaco-list-row', { hasText: ruleId }).first();
  await row.click({ timeout: 10000 });
  await row.locator('.codicon-light-bulb, .codicon-lightbulb, .lightbulb, [class*="light-bulb"]').first().click({ timeout: 5000 }).catch(() => {});
  try {
    await item.waitFor({ timeout: 4000 });
  } catch {
    await page.keyboard.press('Control+Period');
    try {
      await item.waitFor({ timeout: 4000 });
    } catch {
      const seen = await page.evaluate(() => [...document.querySelectorAll('[class*="action"]')].filter((e) => e.offsetParent).map((e) => e.className).slice(0, 12).join(' | '));
      throw new Error(`no quick fix "${title}" listed; visible action elements: ${seen}`);
    }
  }
  await item.hover();
  await item.click();
  // A click while the list is still being laid out can be lost: the list stays open then.
  try {
    await item.waitFor({ state: 'hidden', timeout: 3000 });
  } catch {
    await item.click();
    await item.waitFor({ state: 'hidden', timeout: 5000 });
  }
}

/** The status bar item of the active SIP trace: { errors, warnings } from its accessible label. */
async function traceStatus(page, timeoutMs = 15000) {
  const item = page.locator('.statusbar-item[aria-label^="SIP: "]').first();
  await item.waitFor({ timeout: timeoutMs });
  const label = await item.getAttribute('aria-label');
  const m = /SIP: (\d+) errors, (\d+) warnings/.exec(label ?? '');
  if (!m) throw new Error(`status bar item: ${label}`);
  return { errors: +m[1], warnings: +m[2], label };
}

/** "Ln 15, Col 1" of the status bar (the active editor's cursor). */
async function cursorPosition(page) {
  const t = (await page.locator('#status\\.editor\\.selection').innerText({ timeout: 10000 })).trim();
  const m = /Ln (\d+), Col (\d+)/.exec(t);
  if (!m) throw new Error(`cursor position: ${t}`);
  return { line: +m[1], column: +m[2], text: t };
}

function keepShot(target, runDir) {
  const update = !existsSync(target) || process.env.SIP_EDITOR_UPDATE_SCREENSHOTS === '1';
  const path = update ? target : join(runDir, target.split('/').pop());
  mkdirSync(dirname(path), { recursive: true });
  return { path, update };
}

function checkShot(path, update) {
  const bytes = statSync(path).size;
  if (bytes >= MAX_SHOT_BYTES) throw new Error(`${path} is ${(bytes / 1024).toFixed(0)} KiB (limit ${MAX_SHOT_BYTES / 1024} KiB)`);
  return `${(bytes / 1024).toFixed(0)} KiB, ${update ? 'written to docs/images' : 'in the run folder (SIP_EDITOR_UPDATE_SCREENSHOTS=1 replaces docs/images)'}`;
}

/** Whether anything in the webview ran or was built from trace text (markup in it never is). */
async function injectionState(frame) {
  return frame.evaluate(() => {
    const all = [];
    const walk = (rootNode) => {
      for (const e of rootNode.querySelectorAll('*')) {
        all.push(e);
        if (e.shadowRoot) walk(e.shadowRoot);
      }
    };
    walk(document);
    return {
      pwned: typeof window.__pwned,
      parentPwned: (() => { try { return typeof window.parent.__pwned; } catch { return 'cross-origin'; } })(),
      imgs: all.filter((e) => e.localName === 'img').length,
      scripts: all.filter((e) => e.localName === 'script').length,
      iframes: all.filter((e) => e.localName === 'iframe').length,
      javascriptLinks: all.filter((e) => /^\s*javascript:/i.test(e.getAttribute('href') ?? e.getAttribute('xlink:href') ?? '')).length,
      text: document.body.textContent ?? '',
      templateText: document.getElementById('template-text')?.textContent ?? '',
      ladderText: document.getElementById('ladder')?.textContent ?? '',
      fieldValues: [...document.querySelectorAll('vscode-textfield, vscode-textarea')].map((e) => e.value ?? ''),
    };
  });
}

/**
 * The steps, as [name, fn] pairs for routeA. `page` is the workbench page, `shot(name)` keeps a
 * picture in the run folder.
 */
export function templatesSteps(page, runDir, shot) {
  let templates; // the panel's frame on broken-register.pcap
  return [
    ['UI: the quick fix opens the templates panel on the capture\'s flow; "Initial REGISTER" opened as a SIP document has no error', async () => {
      // The decoded view is active with the cursor on the Contact line (OMA-IM-REG-001).
      // Inside the Contact value of the REGISTER (line 11), where the OMA-IM-REG-001 range is.
      await page.locator('.editor-instance .view-line', { hasText: 'Contact: <sip:alice@192.0.2.10:5060>' }).first().click({ position: { x: 200, y: 5 }, timeout: 10000 });
      await quickFix(page, 'Open a compliant REGISTER template', 'OMA-IM-REG-001');
      templates = await webviewFrameWith(page, 'template-kind');
      await templates.locator('body[data-ready="true"]').waitFor({ timeout: 15000 });
      const source = (await templates.locator('#template-source').innerText()).trim();
      if (!source.includes('broken-register.pcap')) throw new Error(`panel source: ${source}`);
      // Another kind first, so that "Initial REGISTER" is a real change the host answers.
      await choose(templates, 'template-kind', 'Refresh REGISTER');
      await templates.locator('#template-text[data-kind="refresh"]').waitFor({ timeout: 10000 });
      await choose(templates, 'template-kind', 'Initial REGISTER');
      await templates.locator('#template-text[data-kind="initial"]').waitFor({ timeout: 10000 });
      const status = templates.locator('#template-status');
      await templates.locator('#template-status[data-ready="true"]').waitFor({ timeout: 10000 });
      if ((await status.getAttribute('data-errors')) !== '0') throw new Error(`panel checker: ${await status.innerText()}`);
      const text = await templates.locator('#template-text').textContent();
      if (!text.startsWith('REGISTER sip:ims.example.net SIP/2.0')) throw new Error(`template text: ${text.slice(0, 80)}`);
      await templates.locator('#btn-open').click({ timeout: 10000 });
      await templates.locator('#action-result[data-action="open"][data-ok="true"]').waitFor({ timeout: 10000 });
      // The new untitled SIP document is the active editor and the extension checked it.
      const tab = page.locator('.editor-group-container.active .tab.active');
      await tab.filter({ hasText: 'Untitled' }).waitFor({ timeout: 10000 });
      const editor = page.locator('.editor-group-container.active .editor-instance .view-lines');
      await editor.filter({ hasText: 'REGISTER sip:ims.example.net SIP/2.0' }).waitFor({ timeout: 10000 });
      const s = await traceStatus(page);
      if (s.errors !== 0) throw new Error(`the opened template has errors: ${s.label}`);
      const squiggles = await page.locator('.editor-group-container.active .editor-instance .squiggly-error').count();
      if (squiggles) throw new Error(`${squiggles} error squiggle(s) in the opened template`);
      await shot('template-opened');
      return `${source}; panel "${(await status.innerText()).trim()}"; ${(await tab.innerText()).replace(/\s+/g, ' ').trim()} → ${s.label}, 0 error squiggles`;
    }],
    ['UI: clicking the 200\'s arrow in the ladder reveals it in the decoded view', async () => {
      // Back to the panel (the untitled document took its group's focus, the panel stays in its own).
      await page.locator('.tab', { hasText: 'REGISTER templates' }).first().click({ timeout: 10000 });
      templates = await webviewFrameWith(page, 'template-kind');
      const row = templates.locator('g.ladder-row[data-message-index="1"]');
      await row.waitFor({ timeout: 10000 });
      const label = (await row.textContent()).replace(/\s+/g, ' ').trim();
      await row.click({ timeout: 10000 });
      const tab = page.locator('.editor-group-container.active .tab.active');
      await tab.filter({ hasText: 'broken-register.pcap' }).waitFor({ timeout: 10000 });
      const decoded = page.locator('.editor-group-container.active .editor-instance .view-lines');
      await decoded.filter({ hasText: '### frame 2' }).waitFor({ timeout: 10000 });
      // Decoded view: title (line 1), blank, frame 1 heading (3), the REGISTER's 13 lines (4-16),
      // two blank lines, frame 2 heading (19), "SIP/2.0 200 OK" (20).
      let pos;
      for (let i = 0; i < 20; i++) {
        pos = await cursorPosition(page);
        if (pos.line === 20 || pos.line === 19) break;
        await page.waitForTimeout(250);
      }
      if (pos.line !== 20 && pos.line !== 19) throw new Error(`cursor after the reveal: ${pos.text} (expected the 200 OK, Ln 19-20)`);
      const current = (await page.locator('.editor-group-container.active .editor-instance .view-overlays .current-line').count()) > 0;
      await shot('ladder-reveal');
      return `clicked "${label}" → active tab "${(await tab.innerText()).replace(/\s+/g, ' ').trim()}", cursor ${pos.text}${current ? '' : ' (no current-line highlight seen)'}`;
    }],
    ['UI: screenshots of the templates panel and the ladder (docs/images/templates-panel.png, ladder.png)', async () => {
      await page.locator('.tab', { hasText: 'REGISTER templates' }).first().click({ timeout: 10000 });
      // A hidden webview is dropped and made again (from its saved state) when shown.
      templates = await webviewFrameWith(page, 'template-kind');
      await templates.locator('#template-status[data-ready="true"]').waitFor({ timeout: 10000 });
      await templates.locator('g.ladder-row').first().waitFor({ timeout: 10000 });
      await page.mouse.move(0, 0);
      await page.waitForTimeout(400);
      const a = keepShot(TEMPLATES_SHOT, runDir);
      await page.screenshot({ path: a.path });
      const b = keepShot(LADDER_SHOT, runDir);
      await templates.locator('#ladder').screenshot({ path: b.path });
      return `panel ${checkShot(a.path, a.update)}; ladder ${checkShot(b.path, b.update)}`;
    }],
    ['UI: a hostile log (markup, </script>, javascript: URIs) renders literally in the templates panel and runs nothing', async () => {
      await runCommand(page, 'View: Close All Editors'); // one webview: the hostile trace's panel
      // The untitled template document asks to be saved: it is not.
      await page.locator('.monaco-dialog-box .monaco-button', { hasText: "Don't Save" }).click({ timeout: 5000 }).catch(() => {});
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'hostile-register.sip' }).click({ timeout: 15000 });
      const contact = page.locator('.editor-instance .view-lines .view-line', { hasText: 'Contact: <sip:mallory' }).first();
      await contact.waitFor({ timeout: 15000 });
      await page.locator('.editor-instance .squiggly-error').first().waitFor({ state: 'attached', timeout: 15000 });
      await contact.click({ position: { x: 200, y: 5 } });
      // OMA-IM-REG-002 is only found in the hostile log (the capture's rows are still listed).
      await quickFix(page, 'Open a compliant REGISTER template', 'OMA-IM-REG-002');
      const frame = await webviewFrameWith(page, 'template-kind');
      await frame.locator('body[data-ready="true"]').waitFor({ timeout: 15000 });
      const source = (await frame.locator('#template-source').innerText()).trim();
      if (!source.includes('hostile-register.sip')) throw new Error(`panel opened on: ${source}`);
      await frame.locator('g.ladder-row').first().waitFor({ timeout: 10000 });
      const s = await injectionState(frame);
      const shown = [s.text, ...s.fieldValues].join('\n');
      const problems = [];
      if (s.pwned !== 'undefined') problems.push(`window.__pwned is ${s.pwned} in the webview`);
      if (s.parentPwned !== 'undefined' && s.parentPwned !== 'cross-origin') problems.push(`window.__pwned is ${s.parentPwned} in the webview host frame`);
      if (s.imgs) problems.push(`${s.imgs} <img> element(s)`);
      if (s.scripts !== 1) problems.push(`${s.scripts} <script> elements (expected only the panel's own)`);
      if (s.iframes) problems.push(`${s.iframes} <iframe> element(s)`);
      if (s.javascriptLinks) problems.push(`${s.javascriptLinks} javascript: link(s)`);
      if (!shown.includes(HOSTILE_IMG)) problems.push('the <img …> text of the trace is not shown literally');
      if (!shown.includes(HOSTILE_SCRIPT)) problems.push('the </script><script> text of the trace is not shown literally');
      const workbenchPwned = await page.evaluate(() => typeof window.__pwned);
      if (workbenchPwned !== 'undefined') problems.push(`window.__pwned is ${workbenchPwned} in the workbench`);
      // Also after a re-render: change the kind and let the host answer.
      await choose(frame, 'template-kind', 'Refresh REGISTER');
      await frame.locator('#template-text[data-kind="refresh"]').waitFor({ timeout: 10000 });
      const after = await injectionState(frame);
      if (after.pwned !== 'undefined' || after.imgs || after.scripts !== 1) problems.push(`after a re-render: __pwned ${after.pwned}, ${after.imgs} img, ${after.scripts} script`);
      await shot('hostile');
      if (problems.length) throw new Error(problems.join('; '));
      const where = [
        s.templateText.includes(HOSTILE_IMG) || s.templateText.includes(HOSTILE_SCRIPT) ? 'template text' : '',
        s.ladderText.includes('<') ? 'ladder' : '',
        s.fieldValues.some((v) => v.includes('<img') || v.includes('<script')) ? 'form fields' : '',
        s.text.includes(HOSTILE_IMG) ? 'page text' : '',
      ].filter(Boolean);
      // The Contact's javascript: URI parameter is not carried into the panel (a compliant Contact
      // is rebuilt), so it is only reported, not required.
      const jsShown = shown.includes('javascript:alert(1)') ? 'javascript: URI shown as text' : 'javascript: URI not carried into the panel';
      return `shown literally in: ${where.join(', ')}; ${jsShown}; __pwned undefined (webview, workbench), 0 img, 1 script (the panel's), 0 iframe, 0 javascript: links, also after re-render`;
    }],
  ];
}
