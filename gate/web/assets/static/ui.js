// ui.js holds the pieces both pages share: a small element builder, the
// header (language switch, who is logged in), toasts and the confirmation
// dialog.

import { t, lang, setLang, applyI18n } from './i18n.js';

/**
 * h builds an element: h('button', {class: 'btn', onclick: fn}, 'text', child).
 * Attributes named on* become listeners; text is always set as text, never
 * parsed as HTML.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** $ returns the element with the given id. */
export function $(id) {
  return document.getElementById(id);
}

/** setupHeader wires the language switch and shows the student, if any. */
export function setupHeader(student) {
  const toggle = $('lang-toggle');
  const render = () => {
    toggle.replaceChildren(
      h('span', { class: 'lang-long' }, t('lang.toggle')),
      h('span', { class: 'lang-short', 'aria-hidden': 'true' }, t('lang.short')));
    toggle.setAttribute('aria-label', t('lang.toggle.label'));
    toggle.lang = lang() === 'ko' ? 'en' : 'ko';
  };
  toggle.addEventListener('click', () => {
    setLang(lang() === 'ko' ? 'en' : 'ko');
    render();
  });
  applyI18n(document);
  render();
  showStudent(student);
}

/** showStudent shows the logged-in student in the header (or hides it). */
export function showStudent(student) {
  const who = $('who');
  if (!who) return;
  if (!student) {
    who.hidden = true;
    return;
  }
  who.hidden = false;
  who.replaceChildren(
    h('span', { class: 'who-name' }, student.name || ''),
    h('span', { class: 'who-no' }, student.student_no || ''),
  );
}

/**
 * toast shows a short message at the bottom of the page for a few seconds.
 * Kinds: "ok", "info", "error". Errors are announced assertively.
 */
export function toast(text, kind = 'info', ms = 5000) {
  const box = $('toasts');
  const item = h('div', { class: 'toast toast-' + kind, role: kind === 'error' ? 'alert' : 'status' },
    h('span', { class: 'toast-text' }, text),
    h('button', { type: 'button', class: 'toast-close', 'aria-label': t('close'), onclick: () => item.remove() }, '×'));
  box.append(item);
  while (box.children.length > 4) box.firstElementChild.remove();
  setTimeout(() => item.remove(), kind === 'error' ? ms * 1.6 : ms);
}

/**
 * confirmDialog opens the page's <dialog id="confirm"> with a title, a body
 * and an action label, and resolves to true when the action is chosen.
 */
export function confirmDialog(title, body, okLabel) {
  const dlg = $('confirm');
  $('confirm-title').textContent = title;
  $('confirm-body').textContent = body;
  $('confirm-ok').textContent = okLabel;
  $('confirm-cancel').textContent = t('back');
  return new Promise((resolve) => {
    dlg.addEventListener('close', () => resolve(dlg.returnValue === 'ok'), { once: true });
    dlg.returnValue = '';
    dlg.showModal();
    $('confirm-cancel').focus();
  });
}
